/**
 * The shared result format: every benchmark returns rows, the runner prints them as one table and
 * writes them to bench/results.json. A row compares our figure with a baseline measured in the
 * same run; `higherIsBetter` says which way the ratio must point to meet the target.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Summary } from './measure';

export interface Row {
  /** What is measured, e.g. "redaction throughput". */
  readonly figure: string;
  /** Unit of ours and baseline, e.g. "MB/s". */
  readonly unit: string;
  readonly ours: Summary;
  /** What the baseline is, e.g. "21 regexes one at a time". */
  readonly baselineName: string;
  readonly baseline: Summary;
  /** Median of ours over median of baseline (or the inverse when lower is better). */
  readonly ratio: number;
  /** Human-readable target, e.g. "≥ 5×". */
  readonly target: string;
  readonly pass: boolean;
  /** Anything a reader needs to interpret the row (workload size, runs). */
  readonly notes?: string;
}

export interface Benchmark {
  readonly name: string;
  run(): Row[] | Promise<Row[]>;
  /** Entry points run in their own process by lib/worker.ts `runWorker(name)`. */
  readonly workers?: Readonly<Record<string, (args: readonly string[]) => Promise<unknown>>>;
}

/** A row comparing ours with a baseline where a larger figure is better (throughput). */
export function ratioRow(
  figure: string,
  unit: string,
  ours: Summary,
  baselineName: string,
  baseline: Summary,
  minRatio: number,
  notes?: string,
): Row {
  const ratio = ours.median / baseline.median;
  return { figure, unit, ours, baselineName, baseline, ratio, target: `≥ ${minRatio}×`, pass: ratio >= minRatio, notes };
}

/**
 * A row where a smaller figure is better (cost, time, size): the ratio is ours over the baseline,
 * and the target is a ceiling on it.
 */
export function costRatioRow(
  figure: string,
  unit: string,
  ours: Summary,
  baselineName: string,
  baseline: Summary,
  maxRatio: number,
  notes?: string,
): Row {
  const ratio = ours.median / baseline.median;
  return { figure, unit, ours, baselineName, baseline, ratio, target: `≤ ${maxRatio}×`, pass: ratio <= maxRatio, notes };
}

/**
 * A row whose target is an absolute ceiling on our figure (activation time, bundle size, memory
 * growth). The baseline is still measured and shown for scale; the ratio is ours over it.
 */
export function limitRow(
  figure: string,
  unit: string,
  ours: Summary,
  baselineName: string,
  baseline: Summary,
  limit: number,
  notes?: string,
): Row {
  const ratio = baseline.median === 0 ? 0 : ours.median / baseline.median;
  return { figure, unit, ours, baselineName, baseline, ratio, target: `≤ ${fmt(limit)} ${unit}`, pass: ours.median <= limit, notes };
}

/**
 * A row whose target is an absolute floor on our figure (a rate users need). The baseline is
 * still measured and shown, with the ratio, for scale.
 */
export function floorRow(
  figure: string,
  unit: string,
  ours: Summary,
  baselineName: string,
  baseline: Summary,
  floor: number,
  notes?: string,
): Row {
  const ratio = baseline.median === 0 ? 0 : ours.median / baseline.median;
  return { figure, unit, ours, baselineName, baseline, ratio, target: `≥ ${fmt(floor)} ${unit}`, pass: ours.median >= floor, notes };
}

function fmt(n: number): string {
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function range(s: Summary): string {
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'ours median (min–max)', 'baseline median (min–max)', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    `${r.figure} [${r.unit}]`,
    range(r.ours),
    `${range(r.baseline)} ${r.baselineName}`,
    `${r.ratio.toFixed(2)}×`,
    r.target,
    r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ') + ' |';
  const rule = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
  const notes = rows.filter((r) => r.notes !== undefined).map((r) => `- ${r.figure}: ${r.notes}`);
  return [line(header), rule, ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

export function writeResults(file: string, rows: readonly Row[], durationMs: number): void {
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' };
  const data = { date: new Date().toISOString(), machine, durationMs: Math.round(durationMs), rows };
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
