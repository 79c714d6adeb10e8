/**
 * Baseline (b), the practical limit: a bare undici loop posting the workload's events to the same
 * Sessions API, already batched (≤ 500 events and ≤ 1 MiB, as ours) and serialised in the same wire
 * format (JSON, gzipped above 1 KiB), with the concurrency ours uses — sessions round robin, one
 * request in flight per session, four sessions at a time. No journal, no spool, no retries. Runs in
 * its own process (a bench worker): the clock runs from the first request to the last answer.
 */
import * as fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { GZIP_LEVEL, GZIP_THRESHOLD_BYTES } from '../../src/sinks/httpClient';
import { ownCpuMs } from './cpuTime';
import { SERVICE_TOKEN } from './relayProcess';
import type { TimedRun } from './timedRun';

/** What ours defaults to (SPEC §8 and SessionsApiOptions). */
const MAX_BATCH_EVENTS = 500;
const MAX_BATCH_BYTES = 1024 * 1024;
const CONCURRENT_SESSIONS = 4;

interface PreparedSession {
  readonly taskId: string;
  readonly ownerId: number;
  readonly repoId: number;
  /** Each batch's body, base64 of the bytes on the wire, and whether it is gzipped. */
  readonly batches: Array<{ body: string; gzip: boolean; events: number }>;
}

/** Cuts each session's events into batches as ours does and writes them where the worker reads. */
export function prepareBatches(file: string, events: ReadonlyMap<string, SessionEvent[]>, idsOf: (sessionId: string) => { ownerId: number; repoId: number }): void {
  const sessions: PreparedSession[] = [];
  for (const [taskId, list] of events) {
    const batches: PreparedSession['batches'] = [];
    let current: string[] = [];
    let bytes = 16;
    const cut = (): void => {
      if (current.length === 0) return;
      let body = Buffer.from(`{"events":[${current.join(',')}]}`, 'utf8');
      const gzip = body.length > GZIP_THRESHOLD_BYTES;
      if (gzip) body = gzipSync(body, { level: GZIP_LEVEL });
      batches.push({ body: body.toString('base64'), gzip, events: current.length });
      current = [];
      bytes = 16;
    };
    for (const event of list) {
      const json = JSON.stringify(event);
      const size = Buffer.byteLength(json) + 1;
      if (current.length >= MAX_BATCH_EVENTS || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) cut();
      current.push(json);
      bytes += size;
    }
    cut();
    sessions.push({ taskId, ...idsOf(taskId), batches });
  }
  fs.writeFileSync(file, JSON.stringify(sessions));
}

/** Worker entry: args are the Sessions API's base URL and the file `prepareBatches` wrote. */
export async function undiciWorker(args: readonly string[]): Promise<TimedRun> {
  const [endpoint, file] = args as [string, string];
  const prepared = JSON.parse(fs.readFileSync(file, 'utf8')) as PreparedSession[];
  const sessions = prepared.map((s) => ({ ...s, remoteId: '', next: 0, bodies: s.batches.map((b) => ({ ...b, bytes: Buffer.from(b.body, 'base64') })) }));
  const pool = new Pool(endpoint, { connections: CONCURRENT_SESSIONS, pipelining: 1 });
  const auth = { authorization: `Bearer ${SERVICE_TOKEN}` };
  const post = async (path: string, body: Buffer, headers: Record<string, string>): Promise<string> => {
    const response = await pool.request({ method: 'POST', path, headers: { ...auth, 'content-type': 'application/json', ...headers }, body });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${path}: ${response.statusCode} ${text.slice(0, 200)}`);
    return text;
  };
  // Round robin over sessions: a lane sends one batch of a session, then puts it at the back.
  const ready = [...sessions];
  let events = 0;
  const lane = async (): Promise<void> => {
    for (let session = ready.shift(); session; session = ready.shift()) {
      if (!session.remoteId) {
        const body = Buffer.from(JSON.stringify({ owner_id: session.ownerId, repo_id: session.repoId, agent_task_id: session.taskId, indexing_level: 'user' }));
        session.remoteId = (JSON.parse(await post('/agents/sessions', body, {})) as { id: string }).id;
      }
      const batch = session.bodies[session.next++]!;
      await post(`/agents/sessions/${encodeURIComponent(session.remoteId)}/events`, batch.bytes, batch.gzip ? { 'content-encoding': 'gzip' } : {});
      events += batch.events;
      if (session.next < session.bodies.length) ready.push(session);
    }
  };
  const cpu0 = ownCpuMs();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENT_SESSIONS }, lane));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = ownCpuMs() - cpu0;
  await pool.close();
  return { ms, cpuMs, items: events };
}
