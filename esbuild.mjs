// Bundles the extension and the command-line tool into dist/ (one file each, dependencies inlined,
// so the VSIX ships without node_modules). `--production` minifies and writes external source maps
// (kept out of the VSIX by .vscodeignore); `--watch` rebuilds on change.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--outdir=DIR` builds elsewhere (the packaging test builds into a scratch copy of the project).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

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
};

const builds = [
  // `vscode` only exists inside the extension host; everything else is bundled.
  { ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] },
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
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
