import type { DestinationScope } from '../delivery/exportGate';
import type { RoutedEvent } from '../sessions/sessionEvent';

/**
 * A destination (SPEC §9). `deliver` resolves once the batch is stored there; a rejection means
 * nothing in the batch may be counted as delivered. Events of one session arrive in order.
 */
export interface EventSink {
  readonly name: string;
  /** Whether events leave the machine: decides which consent levels let them through. */
  readonly scope: DestinationScope;
  deliver(batch: readonly RoutedEvent[]): Promise<void>;
  /** Makes what was delivered durable (fsync) and releases handles. */
  close(): Promise<void>;
}
