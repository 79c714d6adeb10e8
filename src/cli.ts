import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { parseArgs } from 'node:util';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from './common/logger';
import { importSpanFile } from './intake/fileImport';
import { OtlpReceiver } from './intake/otlpReceiver';
import { secretValuesFromEnv } from './redact/dynamicSecrets';
import { createRedactor } from './redact/secretRedactor';
import { RelayPipeline } from './relayPipeline';
import { FileSink } from './sinks/fileSink';
import { totalDropped, type AccountingSnapshot } from './delivery/accounting';
import type { Destination } from './delivery/destination';
import { fixedLevelGate, type ConsentLevel } from './delivery/exportGate';
import { DurableIntake } from './intake/durableIntake';
import { GithubIds } from './repo/githubIds';
import { SessionsApiDestination } from './sinks/sessionsApiSink';
import type { EventSink } from './sinks/eventSink';
import { PRODUCT_VERSION } from './version';

/** Where the tool talks to its user: injected so tests run it in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); only `serve` listens for it. */
  readonly stopSignal: () => Promise<string>;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const HELP = `session-relay ${PRODUCT_VERSION} — export AI chat sessions (Copilot Chat OTLP spans) as transcripts, secrets redacted

Usage:
  session-relay import <file…> [--out DIR] [--endpoint URL --consent LEVEL …]
      Import span files: Copilot Chat's OTel JSON-lines outfile, or OTLP JSON
      (one ExportTraceServiceRequest per line or per file). Re-importing never duplicates.
  session-relay serve [--port N] [--receiver-token T] [--out DIR] [--endpoint URL --consent LEVEL …]
      Run the OTLP/HTTP receiver on 127.0.0.1 (default port 4318, what Copilot Chat sends to).
      Spans are journaled (redacted) before they are acknowledged; a restart after a crash
      replays them. Stops cleanly on Ctrl-C / SIGTERM, ending open sessions and flushing.
  session-relay redact
      Copy standard input to standard output through the redactor.

Destinations (--out and --endpoint can be combined; neither means --out's default):
  --out DIR            transcripts: DIR/<sessionId>.jsonl and DIR/<sessionId>.md
                       (default: $XDG_STATE_HOME/session-relay/sessions, or ~/.local/state/…)
  --endpoint URL       a Sessions API service (https; http only for localhost)
  --token T            bearer token for --endpoint (or set SESSION_RELAY_TOKEN)
  --consent LEVEL      required with --endpoint: user (sync to your account) or
                       repo_and_user (share with the repository's team)
  --github-api URL     GitHub REST API for repository ids (default https://api.github.com;
                       GitHub Enterprise: https://HOST/api/v3)
  --github-token T     token for --github-api (or set GITHUB_TOKEN)
  --state DIR          spool, span journal, id maps and caches
                       (default: $XDG_STATE_HOME/session-relay, or ~/.local/state/session-relay)
  --spool-max-mb N     bound of the on-disk spool (default 100)

Other options:
  --port N             receiver port (default 4318; 0 picks a free one)
  --receiver-token T   require "Authorization: Bearer T" on every request to the receiver
                       (or set SESSION_RELAY_RECEIVER_TOKEN)
  --idle-minutes N     end a session after N idle minutes (default 30)
  -h, --help           show this help
  -v, --version        print the version

Sessions without a GitHub repository the token can see are never sent to --endpoint.

Exit status: 0 success, 1 failure (some input could not be read, or events were lost),
2 usage error.
`;

