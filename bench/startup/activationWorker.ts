/**
 * One cold start of an extension, in a process of its own (lib/worker.ts): `vscode` is the
 * stand-in, the bundle is required (module load, timed) and `activate(context)` is called and
 * awaited (activation, timed) — what VS Code's extension host does on `onStartupFinished`. Disk and
 * network calls are counted per phase; the process then waits for the work activation deferred
 * (the receiver's listen), deactivates and reports.
 */
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../../test/support/freePort';
import { Counts, installIoProbe } from './ioProbe';
import { createStandIn, StandInRecord } from './vscodeStandIn';

export interface ActivationSample {
  readonly loadMs: number;
  readonly activateMs: number;
  /** From the activate() call until a server of the extension was listening, if one did. */
  readonly listeningMs: number | undefined;
  readonly io: { readonly load: Counts; readonly activate: Counts; readonly after: Counts };
  readonly record: StandInRecord;
}

interface ExtensionModule {
  activate(context: object): unknown;
  deactivate?(): unknown;
}

/** How long deferred start-up work may take before the worker stops waiting for it. */
const SETTLE_TIMEOUT_MS = 5_000;
/** After the receiver listens, time for the rest of the deferred work (the journal) to run. */
const AFTER_LISTEN_MS = 200;

/** Resolves with performance.now() of the first 'listening' of any server created from now on. */
function firstListening(): Promise<number> {
  return new Promise((resolve) => {
    const listen = net.Server.prototype.listen;
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      this.once('listening', () => resolve(performance.now()));
      return (listen as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof listen;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * args: the extension's folder (package.json with `main`, the bundle beside it), then `listens`
 * when the extension is expected to open a server after activation (the worker waits for it).
 */
export async function activationWorker(args: readonly string[]): Promise<ActivationSample> {
  const extensionPath = args[0];
  if (!extensionPath) throw new Error('activation worker: no extension folder given');
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as Record<string, unknown>;
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-startup-storage-'));
  // A port of its own: the user's 4318 (or a parallel test's) must neither be taken nor block us.
  const port = await freePort();
  const standIn = createStandIn({ manifest, extensionPath, globalStoragePath: storage, settings: { 'sessionRelay.receiver.port': port } });

  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    return request === 'vscode' ? standIn.vscode : load.call(this, request, parent, isMain);
  };
  const probe = installIoProbe();
  const listening = firstListening();

  probe.phase('load');
  let start = performance.now();
  const extension = createRequire(__filename)(path.resolve(extensionPath, String(manifest.main))) as ExtensionModule;
  const loadMs = performance.now() - start;

  probe.phase('activate');
  start = performance.now();
  await extension.activate(standIn.context);
  const activateMs = performance.now() - start;

  probe.phase('after');
  const listenedAt = args[1] === 'listens' ? await Promise.race([listening, sleep(SETTLE_TIMEOUT_MS).then(() => undefined)]) : undefined;
  await sleep(AFTER_LISTEN_MS);
  probe.stop();

  await extension.deactivate?.();
  for (const d of (standIn.context as { subscriptions: Array<{ dispose(): unknown }> }).subscriptions) d.dispose();
  fs.rmSync(storage, { recursive: true, force: true });
  if (standIn.record.missing.length > 0) {
    throw new Error(`the extension used API the vscode stand-in lacks: ${[...new Set(standIn.record.missing)].join(', ')}`);
  }
  return {
    loadMs,
    activateMs,
    listeningMs: listenedAt === undefined ? undefined : listenedAt - start,
    io: { load: probe.phases.load ?? {}, activate: probe.phases.activate ?? {}, after: probe.phases.after ?? {} },
    record: standIn.record,
  };
}
