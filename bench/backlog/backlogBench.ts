/**
 * Memory under backlog (issue 6): 1M events with the Sessions API down must cost at most 64 MB of
 * resident memory over the idle process — the spool holds the backlog on disk — and must then all
 * be delivered, in order and once, when the service returns. Each side runs in its own clean
 * process (RSS is per process); the baseline is the same events held in a JS array.
 */
import { summarize } from '../lib/measure';
import { Benchmark, limitRow, Row } from '../lib/report';
import { runWorker } from '../lib/worker';
import { ArrayResult, arrayWorkerMain } from './arrayWorker';
import { drainServerMain } from './drainServer';
import { RelayResult, relayWorkerMain } from './relayWorker';

const EVENTS = 1_000_000;
const LIMIT_MB = 64;
const WORKER_NODE_ARGS = ['--expose-gc'];

export const backlogBenchmark: Benchmark = {
  name: 'backlog',
  async run(): Promise<Row[]> {
    // One round each: a 1M-event run takes most of a minute, and its peak is stable to a few MB.
    const ours = await runWorker<RelayResult>('backlog-relay', [String(EVENTS)], { nodeArgs: WORKER_NODE_ARGS });
    checkDelivery(ours);
    // The array of 1M events needs more heap than Node's default limit on small machines.
    const baseline = await runWorker<ArrayResult>('backlog-array', [String(EVENTS)], { nodeArgs: [...WORKER_NODE_ARGS, '--max-old-space-size=8192'] });
    const { drain } = ours;
    const drainSeconds = (drain.lastEventAt - drain.firstEventAt) / 1000;
    const notes = [
      `${ours.events.toLocaleString('en')} events (${ours.sessions} Copilot sessions × 100 turns, real SDK spans handed over a turn at a time through RelayPipeline → Sessions API destination, service refusing connections), one round per side`,
      `idle RSS ${ours.idleMB.toFixed(0)} MB after warm-up; growth at end of intake ${ours.endGrowthMB.toFixed(1)} MB, ${ours.settledGrowthMB.toFixed(1)} MB after a full GC, of which live JS heap ${ours.heapGrowthMB.toFixed(1)} MB = ${((ours.heapGrowthMB * 1024 * 1024) / ours.events).toFixed(0)} B/event (baseline ${baseline.settledGrowthMB.toFixed(0)} MB)`,
      `intake ${(ours.events / ours.intakeSeconds).toFixed(0)} events/s; spool on disk ${(ours.spoolBytes / 1024 / 1024).toFixed(0)} MB`,
      `drain ${(drain.distinct / drainSeconds).toFixed(0)} events/s (${drainSeconds.toFixed(1)} s, ${drain.requests} requests, first delivery ${((drain.firstEventAt - drain.listeningAt) / 1000).toFixed(1)} s after the service came up; backoff and breaker capped at 1 s), peak growth while draining ${ours.drainPeakGrowthMB.toFixed(1)} MB`,
      `service saw ${drain.distinct} distinct ids, ${drain.duplicates} duplicates, ${drain.outOfOrder} out of order; received ${ours.accounting.received} = delivered ${ours.accounting.delivered} + pending ${ours.accounting.pending} + dropped 0`,
    ].join('; ');
    return [
      limitRow(
        'memory under 1M-event backlog',
        'MB',
        summarize([ours.peakGrowthMB]),
        'same events held in a JS array',
        summarize([baseline.peakGrowthMB]),
        LIMIT_MB,
        notes,
      ),
    ];
  },
  workers: {
    'backlog-relay': relayWorkerMain,
    'backlog-array': arrayWorkerMain,
    'backlog-server': drainServerMain,
  },
};

/** A backlog that is not fully delivered, once, in order, is a failed run, not a figure. */
function checkDelivery(r: RelayResult): void {
  const a = r.accounting;
  const dropped = Object.values(a.dropped).reduce((s, n) => s + (n ?? 0), 0);
  const problems = [
    a.received !== a.delivered + a.pending + dropped && `accounting broken: ${JSON.stringify(a)}`,
    (a.delivered !== r.events || dropped > 0) && `delivered ${a.delivered} of ${r.events}, dropped ${dropped}`,
    !r.drain.complete && `the service saw ${r.drain.distinct} of ${r.events} ids before its deadline`,
    r.drain.distinct !== r.events && `the service saw ${r.drain.distinct} distinct ids, expected ${r.events}`,
    r.drain.outOfOrder > 0 && `${r.drain.outOfOrder} events arrived out of order`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new Error(`backlog bench: ${problems.join('; ')}`);
}
