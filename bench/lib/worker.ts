/**
 * Benchmarks that must not share a process with the others (memory figures, a server under load,
 * a cold start) run a worker: the same bundle started again as `run.js --worker <name> [args…]`.
 * The worker writes one JSON value as the last line of its stdout; the parent parses it.
 */
import { spawn } from 'node:child_process';

export type WorkerMain = (args: readonly string[]) => Promise<unknown>;

export interface WorkerOptions {
  /** Extra node flags, e.g. `--expose-gc`. */
  readonly nodeArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts worker `name` of this bundle and resolves with the JSON value it printed last. */
export function runWorker<T>(name: string, args: readonly string[] = [], options: WorkerOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), __filename, '--worker', name, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: options.env ?? process.env,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench worker ${name} exited with ${code}`));
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`bench worker ${name} printed no result`));
      }
    });
  });
}