class UsageError extends Error {}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr.write(`session-relay: ${reason.split('\n')[0]} (see 'session-relay --help')\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout.write(`${PRODUCT_VERSION}\n`);
    return EXIT_OK;
  }
  const [command, ...rest] = positionals;
  try {
    switch (command) {
      case 'import':
        if (rest.length === 0) {
          throw new UsageError('import needs at least one file');
        }
        rejectOptions(values, ['port', 'receiver-token']);
        return await runImport(rest, values, io);
      case 'serve':
        if (rest.length > 0) {
          throw new UsageError(`serve takes no files (got '${rest[0]}')`);
        }
        return await runServe(values, io);
      case 'redact':
        if (rest.length > 0) {
          throw new UsageError('redact reads standard input and takes no arguments');
        }
        rejectOptions(values, [
          'port',
          'token',
          'receiver-token',
          'out',
          'idle-minutes',
          'endpoint',
          'consent',
          'state',
          'github-api',
          'github-token',
          'spool-max-mb',
        ]);
        return await runRedact(io);
      case undefined:
        throw new UsageError('a command is required: import, serve or redact');
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`session-relay: ${err.message} (see 'session-relay --help')\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`session-relay: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'receiver-token': { type: 'string' },
      'idle-minutes': { type: 'string' },
      endpoint: { type: 'string' },
      consent: { type: 'string' },
      state: { type: 'string' },
      'github-api': { type: 'string' },
      'github-token': { type: 'string' },
      'spool-max-mb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

function rejectOptions(values: Values, names: Array<keyof Values>): void {
  for (const name of names) {
    if (values[name] !== undefined) {
      throw new UsageError(`--${String(name)} does not apply to this command`);
    }
  }
}

function outDir(out: string | undefined, env: NodeJS.ProcessEnv): string {
  if (out !== undefined) {
    if (out.trim() === '') {
      throw new UsageError('--out needs a directory');
    }
    return path.resolve(out);
  }
  const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(stateHome, 'session-relay', 'sessions');
}

function idleMs(value: string | undefined): number {
  if (value === undefined) {
    return 30 * 60_000;
  }
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new UsageError(`--idle-minutes must be a positive number (got '${value}')`);
  }
  return minutes * 60_000;
}

function stderrLogger(io: CliIo): Logger {
  const write = (level: string) => (message: string) => io.stderr.write(`[${level}] ${message}\n`);
  return { trace: () => {}, info: () => {}, warn: write('warn'), error: write('error') };
}

interface Destinations {
  readonly out?: string;
  readonly remote?: {
    readonly endpoint: string;
    readonly token?: string;
    readonly consent: ConsentLevel;
    readonly githubApi?: string;
    readonly githubToken?: string;
  };
  readonly stateDir: string;
  readonly spoolMaxBytes: number;
}

/** Reads and checks the destination options; every mistake is a usage error with one line. */
function destinationsOf(values: Values, env: NodeJS.ProcessEnv): Destinations {
  const stateDir = stateDirOf(values.state, env);
  const spoolMaxMb = values['spool-max-mb'] === undefined ? 100 : Number(values['spool-max-mb']);
  if (!Number.isFinite(spoolMaxMb) || spoolMaxMb <= 0) {
    throw new UsageError(`--spool-max-mb must be a positive number (got '${values['spool-max-mb']}')`);
  }
  if (values.endpoint === undefined) {
    for (const name of ['token', 'consent', 'github-api', 'github-token'] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} only applies with --endpoint`);
    }
    return { out: outDir(values.out, env), stateDir, spoolMaxBytes: spoolMaxMb * 1024 * 1024 };
  }
  const endpoint = checkedUrl(values.endpoint, '--endpoint');
  if (values.consent === undefined) {
    throw new UsageError('--endpoint needs --consent user|repo_and_user (you decide what leaves this machine)');
  }
  if (values.consent !== 'user' && values.consent !== 'repo_and_user') {
    throw new UsageError(`--consent must be user or repo_and_user (got '${values.consent}')`);
  }
  const githubApi = values['github-api'] === undefined ? undefined : checkedUrl(values['github-api'], '--github-api');
  return {
    out: values.out === undefined ? undefined : outDir(values.out, env),
    remote: {
      endpoint,
      token: values.token ?? env.SESSION_RELAY_TOKEN ?? undefined,
      consent: values.consent,
      githubApi,
      githubToken: values['github-token'] ?? env.GITHUB_TOKEN ?? undefined,
    },
    stateDir,
    spoolMaxBytes: spoolMaxMb * 1024 * 1024,
  };
}

