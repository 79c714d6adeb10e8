import type { Clock } from './clock';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (SPEC §8: 5). */
  readonly threshold: number;
  /** First wait before a half-open probe (1 s), doubled after each failed probe up to `maxOpenMs`. */
  readonly initialOpenMs: number;
  readonly maxOpenMs: number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { threshold: 5, initialOpenMs: 1_000, maxOpenMs: 30_000 };

/**
 * One per destination. While the service is down, requests stop instead of piling up retries;
 * after the open period exactly one probe goes out, and its result closes or re-opens the circuit.
 */
export class CircuitBreaker {
  private failures = 0;
  private openMs: number;
  private openUntil = 0;
  private current: BreakerState = 'closed';
  private probing = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER,
  ) {
    this.openMs = options.initialOpenMs;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() >= this.openUntil) return 'half-open';
    return this.current;
  }

  /**
   * When a request may next be tried: now when closed, the end of the open period when open, and
   * never while a probe is out (its result decides; callers wake up on it).
   */
  get retryAt(): number {
    if (this.probing) return Infinity;
    return this.current === 'open' ? this.openUntil : this.clock.now();
  }

  /** Asks to send one request; in half-open only a single probe at a time is allowed. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.current = 'half-open';
    this.probing = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
    this.openMs = this.options.initialOpenMs;
  }

  onFailure(): void {
    if (this.current === 'half-open') {
      // The probe failed: wait twice as long before the next one.
      this.probing = false;
      this.openMs = Math.min(this.options.maxOpenMs, this.openMs * 2);
      this.open();
      return;
    }
    this.failures++;
    if (this.current === 'closed' && this.failures >= this.options.threshold) {
      this.openMs = this.options.initialOpenMs;
      this.open();
    }
  }

  /** A request that ended without telling anything about the service (e.g. aborted at shutdown). */
  release(): void {
    if (this.current === 'half-open') this.probing = false;
  }

  private open(): void {
    this.current = 'open';
    this.openUntil = this.clock.now() + this.openMs;
  }
}
