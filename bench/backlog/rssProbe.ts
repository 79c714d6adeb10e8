/**
 * Resident memory of this process against its idle level. The idle level is read after a full
 * collection (the worker runs with --expose-gc) once the same modules are loaded and a warm-up has
 * run, so what follows counts only what the backlog adds. The peak is sampled on a timer and at
 * every explicit `sample()` (the feeder calls it between sessions: a busy event loop would delay
 * the timer exactly when memory is highest).
 */
const MB = 1024 * 1024;

export class RssProbe {
  private readonly idle: number;
  private readonly idleHeap: number;
  private peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 20) {
    collectGarbage();
    this.idle = process.memoryUsage.rss();
    this.idleHeap = process.memoryUsage().heapUsed;
    this.peak = this.idle;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** The peak since the last reading and the current level, as growth over idle in MB; restarts the peak. */
  reading(): { peakGrowthMB: number; currentGrowthMB: number } {
    this.sample();
    const current = process.memoryUsage.rss();
    const out = { peakGrowthMB: (this.peak - this.idle) / MB, currentGrowthMB: (current - this.idle) / MB };
    this.peak = current;
    return out;
  }

  /** Growth that survives a full collection: what is really held, garbage aside. */
  settledGrowthMB(): number {
    collectGarbage();
    return (process.memoryUsage.rss() - this.idle) / MB;
  }

  /** Live JS heap growth over idle (call after `settledGrowthMB`, which collects first). */
  heapGrowthMB(): number {
    return (process.memoryUsage().heapUsed - this.idleHeap) / MB;
  }

  get idleMB(): number {
    return this.idle / MB;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Two full collections (the second one frees what finalizers of the first released). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('backlog bench: the worker must run with --expose-gc');
  gc();
  gc();
}
