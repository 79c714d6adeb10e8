/**
 * The retry table of SPEC §8: what one HTTP outcome means for the batch that caused it.
 * Pure: the destination acts on the verdict; timing comes from `backoffDelay` and `retryAfterMs`.
 */
export type Verdict =
  /** Stored (2xx) or already stored (409). */
  | { readonly kind: 'success' }
  /** Network error, timeout, 408/429/5xx: try the same batch again later. */
  | { readonly kind: 'retry'; readonly retryAfterMs?: number }
  /** 401: stop all remote export until the user signs in again. */
  | { readonly kind: 'unauthorized' }
  /** 403: this session is blocked by policy; local export continues. */
  | { readonly kind: 'forbidden' }
  /** 404 on events: the remote session is gone; create it again. */
  | { readonly kind: 'recreate' }
  /** 413: the batch is too large; split it. */
  | { readonly kind: 'split' }
  /** Any other 4xx: some event is unacceptable; bisect to find it and set it aside. */
  | { readonly kind: 'reject' };

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface Outcome {
  /** HTTP status, or undefined when no response came (network error, timeout). */
  readonly status?: number;
  /** The Retry-After header, if any. */
  readonly retryAfter?: string;
}

export function classify(outcome: Outcome, now: number): Verdict {
  const { status } = outcome;
  if (status === undefined) return { kind: 'retry' };
  if ((status >= 200 && status < 300) || status === 409) return { kind: 'success' };
  if (RETRYABLE_STATUSES.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfter(outcome.retryAfter, now);
    return retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs };
  }
  switch (status) {
    case 401:
      return { kind: 'unauthorized' };
    case 403:
      return { kind: 'forbidden' };
    case 404:
      return { kind: 'recreate' };
    case 413:
      return { kind: 'split' };
  }
  if (status >= 400 && status < 500) return { kind: 'reject' };
  // 1xx/3xx never reach here through undici without redirects; treat as transient.
  return { kind: 'retry' };
}

/** `Retry-After` as delta-seconds or an HTTP-date, in milliseconds from `now` (never negative). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))]. Full jitter
 * spreads the retries of many clients after an outage instead of having them return in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
