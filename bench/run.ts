/**
 * `npm run bench`: runs every benchmark, prints one table, writes bench/results.json, and exits 1
 * when a row misses its target. Each benchmark is a module returning rows (see lib/report.ts);
 * add one by appending it to BENCHMARKS.
 */
import * as path from 'node:path';
import { Benchmark, Row, formatTable, writeResults } from './lib/report';
import { redactionBenchmark } from './redaction/redactionBench';

const BENCHMARKS: readonly Benchmark[] = [redactionBenchmark];

async function main(): Promise<void> {
  const started = Date.now();
  const only = process.argv.slice(2);
  const rows: Row[] = [];
  for (const b of BENCHMARKS) {
    if (only.length > 0 && !only.includes(b.name)) continue;
    process.stderr.write(`bench: ${b.name}…\n`);
    rows.push(...(await b.run()));
  }
  const duration = Date.now() - started;
  process.stdout.write(formatTable(rows) + '\n');
  // The bundle runs from out/bench/, the results belong next to the sources in bench/.
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  writeResults(file, rows, duration);
  process.stdout.write(`\n${rows.filter((r) => r.pass).length}/${rows.length} rows pass, ${(duration / 1000).toFixed(1)} s → ${path.relative(process.cwd(), file)}\n`);
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
