/**
 * For the benchmarks' local servers: resolves a wait once a count (events, spans) reaches a
 * target, or rejects at a deadline — a wait on the server's own progress, never a sleep.
 */
export class CountWaiter {
  private waiter: { readonly count: number; readonly resolve: () => void } | undefined;

  /** `current` reads the count; `what` names it in the timeout message ("events"). */
  constructor(
    private readonly current: () => number,
    private readonly describe: (count: number, timeoutMs: number) => string,
  ) {}

  wait(count: number, timeoutMs: number): Promise<void> {
    if (this.current() >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(this.describe(count, timeoutMs)));
      }, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        },
      };
    });
  }

  /** Call after the count grows. */
  update(): void {
    if (this.waiter !== undefined && this.current() >= this.waiter.count) this.waiter.resolve();
  }
}
