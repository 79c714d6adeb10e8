/**
 * Intake cost per span (issue 6 row 1): the whole in-process path an OTLP/JSON request takes in the
 * receiver — decode, span processor, turn assembly, session tracking, translation, redaction, size
 * cap, into the delivery queue's memory — minus HTTP and disk, against `JSON.parse` of the same
 * bodies, the floor any receiver pays. Interleaved rounds; each of ours gets a fresh pipeline, so no
 * span is ever a duplicate the assembler could skip.
 */
import { silentLogger } from '../../src/common/logger';
import { decodeTraceRequest } from '../../src/intake/otlpDecode';
import type { Redactor } from '../../src/redact/redactor';
import { createRedactor } from '../../src/redact/secretRedactor';
import { RelayPipeline } from '../../src/relayPipeline';
import type { EventSink } from '../../src/sinks/eventSink';
import { interleaved, summarize } from '../lib/measure';
import { Benchmark, costRatioRow, type Row } from '../lib/report';
import { runWorker } from '../lib/worker';
import { generateOtlpWorkload } from './otlpWorkload';

const SESSIONS = 60;
const SEED = 0x1a7a4e;
// Each side's garbage lands partly in the other's rounds (interleaved, one heap), so single rounds swing
// by ±30%: enough rounds for a stable median.
const RUNS = 41;
const WARMUP = 3;
const MAX_RATIO = 3;
const SHARE_RUNS = 5;

const passThrough: Redactor = { redact: (text) => text };

/** Holds nothing and delivers nowhere: the measured path ends in the delivery queue's buffer. */
const nullSink: EventSink = {
  name: 'bench',
  scope: 'local',
  deliver: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export const intakeBenchmark: Benchmark = {
  name: 'intake',
  workers: { intake: () => Promise.resolve(measureIntake()) },
  // A process of its own, as the other rows: what the benchmarks before it leave in the runner's
  // heap must not weigh on the collections this row measures (both sides pay for them).
  run: () => runWorker<Row[]>('intake'),
};

function measureIntake(): Row[] {
  const workload = generateOtlpWorkload({ sessions: SESSIONS, seed: SEED });
  const bodies = workload.requests.map((r) => r.json);
  const redactor = createRedactor();
  // µs per span of each request, per round (the first WARMUP rounds are dropped below).
  const perRequest: number[][] = [];
  let events = 0;
  let sink = 0;

  const intake = (redaction: Redactor, perRequestUs?: number[][]) => (): void => {
    const pipeline = new RelayPipeline({ sinks: [nullSink], redactor: redaction, logger: silentLogger }, { producerVersion: 'bench', idleMs: 30 * 60_000 });
    const samples: number[] = [];
    for (const body of bodies) {
      const start = process.hrtime.bigint();
      const { spans } = decodeTraceRequest(body, 'json');
      for (const span of spans) pipeline.processor.onEnd(span);
      // The receiver's microtask drain, run now so the whole request is inside the measurement.
      void pipeline.processor.forceFlush();
      samples.push(Number(process.hrtime.bigint() - start) / 1e3 / spans.length);
    }
    perRequestUs?.push(samples);
    events = pipeline.status().destinations[0]?.received ?? 0;
    pipeline.dispose();
  };
  const ours = intake(redactor, perRequest);
  const baseline = (): void => {
    for (const body of bodies) sink += (JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as { resourceSpans: unknown[] }).resourceSpans.length;
  };

  const ms = interleaved(ours, baseline, RUNS, WARMUP);
  // How much of ours is redaction (not this stage's code): the same path with a pass-through redactor.
  const share = interleaved(ours, intake(passThrough), SHARE_RUNS, 1);
  const redactionShare = 1 - summarize(share.baseline).median / summarize(share.ours).median;
  if (sink === 0 || events === 0) throw new Error('intake bench produced no output');
  const usPerSpan = (t: number): number => (t * 1000) / workload.spans;
  const oursUs = summarize(ms.ours.map(usPerSpan));
  const requests = summarize(perRequest.slice(WARMUP).flat());
  const p99 = percentile(requests.samples, 0.99);
  return [
    costRatioRow(
      'intake cost per span',
      'µs/span',
      oursUs,
      'JSON.parse of the same bodies',
      summarize(ms.baseline.map(usPerSpan)),
      MAX_RATIO,
      `decode → processor → turns → translate → redact → delivery buffer, no HTTP/disk; ` +
        `per request p50 ${requests.median.toFixed(1)} µs/span, p99 ${p99.toFixed(1)} µs/span; ` +
        `${Math.round(1e6 / oursUs.median).toLocaleString('en-US')} spans/s on one core; redaction ${Math.round(redactionShare * 100)}% of ours; ` +
        `${workload.spans} spans of ${workload.sessions} sessions in ${bodies.length} OTLP/JSON requests ` +
        `(${(workload.jsonBytes / 1e6).toFixed(1)} MB, ${(workload.jsonBytes / workload.spans / 1024).toFixed(1)} KB/span) → ${events} events; ` +
        `${RUNS} interleaved rounds after ${WARMUP} warm-up rounds`,
    ),
  ];
}

function percentile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
