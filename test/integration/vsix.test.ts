import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zipEntries } from '../support/zipEntries';

const root = path.resolve(__dirname, '..', '..', '..');

test('the VSIX packages offline and holds only the bundles, media, README, LICENSE and the manifest', () => {
  // A scratch copy of the project, with the kinds of files that must stay out of the package.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-vsix-'));
  for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore']) {
    fs.copyFileSync(path.join(root, f), path.join(work, f));
  }
  fs.cpSync(path.join(root, 'media'), path.join(work, 'media'), { recursive: true });
  fs.cpSync(path.join(root, 'src'), path.join(work, 'src'), { recursive: true });
  fs.mkdirSync(path.join(work, 'node_modules', 'left-pad'), { recursive: true });
  fs.writeFileSync(path.join(work, 'node_modules', 'left-pad', 'index.js'), '');
  fs.writeFileSync(path.join(work, 'tsconfig.json'), '{}');

  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production', `--outdir=${path.join(work, 'dist')}`], { cwd: root, stdio: 'pipe' });
  assert.ok(fs.existsSync(path.join(work, 'dist', 'extension.js.map')), 'production source maps are written…');
  const out = path.join(work, 'session-relay.vsix');
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], {
    cwd: work,
    stdio: 'pipe',
  });
  const files = zipEntries(out)
    .filter((n) => n.startsWith('extension/'))
    .map((n) => n.slice('extension/'.length))
    .sort();
  // …but not shipped; neither are sources, node_modules or config.
  // The walkthrough's media must ship with it (contributes.walkthroughs points at them).
  assert.deepEqual(files, [
    'LICENSE.txt',
    'dist/cli.js',
    'dist/extension.js',
    'dist/sessionsApi.js',
    'media/icon.png',
    'media/walkthrough/connect.md',
    'media/walkthrough/consent.md',
    'media/walkthrough/destinations.svg',
    'package.json',
    'readme.md',
  ]);
});
