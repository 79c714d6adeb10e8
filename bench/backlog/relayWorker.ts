/**
 * The measured process: the real pipeline and Sessions API destination, the service down (nothing
 * listens on its port), 1M events pushed through. RSS is sampled against the idle level, then the
 * service comes up (drainServer.ts, another process) and the worker waits until the backlog is
 * delivered, checking the accounting and what the service saw.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountingSnapshot } from '../../src/delivery/accounting';
import { runWorker } from '../lib/worker';
import { freePort } from '../../test/support/freePort';
import { sessionsApiDestination } from './destinations';
import type { DrainServerResult } from './drainServer';
import { RssProbe } from './rssProbe';
import { backlogPipeline, EVENTS_PER_SESSION, feedSessions, until } from './workload';

/** Enough sessions to warm the JIT and the heap up on the very same path. */
export const WARMUP_SESSIONS = 12;
const DRAIN_TIMEOUT_MS = 300_000;

export interface RelayResult {
  readonly events: number;
  readonly sessions: number;
  readonly idleMB: number;
  readonly peakGrowthMB: number;
  /** Right after the last event was journaled, and after a full collection. */
  readonly endGrowthMB: number;
  readonly settledGrowthMB: number;
  /** Live JS heap after that collection: what the backlog really holds in memory. */
  readonly heapGrowthMB: number;
  readonly drainPeakGrowthMB: number;
  readonly intakeSeconds: number;
  readonly spoolBytes: number;
  readonly drain: DrainServerResult;
  readonly accounting: AccountingSnapshot;
}

/** Worker entry: `[events]`. */
export async function relayWorkerMain(args: readonly string[]): Promise<RelayResult> {
  const target = Number(args[0]);
  const sessions = Math.ceil(target / EVENTS_PER_SESSION);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-backlog-'));
  try {
    const port = await freePort();
    await warmUp(path.join(root, 'warmup'), port);

    const destination = sessionsApiDestination(path.join(root, 'state'), port);
    const pipeline = backlogPipeline(destination);
    await destination.whenReady();
    const probe = new RssProbe();
    const started = Date.now();
    await feedSessions(pipeline, WARMUP_SESSIONS, sessions, () => probe.sample());
    // Accepted means journaled: wait for the spool's last fsync before the final reading.
    await until(() => destination.volatilePending() === 0, 30_000, 'the spool to sync');
    const intakeSeconds = (Date.now() - started) / 1000;
    const backlog = probe.reading();
    const settledGrowthMB = probe.settledGrowthMB();
    const heapGrowthMB = probe.heapGrowthMB();
    const spoolBytes = directoryBytes(path.join(root, 'state'));
    const events = destination.status().received;
    if (events !== sessions * EVENTS_PER_SESSION) throw new Error(`backlog bench: ${events} events from ${sessions} sessions, expected ${EVENTS_PER_SESSION} each`);

    const server = runWorker<DrainServerResult>('backlog-server', [String(port), String(events), String(DRAIN_TIMEOUT_MS)]);
    const drain = await server;
    // The service has every id; the destination counts a batch once its answer is in.
    await until(() => destination.status().delivered === events, 10_000, 'the last answers', 50);
    const drainPeakGrowthMB = probe.reading().peakGrowthMB;
    probe.stop();
    const accounting = destination.status();
    await destination.close(2_000);
    pipeline.dispose();
    return {
      events,
      sessions,
      idleMB: probe.idleMB,
      peakGrowthMB: backlog.peakGrowthMB,
      endGrowthMB: backlog.currentGrowthMB,
      settledGrowthMB,
      heapGrowthMB,
      drainPeakGrowthMB,
      intakeSeconds,
      spoolBytes,
      drain,
      accounting,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The same path, briefly, on a throwaway destination: JIT and heap warm, then all of it let go. */
async function warmUp(stateDir: string, port: number): Promise<void> {
  const destination = sessionsApiDestination(stateDir, port);
  const pipeline = backlogPipeline(destination);
  await destination.whenReady();
  await feedSessions(pipeline, 0, WARMUP_SESSIONS, () => {});
  await until(() => destination.volatilePending() === 0, 30_000, 'the warm-up spool to sync');
  await destination.close(0);
  pipeline.dispose();
  fs.rmSync(stateDir, { recursive: true, force: true });
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
