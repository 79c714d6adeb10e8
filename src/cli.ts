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
import { totalDropped } from './delivery/accounting';
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
  session-relay import <file…> [--out DIR]
      Import span files: Copilot Chat's OTel JSON-lines outfile, or OTLP JSON
      (one ExportTraceServiceRequest per line or per file). Re-importing never duplicates.
  session-relay serve [--port N] [--out DIR] [--token T]
      Run the OTLP/HTTP receiver on 127.0.0.1 (default port 4318, what Copilot Chat sends to).
      Stops cleanly on Ctrl-C / SIGTERM, ending open sessions and flushing.
  session-relay redact
      Copy standard input to standard output through the redactor.

Options:
  --out DIR            where transcripts go: DIR/<sessionId>.jsonl and DIR/<sessionId>.md
                       (default: $XDG_STATE_HOME/session-relay/sessions, or ~/.local/state/…)
  --port N             receiver port (default 4318; 0 picks a free one)
  --token T            require "Authorization: Bearer T" on every request
                       (or set SESSION_RELAY_RECEIVER_TOKEN)
  --idle-minutes N     end a session after N idle minutes (default 30)
  -h, --help           show this help
  -v, --version        print the version

Exit status: 0 success, 1 failure (some input could not be read), 2 usage error.
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
        rejectOptions(values, ['port', 'token']);
        return await runImport(rest, outDir(values.out, io.env), idleMs(values['idle-minutes']), io);
      case 'serve':
        if (rest.length > 0) {
          throw new UsageError(`serve takes no files (got '${rest[0]}')`);
        }
        return await runServe(values, io);
      case 'redact':
        if (rest.length > 0) {
          throw new UsageError('redact reads standard input and takes no arguments');
        }
        rejectOptions(values, ['port', 'token', 'out', 'idle-minutes']);
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
      'idle-minutes': { type: 'string' },
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

function buildPipeline(out: string, idle: number, io: CliIo, extraSecrets: string[] = []) {
  const logger = stderrLogger(io);
  const redactor = createRedactor({
    dynamicSecrets: [...secretValuesFromEnv(io.env), ...extraSecrets],
    onProblem: (message) => logger.warn(message),
  });
  const sink = new FileSink(out, logger);
  const pipeline = new RelayPipeline({ sinks: [sink], redactor, logger }, { producerVersion: PRODUCT_VERSION, idleMs: idle });
  return { pipeline, logger };
}

async function runImport(files: string[], out: string, idle: number, io: CliIo): Promise<number> {
  const { pipeline } = buildPipeline(out, idle, io);
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
  }
  const [file] = pipeline.status().destinations;
  io.stderr.write(
    `session-relay: imported ${spans} spans from ${files.length} file(s): ${file.delivered} events written to ${out}` +
      (totalDropped(file) > 0 ? `, ${totalDropped(file)} dropped` : '') +
      '\n',
  );
  return failed || totalDropped(file) > 0 ? EXIT_FAILURE : EXIT_OK;
}

async function runServe(values: Values, io: CliIo): Promise<number> {
  const port = values.port === undefined ? 4318 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number (got '${values.port}')`);
  }
  const token = values.token ?? io.env.SESSION_RELAY_RECEIVER_TOKEN ?? undefined;
  if (token !== undefined && token.length < 8) {
    throw new UsageError('--token must be at least 8 characters');
  }
  const out = outDir(values.out, io.env);
  const { pipeline, logger } = buildPipeline(out, idleMs(values['idle-minutes']), io, token ? [token] : []);
  const receiver = new OtlpReceiver({
    port,
    host: '127.0.0.1',
    token,
    logger,
    onSpans: (spans) => {
      for (const span of spans) {
        pipeline.processor.onEnd(span);
      }
    },
  });
  let bound: number;
  try {
    bound = await receiver.start();
  } catch (err) {
    pipeline.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(
      code === 'EADDRINUSE'
        ? `session-relay: port ${port} on 127.0.0.1 is already in use (another receiver running? pick one with --port)\n`
        : `session-relay: cannot listen on 127.0.0.1:${port}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stderr.write(`session-relay: receiving OTLP/HTTP on http://127.0.0.1:${bound} (POST /v1/traces), writing to ${out}\n`);
  const signal = await io.stopSignal();
  io.stderr.write(`session-relay: ${signal}: stopping, flushing open sessions\n`);
  await receiver.close();
  await pipeline.close(10_000);
  const [file] = pipeline.status().destinations;
  io.stderr.write(`session-relay: ${file.delivered} events written, ${file.pending} pending, ${totalDropped(file)} dropped\n`);
  return totalDropped(file) > 0 ? EXIT_FAILURE : EXIT_OK;
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
