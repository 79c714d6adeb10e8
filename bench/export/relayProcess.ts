/**
 * Ours, as a user runs it: `session-relay serve` (dist/cli.js) in its own process, receiving OTLP on
 * an ephemeral port and sending to the bench's Sessions API, with a fresh state directory so no run
 * inherits another's spool, id map or replay watermark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { childCpuMs } from './cpuTime';

export const SERVICE_TOKEN = 'bench-service-token-0123456789';
export const GITHUB_TOKEN = 'bench-github-token-9876543210';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface RelayOptions {
  /** dist/cli.js. */
  readonly cli: string;
  /** Base URL of the Sessions API, also used as the GitHub API (it answers /repos). */
  readonly endpoint: string;
  readonly stateDir: string;
  /** Node flags for the relay, e.g. `--cpu-prof` when profiling. */
  readonly nodeArgs?: readonly string[];
}

export class RelayProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** The OTLP/HTTP traces URL the relay listens on. */
    readonly tracesUrl: string,
    private readonly exited: Promise<number | null>,
    private readonly stderr: () => string,
  ) {}

  static async start(options: RelayOptions): Promise<RelayProcess> {
    fs.mkdirSync(options.stateDir, { recursive: true });
    const args = [
      ...(options.nodeArgs ?? []),
      options.cli,
      'serve',
      '--port',
      '0',
      '--endpoint',
      options.endpoint,
      '--token',
      SERVICE_TOKEN,
      '--consent',
      'user',
      '--state',
      options.stateDir,
      '--github-api',
      options.endpoint,
      '--github-token',
      GITHUB_TOKEN,
      // Sessions stay open through the run: session.shutdown is not part of what is timed.
      '--idle-minutes',
      '60',
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, XDG_STATE_HOME: options.stateDir },
      stdio: ['ignore', 'ignore', 'pipe'],
      // A profile (--cpu-prof) lands with the run's state, not in the repository.
      cwd: options.stateDir,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), START_TIMEOUT_MS);
      const onData = (): void => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
        if (!m) return;
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        resolve(Number(m[1]));
      };
      child.stderr!.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`relay exited early with ${code}: ${stderr}`));
      });
    });
    return new RelayProcess(child, `http://127.0.0.1:${port}/v1/traces`, exited, () => stderr);
  }

  /** CPU milliseconds the relay has used so far. */
  cpuMs(): number {
    return childCpuMs(this.child.pid!);
  }

  /** SIGTERM, as Ctrl-C would: the relay ends its sessions, flushes and exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await this.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`relay exited with ${code}: ${this.stderr().slice(-2000)}`);
  }

  /** What the relay wrote to stderr (warnings; the final status line). */
  log(): string {
    return this.stderr();
  }
}
