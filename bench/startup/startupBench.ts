/**
 * Start-up and size (issue 6): activate() time of the production bundle in a fresh process per
 * round, against a hello-world extension started the same way, and the size of the production
 * bundle and of the VSIX. Activation must also stay off the network and the disk (SPEC §10).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarize, Summary } from '../lib/measure';
import { Benchmark, limitRow, Row } from '../lib/report';
import { runWorker } from '../lib/worker';
import { ActivationSample, activationWorker } from './activationWorker';
import { buildArtifacts, BuiltExtension } from './artifacts';
import { dependencyFootprint } from './dependencyFootprint';
import { isOutboundNetwork, total } from './ioProbe';

const ROUNDS = 15;
const ACTIVATE_LIMIT_MS = 10;
/** 1 MB read strictly: 1,000,000 bytes (KB = 1000 bytes). */
const SIZE_LIMIT_KB = 1000;
const KB = 1000;
const WORKER = 'startup-activate';

function start(extension: BuiltExtension, listens: boolean): Promise<ActivationSample> {
  return runWorker<ActivationSample>(WORKER, listens ? [extension.dir, 'listens'] : [extension.dir]);
}

const isDisk = (name: string): boolean => name.startsWith('fs.');

function fmt(s: Summary): string {
  return `${s.median.toFixed(2)} ms (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** What every start of Session Relay must have done, whatever it cost: the extension is really up. */
function checkStarted(sample: ActivationSample, commands: number): void {
  const { record } = sample;
  if (record.commands.length !== commands) throw new Error(`startup bench: ${record.commands.length} commands registered, expected ${commands}`);
  if (!record.statusBarItems.some((i) => i.shown)) throw new Error('startup bench: no status bar item shown');
  if (sample.listeningMs === undefined) throw new Error('startup bench: the receiver never listened');
}

function activationRow(ours: ActivationSample[], baseline: ActivationSample[]): Row {
  const during = (s: ActivationSample, f: (n: string) => boolean): number => total(s.io.activate, f);
  const network = ours.reduce((n, s) => n + during(s, isOutboundNetwork) + total(s.io.after, isOutboundNetwork), 0);
  const disk = ours.reduce((n, s) => n + during(s, isDisk), 0);
  const diskCalls = [...new Set(ours.flatMap((s) => Object.keys(s.io.activate).filter(isDisk)))];
  const listens = ours.reduce((n, s) => n + (s.io.activate['net.Server.listen'] ?? 0), 0);
  const messages = ours.reduce((n, s) => n + s.record.messages.length, 0);
  const afterDisk = summarize(ours.map((s) => total(s.io.after, isDisk)));
  const row = limitRow(
    'activate() time, cold',
    'ms',
    summarize(ours.map((s) => s.activateMs)),
    'hello-world extension (1 command)',
    summarize(baseline.map((s) => s.activateMs)),
    ACTIVATE_LIMIT_MS,
    [
      `${ROUNDS} fresh processes each (interleaved, after 1 unmeasured start each), production bundles, \`vscode\` from a stand-in (empty window, default settings, receiver on a free port); time from the activate() call until its promise resolves`,
      `module load (require of the bundle) ${fmt(summarize(ours.map((s) => s.loadMs)))} vs ${fmt(summarize(baseline.map((s) => s.loadMs)))} hello-world`,
      `during activate() in all rounds: ${disk} fs calls${diskCalls.length ? ` (${diskCalls.join(', ')})` : ''}, ${listens} listens, ${messages} notifications; outbound connections or DNS lookups during activate() and until 200 ms past the receiver's listen: ${network}`,
      `after activate(): receiver listening ${fmt(summarize(ours.map((s) => s.listeningMs ?? NaN)))} after the call; ${afterDisk.median} fs calls then (span journal, median)`,
    ].join('; '),
  );
  // The time is the target, but an activation that touches the disk or the network fails too.
  return network === 0 && disk === 0 ? row : { ...row, target: `${row.target}, no disk/network`, pass: false };
}

function sizeRows(relay: BuiltExtension, hello: BuiltExtension, root: string): Row[] {
  const kb = (bytes: number): Summary => summarize([bytes / KB]);
  const deps = dependencyFootprint(root);
  return [
    limitRow(
      'dist/extension.js size, production',
      'KB',
      kb(relay.bundleBytes),
      `unbundled production node_modules (${deps.packages} packages)`,
      kb(deps.bytes),
      SIZE_LIMIT_KB,
      `esbuild.mjs --production (minified, source map kept out of the VSIX); KB = 1000 bytes; baseline = files a VSIX without bundling would ship`,
    ),
    limitRow(
      '.vsix size',
      'KB',
      kb(relay.vsixBytes),
      'hello-world VSIX',
      kb(hello.vsixBytes),
      SIZE_LIMIT_KB,
      'vsce package --no-dependencies (extension.js, cli.js, media, README, LICENSE, package.json, zipped)',
    ),
  ];
}

export const startupBenchmark: Benchmark = {
  name: 'startup',
  workers: { [WORKER]: activationWorker },
  async run() {
    // The bench bundle runs from out/bench/.
    const root = path.resolve(__dirname, '..', '..');
    const built = buildArtifacts(root);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(built.relay.dir, 'package.json'), 'utf8')) as { contributes: { commands: unknown[] } };
      // The first read of a freshly written bundle may come from a cold page cache.
      await start(built.relay, true);
      await start(built.hello, false);
      const ours: ActivationSample[] = [];
      const baseline: ActivationSample[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Alternate which goes first so neither always runs on a warmer machine.
        if (i % 2 === 0) {
          ours.push(await start(built.relay, true));
          baseline.push(await start(built.hello, false));
        } else {
          baseline.push(await start(built.hello, false));
          ours.push(await start(built.relay, true));
        }
      }
      ours.forEach((s) => checkStarted(s, manifest.contributes.commands.length));
      return [activationRow(ours, baseline), ...sizeRows(built.relay, built.hello, root)];
    } finally {
      built.dispose();
    }
  },
};
