/**
 * Receiver throughput (issue 6 row 5): spans per second acknowledged over real HTTP on 127.0.0.1,
 * OTLP/JSON and OTLP/protobuf, 4 concurrent senders posting the same pre-built Copilot-shaped
 * export requests to (a) the real `session-relay serve` — receiver, redacted and fsynced span
 * journal, pipeline, file sink — and (b) a bare node:http server that only decodes each body.
 * Each server runs in its own process and is started fresh for every round (a fresh journal and
 * pipeline: no span is ever a duplicate), warmed up with other spans, then timed; rounds alternate
 * which server goes first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarize } from '../lib/measure';
import { Benchmark, Row, floorRow } from '../lib/report';
import { runWorker } from '../lib/worker';
import { generateOtlpWorkload, type OtlpWorkload } from '../intake/otlpWorkload';
import { bareReceiverMain, type BareReceiverResult } from './bareReceiver';
import { startRelayServer } from './relayServer';
import { sendAll, type CONTENT_TYPES } from './senders';

type Kind = keyof typeof CONTENT_TYPES;

const SENDERS = 4;
const RUNS = 5;
const TIMED_SESSIONS = 80;
const WARMUP_SESSIONS = 40;
/**
 * What users need, not a ratio: the issue names no target for the receiver, and the bare server
 * only decodes while serve redacts every attribute, fsyncs the journal before its 200, runs the
 * pipeline and writes transcripts (10–20× the work per span). Copilot Chat's exporter (the SDK's
 * BatchSpanProcessor) sends at most 512 spans per 5 s when a window is busy; ten such windows on
 * one machine need ~1,000 spans/s. The ratio to the bare server is shown for scale.
 */
const MIN_SPANS_PER_SECOND = 1_000;

export const receiverBenchmark: Benchmark = {
  name: 'receiver',
  workers: { 'bare-otlp-receiver': bareReceiverMain },
  async run() {
    const timed = generateOtlpWorkload({ sessions: TIMED_SESSIONS, seed: 0x5e1a7 });
    const warmup = generateOtlpWorkload({ sessions: WARMUP_SESSIONS, seed: 0x3a4b });
    const rows: Row[] = [];
    for (const kind of ['json', 'protobuf'] as const) {
      const ours: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate which goes first so neither always runs on a warmer machine.
        const order = i % 2 === 0 ? [oursRound, bareRound] : [bareRound, oursRound];
        for (const round of order) {
          const spansPerSecond = await round(kind, warmup, timed);
          (round === oursRound ? ours : bare).push(spansPerSecond);
        }
      }
      const bytes = kind === 'json' ? timed.jsonBytes : timed.protobufBytes;
      rows.push(
        floorRow(
          `receiver throughput, OTLP ${kind === 'json' ? 'JSON' : 'protobuf'}`,
          'spans/s',
          summarize(ours),
          'bare node:http + decode',
          summarize(bare),
          MIN_SPANS_PER_SECOND,
          `dist/cli.js serve (journal fsynced before each 200, file sink) vs a bare server that only decodes; ` +
            `${SENDERS} keep-alive senders, ${timed.spans} spans of ${timed.sessions} sessions in ${timed.requests.length} requests ` +
            `(${(bytes / 1e6).toFixed(1)} MB) after ${warmup.spans} warm-up spans, fresh server per round, ${RUNS} alternating rounds; ` +
            `target: ten busy Copilot windows (512 spans per 5 s each)`,
        ),
      );
    }
    return rows;
  },
};

async function oursRound(kind: Kind, warmup: OtlpWorkload, timed: OtlpWorkload): Promise<number> {
  const server = await startRelayServer();
  let ms: number;
  try {
    await sendAll(server.url, kind, bodiesOf(warmup, kind), SENDERS);
    ms = await sendAll(server.url, kind, bodiesOf(timed, kind), SENDERS);
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw err;
  }
  // A clean stop ends the sessions and writes their transcripts: proof the spans went all the way.
  const { delivered } = await server.stop();
  if (delivered === 0) throw new Error('serve wrote no events');
  return timed.spans / (ms / 1000);
}

async function bareRound(kind: Kind, warmup: OtlpWorkload, timed: OtlpWorkload): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-receiver-'));
  const portFile = path.join(dir, 'port');
  try {
    const requests = warmup.requests.length + timed.requests.length;
    const done = runWorker<BareReceiverResult>('bare-otlp-receiver', [kind, String(requests), portFile]);
    const url = `http://127.0.0.1:${await waitForPort(portFile, done)}`;
    await sendAll(url, kind, bodiesOf(warmup, kind), SENDERS);
    const ms = await sendAll(url, kind, bodiesOf(timed, kind), SENDERS);
    const result = await done;
    if (result.spans !== warmup.spans + timed.spans) throw new Error(`bare receiver decoded ${result.spans} spans`);
    return timed.spans / (ms / 1000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function bodiesOf(workload: OtlpWorkload, kind: Kind): Uint8Array[] {
  return workload.requests.map((r) => r[kind]);
}

/** The worker writes its port once listening; a worker that dies first rejects `exited`. */
async function waitForPort(file: string, exited: Promise<unknown>): Promise<number> {
  let failure: unknown;
  exited.catch((err: unknown) => (failure = err));
  for (let waited = 0; waited < 15_000; waited += 10) {
    if (failure !== undefined) throw failure;
    if (fs.existsSync(file)) {
      const port = Number(fs.readFileSync(file, 'utf8'));
      if (port > 0) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('bare receiver did not start in time');
}
