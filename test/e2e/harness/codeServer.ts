import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

export interface Tools {
  node24: string;
  codeServerEntry: string;
  chromium: string | null;
}

/** Node 24 and code-server from the npm registry, into the git-ignored cache (test/e2e/install-tools.mjs). */
export function ensureTools(root: string): Tools {
  const out = execFileSync(process.execPath, [path.join(root, 'test', 'e2e', 'install-tools.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.toString().trim().split('\n').pop()!) as Tools;
}

export { freePort } from '../../support/freePort';

/** HOME and XDG_* in a temp folder: nothing of a run lands in the real home. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  for (const d of ['config', 'data', 'cache']) {
    fs.mkdirSync(path.join(home, d), { recursive: true });
  }
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    // Git in the workspace must not read the machine's global config either.
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

export function codeServerArgs(tools: Tools, dirs: { userData: string; extensions: string }): string[] {
  return [tools.codeServerEntry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

export function installExtension(tools: Tools, dirs: { userData: string; extensions: string }, vsix: string, env: NodeJS.ProcessEnv): void {
  execFileSync(tools.node24, [...codeServerArgs(tools, dirs), '--install-extension', vsix], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface RunningCodeServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Kills code-server's whole process group (its extension host lingers otherwise). */
  stop(): Promise<void>;
}

export async function startCodeServer(
  tools: Tools,
  dirs: { userData: string; extensions: string; config: string; log: string },
  workspace: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<RunningCodeServer> {
  fs.writeFileSync(dirs.config, '');
  const logFd = fs.openSync(dirs.log, 'a');
  const child = spawn(
    tools.node24,
    [
      ...codeServerArgs(tools, dirs),
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--config',
      dirs.config,
      // Without it VS Code 1.139 ignores the test payload in a built product.
      '--vscode-option',
      'enable-smoke-test-driver',
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup(child.pid!, 'SIGKILL');
      return;
    }
    killGroup(child.pid!, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
    await Promise.race([exited, timer]);
    // Whatever is left of the group (extension host, helpers) goes too.
    killGroup(child.pid!, 'SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  while (!(await healthy(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not come up (see ${dirs.log})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, process: child, stop };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}
