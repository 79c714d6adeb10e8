import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Disposable } from './common/disposable';
import type { Logger } from './common/logger';
import type { AccountingSnapshot } from './delivery/accounting';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryQueueOptions } from './delivery/deliveryQueue';
import type { Destination } from './delivery/destination';
import { QueueDestination } from './delivery/queueDestination';
import { allows, fixedLevelGate, type ExportGate, type SessionContext } from './delivery/exportGate';
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
  /** Simple destinations (the file sink), each behind an in-memory delivery queue. */
  readonly sinks: readonly EventSink[];
  /** Destinations with their own delivery machinery: `createSessionsApiSink(...)`. */
  readonly destinations?: readonly Destination[];
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** Consent per session's repository; without one, everything is exported locally only. */
  readonly gate?: ExportGate;
}

/**
 * Events of sessions nobody has decided on yet wait in memory (SPEC §5.2). Bounded: past this the
 * oldest waiting events are dropped and counted, so an unanswered prompt cannot exhaust memory.
 */
const MAX_EVENTS_AWAITING_CONSENT = 10_000;

export interface PipelineStatus {
  readonly destinations: AccountingSnapshot[];
  readonly spansWaitingForTurn: number;
  readonly duplicateSpans: number;
  readonly spansWithoutSession: number;
  readonly openSessions: number;
  /** Events held until their repository's consent is decided. */
  readonly awaitingConsent: number;
  /** Sessions with events not yet delivered, most first (at most 20). */
  readonly pendingSessions: ReadonlyArray<{ readonly destination: string; readonly sessionId: string; readonly pending: number }>;
  /** Events never exported: consent `none`, or never answered. */
  readonly withheld: { readonly noConsent: number; readonly unanswered: number };
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
  private readonly destinations: Destination[];
  private readonly gate: ExportGate;
  private readonly gateSubscription: Disposable;
  private readonly contexts = new Map<string, SessionContext>();
  private readonly awaiting = new Map<string, RoutedEvent[]>();
  private awaitingCount = 0;
  private noConsent = 0;
  private unanswered = 0;
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
    this.destinations = [
      ...deps.sinks.map((sink) => new QueueDestination(sink, deps.logger, deliveryOptions)),
      ...(deps.destinations ?? []),
    ];
    this.gate = deps.gate ?? fixedLevelGate('local');
    for (const d of this.destinations) {
      d.useConsent?.((session) => this.gate.levelFor(session));
    }
    this.gateSubscription = this.gate.onDidChange(() => this.reconsider());
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
    await Promise.all(this.destinations.map((d) => d.flush()));
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
      destinations: this.destinations.map((d) => d.status()),
      spansWaitingForTurn: this.assembler.pendingSpans,
      duplicateSpans: this.assembler.duplicateSpans,
      spansWithoutSession: this.tracker.droppedSpans,
      openSessions: this.tracker.openSessions,
      awaitingConsent: this.awaitingCount,
      withheld: { noConsent: this.noConsent, unanswered: this.unanswered },
      pendingSessions: this.destinations
        .flatMap((d) => [...d.pendingBySession()].map(([sessionId, pending]) => ({ destination: d.name, sessionId, pending })))
        .sort((a, b) => b.pending - a.pending)
        .slice(0, 20),
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
    this.gateSubscription.dispose();
    // Never answered: these were never exported, and are counted as such.
    this.unanswered += this.awaitingCount;
    this.awaiting.clear();
    this.awaitingCount = 0;
    await Promise.all(this.destinations.map((d) => d.close(budgetMs)));
    for (const d of this.status().destinations) {
      const dropped = Object.entries(d.dropped)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      this.deps.logger.info(
        `${d.destination}: received ${d.received} = delivered ${d.delivered} + pending ${d.pending} + dropped ${dropped || '0'}`,
      );
    }
  }

  /**
   * True when every span accepted so far has become events that are delivered or journaled: no
   * turn waits for its root, no session is open, nothing waits for consent and no destination holds
   * events only in memory. The span journal may then be released (SPEC §8).
   */
  get settled(): boolean {
    return (
      this.assembler.pendingSpans === 0 &&
      this.tracker.openSessions === 0 &&
      this.awaitingCount === 0 &&
      this.destinations.every((d) => d.volatilePending() === 0)
    );
  }

  dispose(): void {
    this.closed = true;
    this.gateSubscription.dispose();
    this.assembler.dispose();
    this.tracker.dispose();
    for (const d of this.destinations) {
      d.dispose();
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
      if (event.type === 'session.start') {
        const context = (event.data.context ?? {}) as { repository?: string | null; branch?: string | null };
        this.contexts.set(sessionId, { sessionId, repository: context.repository ?? null, branch: context.branch ?? null });
      }
    }
    for (const d of this.destinations) {
      if (truncated > 0) {
        d.markTruncated(truncated);
      }
    }
    const waiting = this.awaiting.get(sessionId);
    if (waiting) {
      // Order within a session is kept: nothing overtakes events already waiting.
      this.hold(sessionId, waiting, routed);
      return;
    }
    this.dispatch(sessionId, routed);
  }

  private contextOf(sessionId: string): SessionContext {
    return this.contexts.get(sessionId) ?? { sessionId, repository: null, branch: null };
  }

  private dispatch(sessionId: string, routed: RoutedEvent[]): void {
    const level = this.gate.levelFor(this.contextOf(sessionId));
    if (level === undefined) {
      this.hold(sessionId, [], routed);
      return;
    }
    let delivered = false;
    const urgent = routed.some((e) => e.event.type === 'session.shutdown');
    const session = this.contextOf(sessionId);
    for (const d of this.destinations) {
      if (allows(level, d.scope)) {
        d.enqueue(routed, { urgent, session, level });
        delivered = true;
      }
    }
    if (!delivered) {
      this.noConsent += routed.length;
    }
  }

  private hold(sessionId: string, waiting: RoutedEvent[], routed: RoutedEvent[]): void {
    waiting.push(...routed);
    this.awaiting.set(sessionId, waiting);
    this.awaitingCount += routed.length;
    while (this.awaitingCount > MAX_EVENTS_AWAITING_CONSENT) {
      const [oldest] = this.awaiting.keys();
      const list = this.awaiting.get(oldest)!;
      list.shift();
      this.awaitingCount--;
      this.unanswered++;
      if (list.length === 0) {
        this.awaiting.delete(oldest);
      }
    }
  }

  /** A decision changed: waiting sessions move on or go, and revoked ones stop at once. */
  private reconsider(): void {
    for (const [sessionId, waiting] of [...this.awaiting]) {
      if (this.gate.levelFor(this.contextOf(sessionId)) !== undefined) {
        this.awaiting.delete(sessionId);
        this.awaitingCount -= waiting.length;
        this.dispatch(sessionId, waiting);
      }
    }
    for (const d of this.destinations) {
      d.discard((sessionId) => {
        const level = this.gate.levelFor(this.contextOf(sessionId));
        return level !== undefined && !allows(level, d.scope);
      }, 'consent-revoked');
    }
  }
}
