import type { Logger } from '../common/logger';
import type { RoutedEvent } from '../sessions/sessionEvent';
import type { EventSink } from '../sinks/eventSink';
import { Accounting, type AccountingSnapshot, type DropReason } from './accounting';
import type { Destination, EnqueueContext } from './destination';
import { DeliveryQueue, type DeliveryQueueOptions } from './deliveryQueue';

/** A simple `EventSink` (the file sink) behind the in-memory `DeliveryQueue`, as a `Destination`. */
export class QueueDestination implements Destination {
  readonly accounting: Accounting;
  readonly queue: DeliveryQueue;

  constructor(
    readonly sink: EventSink,
    logger: Logger,
    options: DeliveryQueueOptions,
  ) {
    this.accounting = new Accounting(sink.name);
    this.queue = new DeliveryQueue(sink, this.accounting, logger, options);
  }

  get name(): string {
    return this.sink.name;
  }

  get scope() {
    return this.sink.scope;
  }

  enqueue(events: readonly RoutedEvent[], context: EnqueueContext): void {
    this.queue.enqueue(events, context.urgent);
  }

  discard(drop: (sessionId: string) => boolean, reason: DropReason): number {
    return this.queue.discard(drop, reason);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  close(budgetMs: number): Promise<void> {
    return this.queue.close(budgetMs);
  }

  markTruncated(count: number): void {
    this.accounting.markTruncated(count);
  }

  status(): AccountingSnapshot {
    return this.accounting.snapshot();
  }

  pendingBySession(): ReadonlyMap<string, number> {
    return this.queue.pendingBySession();
  }

  /** Events that live only in memory here (nothing of this queue is journaled). */
  volatilePending(): number {
    return this.queue.pending;
  }

  dispose(): void {
    this.queue.dispose();
  }
}
