/**
 * Waits for an event with a deadline. The pipeline's own timers are unref'd (they must never keep a
 * CLI process alive), so a test awaiting them holds the event loop open with this ref'd deadline,
 * which also turns a missing event into a clear failure instead of a hang.
 */
export function within<T>(promise: Promise<T>, ms = 10_000, what = 'the expected event'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
