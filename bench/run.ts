/**
 * `npm run bench`: runs every benchmark, prints one table, writes bench/results.json, and exits 1
 * when a row misses its target. Each benchmark is a module returning rows (see lib/report.ts);
 * add one by appending it to BENCHMARKS. `run.js a b` runs only benchmarks a and b;
 * `run.js --worker <name> …` is how lib/worker.ts starts a benchmark's separate process.
 */
import * as path from 'node:path';
import { Benchmark, Row, formatTable, writeResults } from './lib/report';
import { redactionBenchmark } from './redaction/redactionBench';
import { startupBenchmark } from './startup/startupBench';
import { exportBenchmark } from './export/exportBench';
import { backlogBenchmark } from './backlog/backlogBench';
import { intakeBenchmark } from './intake/intakeBench';
import { receiverBenchmark } from './receiver/receiverBench';

const BENCHMARKS: readonly Benchmark[] = [redactionBenchmark, startupBenchmark, exportBenchmark, backlogBenchmark, intakeBenchmark, receiverBenchmark];

async function runWorkerMain(name: string, args: readonly string[]): Promise<void> {
  const worker = BENCHMARKS.map((b) => b.workers?.[name]).find((w) => w !== undefined);
  if (worker === undefined) throw new Error(`no bench worker named ${name}`);
  const result = await worker(args);
  process.stdout.write('\n' + JSON.stringify(result) + '\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    await runWorkerMain(argv[1] ?? '', argv.slice(2));
    process.exit(0);
  }
  const started = Date.now();
  const only = argv;
  const rows: Row[] = [];
  for (const b of BENCHMARKS) {
    if (only.length > 0 && !only.includes(b.name)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${b.name}…\n`);
    rows.push(...(await b.run()));
    process.stderr.write(`bench: ${b.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
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
  process.exit(1);
});
