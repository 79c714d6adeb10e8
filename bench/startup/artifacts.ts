/**
 * What users install, built from scratch in a scratch folder: the production bundle
 * (`esbuild.mjs --production`, as `npm run package` builds it) and the VSIX (`vsce package`,
 * offline) — for Session Relay and for the hello-world baseline. The project's own dist/ is left
 * as it is: the tests use its development build.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BuiltExtension {
  /** The extension folder: package.json and dist/extension.js. */
  readonly dir: string;
  readonly bundleBytes: number;
  readonly vsixBytes: number;
}

export interface Artifacts {
  readonly relay: BuiltExtension;
  readonly hello: BuiltExtension;
  readonly buildMs: number;
  dispose(): void;
}

/** The VSIX rule of the project's .vscodeignore, for the baseline: the bundle and the manifest. */
const HELLO_IGNORE = '**\n!dist/extension.js\n!README.md\n!LICENSE\n!package.json\n';

function helloManifest(root: string): Record<string, unknown> {
  const ours = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return {
    name: 'hello-world',
    displayName: 'Hello World',
    description: 'The yo code sample: one command.',
    version: '0.0.1',
    publisher: 'bench',
    license: 'MIT',
    repository: ours.repository,
    engines: { vscode: (ours.engines as Record<string, string>).vscode },
    main: './dist/extension.js',
    activationEvents: ours.activationEvents,
    contributes: { commands: [{ command: 'helloWorld.helloWorld', title: 'Hello World' }] },
  };
}

function vsce(root: string, dir: string): number {
  const out = path.join(dir, '..', `${path.basename(dir)}.vsix`);
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], { cwd: dir, stdio: 'pipe' });
  return fs.statSync(out).size;
}

function bundleSize(dir: string): number {
  return fs.statSync(path.join(dir, 'dist', 'extension.js')).size;
}

export function buildArtifacts(root: string): Artifacts {
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-startup-'));

  const relay = path.join(scratch, 'relay');
  fs.mkdirSync(relay);
  for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore']) fs.copyFileSync(path.join(root, f), path.join(relay, f));
  fs.cpSync(path.join(root, 'media'), path.join(relay, 'media'), { recursive: true });
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production', `--outdir=${path.join(relay, 'dist')}`], { cwd: root, stdio: 'pipe' });

  const hello = path.join(scratch, 'hello');
  fs.mkdirSync(hello);
  fs.writeFileSync(path.join(hello, 'package.json'), JSON.stringify(helloManifest(root), null, 2));
  fs.writeFileSync(path.join(hello, 'README.md'), '# Hello World\n\nThe baseline of the start-up benchmark.\n');
  fs.writeFileSync(path.join(hello, '.vscodeignore'), HELLO_IGNORE);
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(hello, 'LICENSE'));
  // The same esbuild options as esbuild.mjs --production.
  execFileSync(
    path.join(root, 'node_modules', '.bin', 'esbuild'),
    [
      path.join(root, 'bench', 'startup', 'helloWorld', 'extension.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=cjs',
      '--minify',
      '--external:vscode',
      '--log-level=warning',
      `--outfile=${path.join(hello, 'dist', 'extension.js')}`,
    ],
    { cwd: root, stdio: 'pipe' },
  );

  return {
    relay: { dir: relay, bundleBytes: bundleSize(relay), vsixBytes: vsce(root, relay) },
    hello: { dir: hello, bundleBytes: bundleSize(hello), vsixBytes: vsce(root, hello) },
    buildMs: Date.now() - started,
    dispose: () => fs.rmSync(scratch, { recursive: true, force: true }),
  };
}
