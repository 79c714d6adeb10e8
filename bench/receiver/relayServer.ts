/**
 * The real receiver, as a user runs it: the production bundle `dist/cli.js serve` in its own
 * process — OTLP receiver, span journal (redacted, fsynced before each 200), pipeline and file
 * sink — on an ephemeral port, with its state and transcripts in a scratch directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RelayServer {
  readonly url: string;
  /** SIGTERM (a clean stop: sessions ended, events flushed); resolves with the events written. */
  stop(): Promise<{ delivered: number }>;
}

// The bench bundle runs from out/bench/; the CLI bundle `npm run bench` builds is dist/cli.js.
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const READY = /receiving OTLP\/HTTP on (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 15_000;

export function startRelayServer(): Promise<RelayServer> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--out', path.join(dir, 'out'), '--state', path.join(dir, 'state')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // No dynamic secrets from the bench's environment, no remote destination.
    env: { PATH: process.env.PATH, HOME: dir },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('serve did not start in time')), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      reject(new Error(`${err.message}\n${stderr}`));
    };
    child.once('exit', (code) => fail(new Error(`serve exited with ${code} before listening`)));
    const onData = (): void => {
      const url = READY.exec(stderr)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stderr?.removeListener('data', onData);
      resolve({ url, stop: () => stop(child, dir, () => stderr) });
    };
    child.stderr?.on('data', onData);
  });
}

async function stop(child: ChildProcess, dir: string, stderr: () => string): Promise<{ delivered: number }> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const code = await exited;
  fs.rmSync(dir, { recursive: true, force: true });
  // serve's last words: `session-relay: status [{"destination":"file","delivered":N,…}]`.
  const status = /session-relay: status (\[.*\])/.exec(stderr())?.[1];
  const file = status ? (JSON.parse(status) as Array<{ destination: string; delivered: number }>).find((d) => d.destination === 'file') : undefined;
  if (code !== 0 || !file) throw new Error(`serve stopped with ${code}:\n${stderr().slice(-2000)}`);
  return { delivered: file.delivered };
}
