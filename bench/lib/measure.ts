/**
 * Timing helpers shared by every benchmark. Machines running the bench are noisy, so a figure is
 * always measured several times, interleaved with its baseline (a slow moment hurts both alike),
 * and reported as min/median/max; ratios are taken between medians.
 */
export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number, samples };
}

/** Milliseconds one call of `fn` takes. */
export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs `ours` and `baseline` alternately: `warmup` rounds unmeasured (JIT, caches), then `runs`
 * measured rounds. Returns milliseconds per round for each.
 */
export function interleaved(ours: () => void, baseline: () => void, runs: number, warmup = 2): { ours: number[]; baseline: number[] } {
  for (let i = 0; i < warmup; i++) {
    ours();
    baseline();
  }
  const o: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first so neither always runs on a warmer machine.
    if (i % 2 === 0) {
      o.push(timeMs(ours));
      b.push(timeMs(baseline));
    } else {
      b.push(timeMs(baseline));
      o.push(timeMs(ours));
    }
  }
  return { ours: o, baseline: b };
}
