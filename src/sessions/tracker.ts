import type { Disposable } from '../common/disposable';
import type { Redactor } from '../redact/redactor';
import { EventIds } from './eventIds';
import { Attr, firstAttr, sessionIdOf } from './genAiAttributes';
import { IsoTimestamps } from './isoTimestamp';
import type { SessionEvent } from './sessionEvent';
import { translateTurn, type EventDraft } from './translate';
import type { Turn } from './turn';

export type ShutdownReason = 'idle' | 'closed' | 'import-end';

export interface SessionTrackerOptions {
  /** `sessionRelay.sessionIdleMinutes` in milliseconds. */
  readonly idleMs: number;
  readonly producerVersion: string;
  /**
   * The title is cut from the user's message: cutting first could leave the head of a secret the
   * detectors no longer recognise, so the message is redacted before it is cut.
   */
  readonly redactor: Redactor;
}

/** Where the tracker hands each turn's events, already chained and with their ids. */
export type SessionEventListener = (sessionId: string, events: SessionEvent[]) => void;

interface ModelTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  requests: number;
}

interface SessionState {
  readonly id: string;
  open: boolean;
  titled: boolean;
  lastEventId: string | null;
  lastSpanId: string;
  lastTimeMs: number;
  readonly usage: Map<string, ModelTotals>;
  idleTimer: NodeJS.Timeout | undefined;
}

const TITLE_LENGTH = 60;

/**
 * Session lifecycle (SPEC §4): resolves the session of each turn, emits `session.start` once,
 * chains every event to the previous one of its session, and ends idle sessions with their per-model
 * token totals. A session that gets spans after its shutdown reopens without a second start.
 */
export class SessionTracker implements Disposable {
  private readonly sessions = new Map<string, SessionState>();
  private readonly sessionOfTrace = new Map<string, string>();
  private readonly eventIds = new EventIds();
  private readonly timestamps = new IsoTimestamps();
  private orphanSpans = 0;

  constructor(
    private readonly listener: SessionEventListener,
    private readonly options: SessionTrackerOptions,
  ) {}

  /** Spans dropped because no session could ever be found for them. */
  get droppedSpans(): number {
    return this.orphanSpans;
  }

  get openSessions(): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      n += s.open ? 1 : 0;
    }
    return n;
  }

  acceptTurn(turn: Turn): void {
    const spans = turn.root && !turn.spans.includes(turn.root) ? [turn.root, ...turn.spans] : turn.spans;
    let sessionId = sessionIdOf(turn.root ? [turn.root, ...spans] : spans) ?? this.sessionOfTrace.get(turn.traceId);
    const state = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!state && !turn.root) {
      // Other spans alone do not start a session (SPEC §4).
      this.orphanSpans += turn.spans.length;
      return;
    }
    // A producer that names no session still gets one session per trace rather than nothing.
    sessionId ??= `trace-${turn.traceId}`;
    this.rememberTrace(turn.traceId, sessionId);

    const translated = translateTurn(turn);
    const session = state ?? this.createSession(sessionId);
    const events: SessionEvent[] = [];
    const push = (draft: EventDraft): void => {
      events.push(this.chain(session, draft));
    };

    if (!state) {
      const root = turn.root!;
      push({
        spanId: '',
        kind: 'start',
        index: 0,
        timeMs: root.startTimeMs,
        type: 'session.start',
        data: {
          sessionId,
          producer: 'session-relay',
          producerVersion: this.options.producerVersion,
          startTime: this.timestamps.format(root.startTimeMs),
          selectedModel: translated.selectedModel ?? null,
          context: {
            repository: firstAttr(spans, Attr.repository) ?? null,
            branch: firstAttr(spans, Attr.branch) ?? null,
            headCommit: firstAttr(spans, Attr.commit) ?? null,
          },
        },
      });
    }
    for (const draft of translated.drafts) {
      push(draft);
      if (draft.type === 'user.message' && !session.titled && translated.userMessage) {
        session.titled = true;
        push({
          spanId: draft.spanId,
          kind: 'title',
          index: 0,
          timeMs: draft.timeMs,
          type: 'session.title_changed',
          data: { title: titleOf(this.options.redactor.redact(translated.userMessage)) },
        });
      }
    }
    for (const u of translated.usage) {
      const totals = session.usage.get(u.model) ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, requests: 0 };
      totals.inputTokens += u.inputTokens;
      totals.outputTokens += u.outputTokens;
      totals.cacheReadTokens += u.cacheReadTokens;
      totals.requests += 1;
      session.usage.set(u.model, totals);
    }
    for (const span of spans) {
      if (span.endTimeMs >= session.lastTimeMs) {
        session.lastTimeMs = span.endTimeMs;
        session.lastSpanId = span.spanId;
      }
    }
    session.open = true;
    this.armIdleTimer(session);
    if (events.length > 0) {
      this.listener(sessionId, events);
    }
  }

  /** Ends every open session (VS Code closing, end of an import). */
  shutdownAll(reason: ShutdownReason): void {
    for (const session of this.sessions.values()) {
      if (session.open) {
        this.shutdown(session, reason);
      }
    }
  }

  dispose(): void {
    for (const session of this.sessions.values()) {
      clearTimeout(session.idleTimer);
      session.idleTimer = undefined;
    }
  }

  private createSession(id: string): SessionState {
    const session: SessionState = {
      id,
      open: true,
      titled: false,
      lastEventId: null,
      lastSpanId: '',
      lastTimeMs: -Infinity,
      usage: new Map(),
      idleTimer: undefined,
    };
    this.sessions.set(id, session);
    return session;
  }

  private shutdown(session: SessionState, reason: ShutdownReason): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    session.open = false;
    const usage: Record<string, ModelTotals> = {};
    for (const [model, totals] of session.usage) {
      usage[model] = { ...totals };
    }
    // Keyed on the last span seen, so a replay of the same spans yields the same shutdown id while
    // a reopened session's next shutdown gets a new one.
    const event = this.chain(session, {
      spanId: session.lastSpanId,
      kind: `shutdown`,
      index: 0,
      timeMs: session.lastTimeMs,
      type: 'session.shutdown',
      data: { reason, usage },
    });
    this.listener(session.id, [event]);
  }

  private chain(session: SessionState, draft: EventDraft): SessionEvent {
    const event: SessionEvent = {
      id: this.eventIds.id(session.id, draft.spanId, draft.kind, draft.index),
      timestamp: this.timestamps.format(draft.timeMs),
      parentId: session.lastEventId,
      type: draft.type,
      data: draft.data,
    };
    if (draft.ephemeral) {
      event.ephemeral = true;
    }
    if (draft.agentId) {
      event.agentId = draft.agentId;
    }
    session.lastEventId = event.id;
    return event;
  }

  private armIdleTimer(session: SessionState): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => this.shutdown(session, 'idle'), this.options.idleMs);
    session.idleTimer.unref();
  }

  private rememberTrace(traceId: string, sessionId: string): void {
    this.sessionOfTrace.delete(traceId);
    this.sessionOfTrace.set(traceId, sessionId);
    if (this.sessionOfTrace.size > 4_096) {
      this.sessionOfTrace.delete(this.sessionOfTrace.keys().next().value as string);
    }
  }
}

function titleOf(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length <= TITLE_LENGTH ? oneLine : oneLine.slice(0, TITLE_LENGTH);
}
