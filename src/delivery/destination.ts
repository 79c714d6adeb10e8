import type { Disposable } from '../common/disposable';
import type { RoutedEvent } from '../sessions/sessionEvent';
import type { AccountingSnapshot, DropReason } from './accounting';
import type { ConsentLevel, DestinationScope, SessionContext } from './exportGate';

export interface EnqueueContext {
  /** A `session.shutdown` is among the events: deliver now, not on the next tick. */
  readonly urgent: boolean;
  /** The session's repository, as the pipeline knows it from `session.start`. */
  readonly session?: SessionContext;
  /** The consent level the gate gave — remote destinations send it as `indexing_level`. */
  readonly level?: ConsentLevel;
}

/**
 * A destination with its own delivery machinery, as the pipeline drives it: the in-memory
 * `DeliveryQueue` around a simple `EventSink`, or a remote destination with its own spool,
 * scheduler, retries and circuit breaker (the Sessions API).
 */
export interface Destination extends Disposable {
  readonly name: string;
  readonly scope: DestinationScope;
  enqueue(events: readonly RoutedEvent[], context: EnqueueContext): void;
  /** Drops waiting (not in-flight) events of the sessions `drop` picks; returns how many. */
  discard(drop: (sessionId: string) => boolean, reason: DropReason): number;
  flush(): Promise<void>;
  /** Final flush within the budget; what is left stays durable for the next start (or is counted). */
  close(budgetMs: number): Promise<void>;
  markTruncated(count: number): void;
  status(): AccountingSnapshot;
  /** Events not yet delivered, per session — for Show Status. */
  pendingBySession(): ReadonlyMap<string, number>;
  /** Events held only in memory (not yet journaled): while any exist, the span journal is kept. */
  volatilePending(): number;
  /**
   * Gives a destination that resumes events from an earlier run the consent seam, so a decision
   * revoked since then still applies to them. The pipeline calls it once.
   */
  useConsent?(levelFor: (session: SessionContext) => ConsentLevel | undefined): void;
}