/** https, or plain http for this machine only: a token must never cross a network in clear. */
function checkedUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be a URL (got '${value}')`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`${flag} must use https (plain http only for localhost)`);
  }
  return url.toString().replace(/\/+$/, '');
}

function stateDirOf(state: string | undefined, env: NodeJS.ProcessEnv): string {
  if (state !== undefined) {
    if (state.trim() === '') throw new UsageError('--state needs a directory');
    return path.resolve(state);
  }
  const stateHome = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(stateHome, 'session-relay');
}

/** Test-only knobs (the chaos test): the retry backoff; the defaults stay those of SPEC §8. */
function backoffFromEnv(env: NodeJS.ProcessEnv) {
  const base = Number(env.SESSION_RELAY_TEST_BACKOFF_BASE_MS);
  const cap = Number(env.SESSION_RELAY_TEST_BACKOFF_CAP_MS);
  return base > 0 && cap > 0 ? { baseMs: base, capMs: cap } : undefined;
}

function buildPipeline(dest: Destinations, idle: number, io: CliIo, extraSecrets: string[] = []) {
  const logger = stderrLogger(io);
  const remote = dest.remote;
  const secrets = [...extraSecrets, ...(remote?.token ? [remote.token] : []), ...(remote?.githubToken ? [remote.githubToken] : [])];
  const redactor = createRedactor({
    dynamicSecrets: [...secretValuesFromEnv(io.env), ...secrets],
    onProblem: (message) => logger.warn(message),
  });
  const sinks: EventSink[] = dest.out !== undefined ? [new FileSink(dest.out, logger)] : [];
  const destinations: Destination[] = [];
  let githubIds: GithubIds | undefined;
  if (remote) {
    githubIds = new GithubIds({
      apiBaseUrl: remote.githubApi,
      tokenProvider: () => Promise.resolve(remote.githubToken),
      cacheFile: path.join(dest.stateDir, 'github-ids.json'),
      logger,
    });
    destinations.push(
      new SessionsApiDestination({
        endpoint: remote.endpoint,
        tokenProvider: () => Promise.resolve(remote.token),
        stateDir: dest.stateDir,
        githubIds,
        logger,
        maxSpoolBytes: dest.spoolMaxBytes,
        backoff: backoffFromEnv(io.env),
        onStateChange: (state) => {
          if (state === 'paused-auth') logger.warn('sessions-api: 401 from the service: check --token; events stay in the spool');
          if (state === 'github-auth') logger.warn('GitHub API refused the token: check --github-token; events stay in the spool');
        },
      }),
    );
  }
  const pipeline = new RelayPipeline(
    { sinks, destinations, redactor, logger, gate: fixedLevelGate(remote?.consent ?? 'local') },
    { producerVersion: PRODUCT_VERSION, idleMs: idle },
  );
  const dispose = async () => {
    await githubIds?.dispose();
  };
  return { pipeline, logger, redactor, dispose };
}

/** Losses that make the run a failure (refusals by policy or a missing repository are decisions). */
function lost(d: AccountingSnapshot): number {
  return (d.dropped['sink-error'] ?? 0) + (d.dropped.shutdown ?? 0) + (d.dropped['spool-full'] ?? 0) + (d.dropped['dead-letter'] ?? 0) + (d.dropped['spool-damaged'] ?? 0);
}

function describeDestination(d: AccountingSnapshot): string {
  const dropped = Object.entries(d.dropped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return (
    `${d.destination}: ${d.received} received, ${d.delivered} delivered, ${d.pending} pending` +
    (d.destination === 'sessions-api' && d.pending > 0 ? ' (kept in the spool for the next run)' : '') +
    `, ${totalDropped(d)} dropped${dropped ? ` (${dropped})` : ''}`
  );
}

async function runImport(files: string[], values: Values, io: CliIo): Promise<number> {
  const dest = destinationsOf(values, io.env);
  const { pipeline, dispose } = buildPipeline(dest, idleMs(values['idle-minutes']), io);
  let failed = false;
  let spans = 0;
  try {
    for (const file of files) {
      try {
        const result = await importSpanFile(path.resolve(file), (batch) => {
          for (const span of batch) {
            pipeline.processor.onEnd(span);
          }
        });
        spans += result.spans;
        for (const problem of result.problems) {
          failed = true;
          io.stderr.write(`${file}:${problem.line}: ${problem.message}\n`);
        }
      } catch (err) {
        failed = true;
        io.stderr.write(`${file}: ${describeFileError(err)}\n`);
      }
    }
    pipeline.endSessions('import-end');
    await pipeline.flush();
  } finally {
    await pipeline.close(10_000);
    await dispose();
  }
  const status = pipeline.status().destinations;
  const file = status.find((d) => d.destination === 'file');
  const summary = file
    ? `${file.delivered} events written to ${dest.out}` + (totalDropped(file) > 0 ? `, ${totalDropped(file)} dropped` : '')
    : 'no local transcripts';
  io.stderr.write(`session-relay: imported ${spans} spans from ${files.length} file(s): ${summary}\n`);
  for (const d of status.filter((d) => d.destination !== 'file')) {
    io.stderr.write(`session-relay: ${describeDestination(d)}\n`);
  }
  const fileDropped = file ? totalDropped(file) : 0;
  return failed || fileDropped > 0 || status.some((d) => lost(d) > 0) ? EXIT_FAILURE : EXIT_OK;
}

async function runServe(values: Values, io: CliIo): Promise<number> {
  const port = values.port === undefined ? 4318 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number (got '${values.port}')`);
  }
  const token = values['receiver-token'] ?? io.env.SESSION_RELAY_RECEIVER_TOKEN ?? undefined;
  if (token !== undefined && token.length < 8) {
    throw new UsageError('--receiver-token must be at least 8 characters');
  }
  const dest = destinationsOf(values, io.env);
  const { pipeline, logger, redactor, dispose } = buildPipeline(dest, idleMs(values['idle-minutes']), io, token ? [token] : []);
  const target = () => ({
    accept: (spans: readonly ReadableSpan[]) => spans.forEach((span) => pipeline.processor.onEnd(span)),
    settled: pipeline.settled,
  });
  let intake: DurableIntake;
  try {
    // Spans a killed run had acknowledged come back first; the destinations deduplicate by id.
    intake = await DurableIntake.open(path.join(dest.stateDir, 'journal'), redactor, logger, target);
  } catch (err) {
    pipeline.dispose();
    await dispose();
    io.stderr.write(`session-relay: cannot open the span journal under ${dest.stateDir}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
  const receiver = new OtlpReceiver({
    port,
    host: '127.0.0.1',
    token,
    logger,
    // The 200 goes out only after this resolves: the spans are journaled (redacted) by then.
    onSpans: (spans) => intake.accept(spans),
  });
  let bound: number;
  try {
    bound = await receiver.start();
  } catch (err) {
    pipeline.dispose();
    await intake.close();
    await dispose();
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(
      code === 'EADDRINUSE'
        ? `session-relay: port ${port} on 127.0.0.1 is already in use (another receiver running? pick one with --port)\n`
        : `session-relay: cannot listen on 127.0.0.1:${port}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return EXIT_FAILURE;
  }
  const where = [dest.out !== undefined ? `writing to ${dest.out}` : '', dest.remote ? `sending to ${dest.remote.endpoint}` : '']
    .filter(Boolean)
    .join(', ');
  io.stderr.write(`session-relay: receiving OTLP/HTTP on http://127.0.0.1:${bound} (POST /v1/traces), ${where}\n`);
  const signal = await io.stopSignal();
  io.stderr.write(`session-relay: ${signal}: stopping, flushing open sessions\n`);
  await receiver.close();
  await pipeline.close(dest.remote ? 2_000 : 10_000);
  await intake.close();
  await dispose();
  const status = pipeline.status().destinations;
  for (const d of status) {
    io.stderr.write(`session-relay: ${describeDestination(d)}\n`);
  }
  io.stderr.write(`session-relay: status ${JSON.stringify(status)}\n`);
  const file = status.find((d) => d.destination === 'file');
  return (file && totalDropped(file) > 0) || status.some((d) => lost(d) > 0) ? EXIT_FAILURE : EXIT_OK;
}

async function runRedact(io: CliIo): Promise<number> {
  const redactor = createRedactor({ dynamicSecrets: secretValuesFromEnv(io.env), onProblem: (m) => io.stderr.write(`[warn] ${m}\n`) });
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  const text = Buffer.concat(chunks).toString('utf8');
  await new Promise<void>((resolve, reject) => io.stdout.write(redactor.redact(text), (err) => (err ? reject(err) : resolve())));
  return EXIT_OK;
}

function describeFileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return 'no such file';
  }
  if (code === 'EISDIR') {
    return 'is a directory, not a file';
  }
  if (code === 'EACCES') {
    return 'permission denied';
  }
  return err instanceof Error ? err.message : String(err);
}

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stopSignal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`session-relay: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
