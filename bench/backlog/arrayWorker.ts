/**
 * The baseline process: the same warm-up, the same sessions through the same pipeline, but every
 * event held in a JS array (an unbounded in-memory queue) instead of the spool — what the backlog
 * would cost a relay that kept it in memory. Shown for scale next to our figure.
 */
import { ArrayDestination } from './destinations';
import { RelayResult, WARMUP_SESSIONS } from './relayWorker';
import { RssProbe } from './rssProbe';
import { backlogPipeline, EVENTS_PER_SESSION, feedSessions } from './workload';

export type ArrayResult = Pick<RelayResult, 'events' | 'idleMB' | 'peakGrowthMB' | 'settledGrowthMB'>;

/** Worker entry: `[events]`. */
export async function arrayWorkerMain(args: readonly string[]): Promise<ArrayResult> {
  const sessions = Math.ceil(Number(args[0]) / EVENTS_PER_SESSION);
  const warm = new ArrayDestination();
  const warmPipeline = backlogPipeline(warm);
  await feedSessions(warmPipeline, 0, WARMUP_SESSIONS, () => {});
  warmPipeline.dispose();
  warm.held.length = 0;

  const destination = new ArrayDestination();
  const pipeline = backlogPipeline(destination);
  const probe = new RssProbe();
  await feedSessions(pipeline, WARMUP_SESSIONS, sessions, () => probe.sample());
  const { peakGrowthMB } = probe.reading();
  const settledGrowthMB = probe.settledGrowthMB();
  probe.stop();
  const events = destination.held.length;
  pipeline.dispose();
  return { events, idleMB: probe.idleMB, peakGrowthMB, settledGrowthMB };
}
