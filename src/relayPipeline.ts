import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Disposable } from './common/disposable';
import type { Logger } from './common/logger';
import { Accounting, type AccountingSnapshot } from './delivery/accounting';
import { DEFAULT_DELIVERY_OPTIONS, DeliveryQueue, type DeliveryQueueOptions } from './delivery/deliveryQueue';
import { RelaySpanProcessor } from './intake/spanProcessor';
import { toSpanRecord } from './intake/spanRecord';
import { redactDeep } from './redact/redactDeep';
import type { Redactor } from './redact/redactor';
import { capEventSize } from './sessions/eventSize';
import type { RoutedEvent, SessionEvent } from './sessions/sessionEvent';
import { SessionTracker, type ShutdownReason } from './sessions/tracker';
import { DEFAULT_TURN_ASSEMBLER_OPTIONS, TurnAssembler } from './sessions/turnAssembler';
import type { EventSink } from './sinks/eventSink';

export interface RelayPipelineOptions {
  readonly producerVersion: string;
  /** `sessionRelay.sessionIdleMinutes`, in milliseconds. */
  readonly idleMs: number;
  readonly turnTimeoutMs?: number;
  readonly tailDelayMs?: number;
  readonly delivery?: Partial<DeliveryQueueOptions>;
}

export interface RelayPipelineDeps {
  readonly sinks: readonly EventSink[];
  readonly redactor: Redactor;
  readonly logger: Logger;
}

export interface PipelineStatus {
  readonly destinations: AccountingSnapshot[];
  readonly spansWaitingForTurn: number;
  readonly duplicateSpans: number;
  readonly spansWithoutSession: number;
  readonly openSessions: number;
}

/**
 * The exporter core shared by the extension and the command-line tool (SPEC §1): spans in through
 * the RelaySpanProcessor, then turn assembly, the session tracker, translation, redaction, the
 * size cap and one delivery queue per destination. It knows nothing of VS Code.
 */
export class RelayPipeline implements Disposable {
  readonly processor: RelaySpanProcessor;
  private readonly assembler: TurnAssembler;
  private readonly tracker: SessionTracker;
  private readonly queues: Array<{ queue: DeliveryQueue; accounting: Accounting }>;
  private closed = false;

  constructor(
    private readonly deps: RelayPipelineDeps,
    options: RelayPipelineOptions,
  ) {
    this.processor = new RelaySpanProcessor((spans) => this.acceptSpans(spans));
    this.tracker = new SessionTracker((sessionId, events) => this.route(sessionId, events), {
      idleMs: options.idleMs,
      producerVersion: options.producerVersion,
      redactor: deps.redactor,
    });
    this.assembler = new TurnAssembler((turn) => this.tracker.acceptTurn(turn), {
      turnTimeoutMs: options.turnTimeoutMs ?? DEFAULT_TURN_ASSEMBLER_OPTIONS.turnTimeoutMs,
      tailDelayMs: options.tailDelayMs ?? DEFAULT_TURN_ASSEMBLER_OPTIONS.tailDelayMs,
    });
    const deliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...options.delivery };
    this.queues = deps.sinks.map((sink) => {
      const accounting = new Accounting(sink.name);
      return { queue: new DeliveryQueue(sink, accounting, deps.logger, deliveryOptions), accounting };
    });
  }

  /** Finished spans from any intake; normally reached through `processor.onEnd`. */
  acceptSpans(spans: readonly ReadableSpan[]): void {
    if (this.closed) {
      return;
    }
    for (const span of spans) {
      this.assembler.add(toSpanRecord(span));
    }
  }

  /** Delivers everything translated so far (the "Flush Now" command). */
  async flush(): Promise<void> {
    await this.processor.forceFlush();
    await Promise.all(this.queues.map(({ queue }) => queue.flush()));
  }

  /**
   * Emits turns still waiting for their root and ends every open session — at the end of an import
   * (`import-end`) or when VS Code or `serve` stops (`closed`).
   */
  endSessions(reason: ShutdownReason): void {
    this.processor.forceFlush();
    this.assembler.flushAll();
    this.tracker.shutdownAll(reason);
  }

  status(): PipelineStatus {
    return {
      destinations: this.queues.map(({ accounting }) => accounting.snapshot()),
      spansWaitingForTurn: this.assembler.pendingSpans,
      duplicateSpans: this.assembler.duplicateSpans,
      spansWithoutSession: this.tracker.droppedSpans,
      openSessions: this.tracker.openSessions,
    };
  }

  /** Ends sessions, flushes within the budget (SPEC §8: 2 s) and closes the destinations. */
  async close(budgetMs = 2_000): Promise<void> {
    if (this.closed) {
      return;
    }
    this.endSessions('closed');
    this.closed = true;
    await this.processor.shutdown();
    this.assembler.dispose();
    this.tracker.dispose();
    await Promise.all(this.queues.map(({ queue }) => queue.close(budgetMs)));
  }

  dispose(): void {
    this.closed = true;
    this.assembler.dispose();
    this.tracker.dispose();
    for (const { queue } of this.queues) {
      queue.dispose();
    }
  }

  private route(sessionId: string, events: SessionEvent[]): void {
    const routed: RoutedEvent[] = [];
    let truncated = 0;
    for (const event of events) {
      // Redaction first, then the size cap: a cut must never leave half a secret behind.
      const clean: SessionEvent = { ...event, data: redactDeep(event.data, this.deps.redactor) };
      if (clean.agentId) {
        clean.agentId = this.deps.redactor.redact(clean.agentId);
      }
      const capped = capEventSize(clean);
      truncated += capped.truncated > 0 ? 1 : 0;
      routed.push({ sessionId, event: capped.event });
    }
    const urgent = events.some((e) => e.type === 'session.shutdown');
    for (const { queue, accounting } of this.queues) {
      queue.enqueue(routed, urgent);
      if (truncated > 0) {
        accounting.markTruncated(truncated);
      }
    }
  }
}
