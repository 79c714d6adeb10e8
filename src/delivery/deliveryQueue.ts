import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import type { RoutedEvent } from '../sessions/sessionEvent';
import type { EventSink } from '../sinks/eventSink';
import type { Accounting, DropReason } from './accounting';

export interface DeliveryQueueOptions {
  /** Above this many waiting events the queue drains on the fast cadence (SPEC §8). */
  readonly softCap: number;
  /** Cadence while events wait: batches a turn's burst into one write without making anyone wait. */
  readonly intervalMs: number;
  /** Cadence above the soft cap: drain faster than a busy agent produces. */
  readonly fastIntervalMs: number;
  /** Upper bound of one delivery call, so one slow batch never holds everything. */
  readonly maxBatchEvents: number;
  /** First wait after a failed delivery; doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryQueueOptions = {
  softCap: 500,
  intervalMs: 500,
  fastIntervalMs: 200,
  maxBatchEvents: 500,
  retryDelayMs: 500,
  maxRetryDelayMs: 30_000,
};

/**
 * The in-memory stage between the session tracker and one destination. Owns the adaptive flush
 * timer: armed only while events wait (no timer runs when idle), fast above the soft cap, backed off
 * after a failed delivery, bypassed when a session ends. One delivery is in flight at a time, so
 * events of a session reach the destination in the order they were produced.
 */
export class DeliveryQueue implements Disposable {
  private readonly queue: RoutedEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private inFlightCount = 0;
  private failures = 0;
  private disposed = false;

  constructor(
    private readonly sink: EventSink,
    private readonly accounting: Accounting,
    private readonly logger: Logger,
    private readonly options: DeliveryQueueOptions = DEFAULT_DELIVERY_OPTIONS,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  pendingBySession(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { sessionId } of this.queue) {
      counts.set(sessionId, (counts.get(sessionId) ?? 0) + 1);
    }
    return counts;
  }

  /** True while a flush timer is armed — for the "no timer when idle" rule. */
  get timerArmed(): boolean {
    return this.timer !== undefined;
  }

  enqueue(events: readonly RoutedEvent[], urgent = false): void {
    if (this.disposed || events.length === 0) {
      return;
    }
    this.accounting.accept(events.length);
    for (const e of events) {
      this.queue.push(e);
    }
    if (urgent) {
      void this.flush().catch(() => undefined);
    } else {
      this.schedule();
    }
  }

  /**
   * Removes the queued (not yet in flight) events of the sessions `drop` picks — consent was
   * revoked — and counts them. Returns how many went.
   */
  discard(drop: (sessionId: string) => boolean, reason: DropReason): number {
    const inFlight = this.inFlight ? this.inFlightCount : 0;
    const kept = this.queue.slice(0, inFlight);
    let removed = 0;
    for (const e of this.queue.slice(inFlight)) {
      if (drop(e.sessionId)) {
        removed++;
      } else {
        kept.push(e);
      }
    }
    if (removed > 0) {
      this.queue.splice(0, this.queue.length, ...kept);
      this.accounting.markDropped(removed, reason);
    }
    return removed;
  }

  /** Delivers everything waiting now; resolves when the queue is empty or a delivery failed. */
  async flush(): Promise<void> {
    while (this.inFlight) {
      await this.inFlight.catch(() => undefined);
    }
    this.clearTimer();
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.maxBatchEvents);
      this.inFlightCount = batch.length;
      this.inFlight = this.deliver(batch);
      try {
        await this.inFlight;
      } catch (err) {
        this.failures++;
        this.logger.warn(`${this.sink.name}: delivery of ${batch.length} events failed (${describe(err)}); retrying`);
        this.schedule();
        throw err;
      } finally {
        this.inFlight = undefined;
      }
      this.failures = 0;
      this.queue.splice(0, batch.length);
      this.accounting.markDelivered(batch.length);
    }
  }

  /**
   * Final flush with a time budget (SPEC §8: 2 s at shutdown). What cannot be delivered in time
   * is counted as dropped for shutdown — the durable spool (a later stage) takes it over instead.
   */
  async close(budgetMs: number): Promise<void> {
    const budget = new Promise<'timeout'>((resolve) => setTimeout(resolve, budgetMs, 'timeout').unref());
    const result = await Promise.race([this.flush().then(() => 'done' as const, () => 'failed' as const), budget]);
    this.dispose();
    if (this.queue.length > 0) {
      this.logger.warn(`${this.sink.name}: ${this.queue.length} events could not be delivered before shutdown (${result})`);
      this.accounting.markDropped(this.queue.length, 'shutdown');
      this.queue.length = 0;
    }
    await this.sink.close();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  private async deliver(batch: RoutedEvent[]): Promise<void> {
    await this.sink.deliver(batch);
  }

  private schedule(): void {
    if (this.timer || this.disposed || this.queue.length === 0) {
      return;
    }
    const delay =
      this.failures > 0
        ? Math.min(this.options.maxRetryDelayMs, this.options.retryDelayMs * 2 ** (this.failures - 1))
        : this.queue.length > this.options.softCap
          ? this.options.fastIntervalMs
          : this.options.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, delay);
    // A pending flush must not keep a CLI process alive on its own; shutdown paths flush explicitly.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
