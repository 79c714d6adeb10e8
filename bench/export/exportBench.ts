/**
 * End-to-end export (issue 6): about 100,000 events from OTLP receipt to a local Sessions API over
 * real HTTP. Ours is `session-relay serve` (dist/cli.js) in its own process, fed pre-serialised
 * OTLP/JSON export requests; the clock runs from the first request sent until the service holds
 * every event. In the same run, interleaved round by round:
 *  (a) the OpenTelemetry JS SDK (BatchSpanProcessor + OTLP http/json exporter) sending the same
 *      spans to a local OTLP sink — what a user would use instead; its spans/s are converted to
 *      events/s with the workload's events per span;
 *  (b) a bare undici loop posting the same events, pre-batched and pre-serialised, to the same
 *      service with the same concurrency — the practical limit.
 * CPU per 1,000 events is measured for the relay process and for each baseline's process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarize, type Summary } from '../lib/measure';
import { ratioRow, type Benchmark } from '../lib/report';
import { runWorker } from '../lib/worker';
import { BenchSessionsApi } from './benchSessionsApi';
import { otelSdkWorker } from './otelSdkBaseline';
import { OtlpCountingSink } from './otlpSink';
import { postExportRequests, serialiseExportRequests } from './otlpSender';
import { RelayProcess } from './relayProcess';
import { measureRelayFloor } from './relayFloor';
import type { TimedRun } from './timedRun';
import { prepareBatches, undiciWorker } from './undiciBaseline';
import { BENCH_REPOS, buildWorkload } from './workload';

/** 50 sessions × 222 turns ≈ 55,000 spans ≈ 100,000 events (about 9 events per turn). */
const SESSIONS = 50;
const TURNS_PER_SESSION = 222;
const MIN_EVENTS = 100_000;
const ROUNDS = 3;
const RUN_TIMEOUT_MS = 120_000;
const MIN_RATIO_SDK = 1.5;
const MIN_RATIO_UNDICI = 0.5;
/** Set to a directory to get a CPU profile of every relay run (`node --cpu-prof`). */
const PROFILE_DIR = process.env.SESSION_RELAY_BENCH_PROFILE;
/** Set to another build's cli.js to measure it instead of dist/cli.js. */
const CLI_OVERRIDE = process.env.SESSION_RELAY_BENCH_CLI;

interface Round {
  /** Events per second. */
  readonly rate: number;
  /** CPU milliseconds per 1,000 events. */
  readonly cpuPer1k: number;
}

function round(run: TimedRun, events: number): Round {
  return { rate: events / (run.ms / 1000), cpuPer1k: run.cpuMs / (events / 1000) };
}

