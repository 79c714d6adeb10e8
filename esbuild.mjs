// Bundles the extension and the command-line tool into dist/ (dependencies inlined, so the VSIX
// ships without node_modules). `--production` minifies and writes external source maps (kept out
// of the VSIX by .vscodeignore); `--watch` rebuilds on change. `--metafile` writes
// dist/<bundle>.meta.json (what each bundle holds, for https://esbuild.github.io/analyze/).
//
// The extension is two files: dist/extension.js, loaded at every VS Code start-up, and
// dist/sessionsApi.js — the Sessions API destination with its HTTP client (undici, about half the
// bytes) — which src/vscode/sessionsApiLoader.ts requires only once `sessionRelay.endpoint` is set.
// The CLI stays one file.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--outdir=DIR` builds elsewhere (the packaging test builds into a scratch copy of the project).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';
const metafile = process.argv.includes('--metafile');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? 'external' : 'inline',
  sourcesContent: !production,
  legalComments: production ? 'external' : 'inline',
  logLevel: 'warning',
  metafile,
};

/**
 * The extension's bundles prefer the ESM builds of dependencies (`module` before `main`): they
 * tree-shake far better (@opentelemetry/*, protobufjs). The CLI keeps esbuild's default.
 */
const extensionCommon = { ...common, mainFields: ['module', 'main'], external: ['vscode'] };

const builds = [
  // `vscode` only exists inside the extension host; everything else is bundled.
  { ...extensionCommon, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js` },
  // Loaded at run time by path (never inlined in extension.js): see src/vscode/sessionsApiLoader.ts.
  { ...extensionCommon, entryPoints: ['src/sinks/sessionsApiBundle.ts'], outfile: `${outdir}/sessionsApi.js` },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: `${outdir}/cli.js`,
    banner: { js: '#!/usr/bin/env node' },
  },
];

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('esbuild: watching src/ for changes');
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  if (metafile) {
    const { writeFileSync } = await import('node:fs');
    for (const [i, result] of results.entries()) {
      writeFileSync(builds[i].outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
    }
  }
}
