/**
 * The two destinations the backlog is measured against: the real Sessions API destination (spool
 * on disk, scheduler, retries, breaker) pointed at a port nobody listens on, and the baseline — an
 * in-memory queue that simply holds every event, which is what the backlog would cost without the
 * spool.
 */
import { silentLogger } from '../../src/common/logger';
import type { Destination } from '../../src/delivery/destination';
import type { RoutedEvent } from '../../src/sessions/sessionEvent';
import { SessionsApiDestination } from '../../src/sinks/sessionsApiSink';

/** 1 GiB instead of the default 100 MiB bound: at the bound the oldest events go, by design. */
export const SPOOL_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * The Sessions API destination as `serve` builds it (src/cli.ts), with the retry backoff and the
 * breaker's open period capped at 1 s instead of 30 s: after 40 s of outage the production caps
 * would add up to a minute of waiting before the first probe, which says nothing about the drain.
 */
export function sessionsApiDestination(stateDir: string, port: number): SessionsApiDestination {
  return new SessionsApiDestination({
    endpoint: `http://127.0.0.1:${port}`,
    tokenProvider: () => Promise.resolve('bench-token'),
    stateDir,
    // Repository ids come from GitHub in production; a fixed answer keeps GitHub out of the bench.
    githubIds: { resolve: () => Promise.resolve({ kind: 'ok', ids: { ownerId: 11, repoId: 22 } }) },
    logger: silentLogger,
    maxSpoolBytes: SPOOL_MAX_BYTES,
    backoff: { baseMs: 100, capMs: 1_000 },
    breaker: { threshold: 5, initialOpenMs: 250, maxOpenMs: 1_000 },
  });
}

/** The baseline: every event held in a JS array, as an unbounded in-memory queue would. */
export class ArrayDestination implements Destination {
  readonly name = 'array';
  readonly scope = 'remote' as const;
  readonly held: RoutedEvent[] = [];

  enqueue(events: readonly RoutedEvent[]): void {
    for (const e of events) this.held.push(e);
  }
  discard(): number {
    return 0;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  markTruncated(): void {}
  status() {
    const n = this.held.length;
    return { destination: this.name, received: n, delivered: 0, pending: n, dropped: {}, truncated: 0 };
  }
  pendingBySession(): ReadonlyMap<string, number> {
    return new Map();
  }
  volatilePending(): number {
    return this.held.length;
  }
  dispose(): void {}
}