function fmt(s: Summary): string {
  return `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}

export const exportBenchmark: Benchmark = {
  name: 'export',
  workers: { 'export-otel-sdk': otelSdkWorker, 'export-undici': undiciWorker },
  async run() {
    // The bundle runs from out/bench/; the relay is the built CLI next to it, or another build
    // (a proposed change, built with `node esbuild.mjs --outdir=…`) to compare against.
    const cli = CLI_OVERRIDE ?? path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
    const workload = await buildWorkload(SESSIONS, TURNS_PER_SESSION);
    const expected = workload.eventCount;
    if (expected < MIN_EVENTS) throw new Error(`the workload makes ${expected} events, fewer than ${MIN_EVENTS}`);
    const spans = workload.spans.length;
    const eventsPerSpan = expected / spans;
    const requests = serialiseExportRequests(workload.spans);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-export-'));
    const batchesFile = path.join(tmp, 'batches.json');
    const repoOf = (sessionId: string): { ownerId: number; repoId: number } => {
      // sessionSpecs: session i lives in bench-org/repo-(i % 4).
      const index = Number(sessionId.slice(-12));
      return BENCH_REPOS[`bench-org/repo-${index % 4}`]!;
    };
    prepareBatches(batchesFile, workload.events, repoOf);

    const api = new BenchSessionsApi(BENCH_REPOS);
    await api.start();
    const sink = new OtlpCountingSink();
    const sinkUrl = await sink.start();
    const ours: Round[] = [];
    const sdk: Round[] = [];
    const undici: Round[] = [];

    const runOurs = async (i: number): Promise<void> => {
      api.reset();
      const stateDir = path.join(tmp, `relay-${i}`);
      const relay = await RelayProcess.start({ cli, endpoint: api.url, stateDir, nodeArgs: PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [] });
      try {
        const cpu0 = relay.cpuMs();
        const t0 = process.hrtime.bigint();
        await Promise.all([postExportRequests(relay.tracesUrl, requests), api.waitForEvents(expected, RUN_TIMEOUT_MS)]);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        ours.push(round({ ms, cpuMs: relay.cpuMs() - cpu0, items: api.stored }, expected));
      } finally {
        await relay.stop();
      }
      if (api.refused > 0) throw new Error(`the Sessions API refused ${api.refused} of ours' requests`);
      fs.rmSync(stateDir, { recursive: true, force: true });
    };
    const runSdk = async (): Promise<void> => {
      sink.reset();
      const run = await runWorker<TimedRun>('export-otel-sdk', [sinkUrl, String(SESSIONS), String(TURNS_PER_SESSION)]);
      if (run.items !== spans || sink.spans !== spans) throw new Error(`baseline (a) delivered ${sink.spans} of ${spans} spans`);
      sdk.push(round(run, spans * eventsPerSpan));
    };
    const runUndici = async (): Promise<void> => {
      api.reset();
      const run = await runWorker<TimedRun>('export-undici', [api.url, batchesFile]);
      if (run.items !== expected || api.stored !== expected) throw new Error(`baseline (b) stored ${api.stored} of ${expected} events`);
      undici.push(round(run, expected));
    };

    try {
      for (let i = 0; i < ROUNDS; i++) {
        // Alternate the order so neither always runs on a warmer (or more tired) machine.
        const steps = [() => runOurs(i), runSdk, runUndici];
        for (const step of i % 2 === 0 ? steps : steps.reverse()) await step();
      }
    } finally {
      await api.close();
      await sink.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }

    const rate = (rounds: Round[]): Summary => summarize(rounds.map((r) => r.rate));
    const cpu = (rounds: Round[]): Summary => summarize(rounds.map((r) => r.cpuPer1k));
    // Whether a target is reachable at all: the CPU a relay cannot avoid, against the CPU a
    // relay on one core may spend per 1,000 events to reach the target rate.
    const floor = measureRelayFloor(requests, workload.events);
    const budget = (minRatio: number, baseline: Round[]): string => {
      const target = minRatio * rate(baseline).median;
      return `target ${Math.round(target).toLocaleString('en-US')} events/s = ≤ ${(1e6 / target).toFixed(1)} CPU ms per 1,000 events on one core`;
    };
    const floorNote =
      `unavoidable work of any relay on one core, no I/O (CPU ms per 1,000 events): JSON.parse of the bodies + JSON.stringify of the events ${fmt(floor.parseAndSerialise)}, ` +
      `plus the journal SPEC §8 asks before the 200 (every span's string attributes redacted, the spans serialised) ${fmt(floor.withJournal)} → at most ${Math.round(1e6 / floor.withJournal.median).toLocaleString('en-US')} events/s`;
    const workloadNote =
      `${expected} events from ${spans} spans (${eventsPerSpan.toFixed(2)} events/span) in ${SESSIONS} sessions, ` +
      `${requests.length} OTLP/JSON requests of ≤ 512 spans; ${ROUNDS} interleaved rounds; ` +
      `CPU ms per 1,000 events, median (min–max): ours (relay process) ${fmt(cpu(ours))}`;
    return [
      ratioRow(
        'end-to-end export vs OTel SDK',
        'events/s',
        rate(ours),
        'OTel SDK BatchSpanProcessor + OTLP http/json to a local sink (spans/s × events/span)',
        rate(sdk),
        MIN_RATIO_SDK,
        `${workloadNote}, OTel SDK process ${fmt(cpu(sdk))} (span creation included); ${budget(MIN_RATIO_SDK, sdk)}; ${floorNote}`,
      ),
      ratioRow(
        'end-to-end export vs bare undici',
        'events/s',
        rate(ours),
        'bare undici loop, pre-serialised batches, same service and concurrency',
        rate(undici),
        MIN_RATIO_UNDICI,
        `same run; CPU ms per 1,000 events: ours ${fmt(cpu(ours))}, undici loop process ${fmt(cpu(undici))}; ${budget(MIN_RATIO_UNDICI, undici)}; ${floorNote}`,
      ),
    ];
  },
};
