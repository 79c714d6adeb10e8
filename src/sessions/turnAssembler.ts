import type { Disposable } from '../common/disposable';
import type { Attributes, SpanRecord } from '../intake/spanRecord';
import { Attr, operationOf } from './genAiAttributes';
import { RecentSpanIds } from './recentSpanIds';
import type { Turn } from './turn';

export interface TurnAssemblerOptions {
  /**
   * How long spans of a turn wait for their root before the incomplete tree is emitted anyway
   * (SPEC §4, default 60 s): long enough for an agent turn with slow tools, short enough that a
   * crashed producer never leaves spans stuck.
   */
  readonly turnTimeoutMs: number;
  /**
   * Spans that belong to a turn already emitted (late tails) are gathered for this long and then
   * emitted together, so a burst of late children becomes one tail rather than one per span.
   */
  readonly tailDelayMs: number;
}

export const DEFAULT_TURN_ASSEMBLER_OPTIONS: TurnAssemblerOptions = { turnTimeoutMs: 60_000, tailDelayMs: 2_000 };

// Roots of emitted turns are remembered so late tails still know their turn; bounded because a
// long-lived window sees thousands of turns.
const REMEMBERED_ROOTS = 2_048;
/**
 * What a remembered root leaves out: its content. A tail's translation never reads its root's
 * content (that went out with the root's turn), and a root kept whole pins its messages for 2,048
 * turns — long enough for V8 to promote them, so under a burst each turn left ~800 bytes of
 * old-generation garbage behind.
 */
const ROOT_CONTENT: ReadonlySet<string> = new Set([Attr.inputMessages, Attr.outputMessages, Attr.userRequest, Attr.toolArguments, Attr.toolResult]);
// Producers retry exports after timeouts, so the same span can arrive twice.
const REMEMBERED_SPAN_IDS = 50_000;

interface PendingTrace {
  readonly spans: SpanRecord[];
  readonly timer: NodeJS.Timeout;
  readonly knownRoot: SpanRecord | undefined;
}

/**
 * Groups finished spans into turns (SPEC §4). A turn is emitted when its root `invoke_agent` ends —
 * children end first and usually arrive in earlier export batches, so they wait here for it.
 */
export class TurnAssembler implements Disposable {
  private readonly pending = new Map<string, PendingTrace>();
  private readonly emittedRoots = new Map<string, SpanRecord>();
  private readonly seenSpans = new RecentSpanIds(REMEMBERED_SPAN_IDS);
  private duplicates = 0;

  constructor(
    private readonly onTurn: (turn: Turn) => void,
    private readonly options: TurnAssemblerOptions = DEFAULT_TURN_ASSEMBLER_OPTIONS,
  ) {}

  /** Spans currently waiting for their root or their tail delay. */
  get pendingSpans(): number {
    let n = 0;
    for (const trace of this.pending.values()) {
      n += trace.spans.length;
    }
    return n;
  }

  get duplicateSpans(): number {
    return this.duplicates;
  }

  add(span: SpanRecord): void {
    if (!this.seenSpans.add(span.traceId, span.spanId)) {
      this.duplicates++;
      return;
    }

    if (isTurnRoot(span)) {
      const waiting = this.take(span.traceId);
      this.emit({ traceId: span.traceId, root: span, spans: [...(waiting?.spans ?? []), span], complete: true });
      this.emittedRoots.delete(span.traceId);
      this.emittedRoots.set(span.traceId, withoutContent(span));
      if (this.emittedRoots.size > REMEMBERED_ROOTS) {
        this.emittedRoots.delete(this.emittedRoots.keys().next().value as string);
      }
      return;
    }

    const existing = this.pending.get(span.traceId);
    if (existing) {
      existing.spans.push(span);
      return;
    }
    const knownRoot = this.emittedRoots.get(span.traceId);
    const delay = knownRoot ? this.options.tailDelayMs : this.options.turnTimeoutMs;
    const timer = setTimeout(() => this.expire(span.traceId), delay);
    timer.unref();
    this.pending.set(span.traceId, { spans: [span], timer, knownRoot });
  }

  /** Emits everything still waiting, as incomplete turns (end of an import, shutdown). */
  flushAll(): void {
    for (const traceId of [...this.pending.keys()]) {
      this.expire(traceId);
    }
  }

  dispose(): void {
    for (const trace of this.pending.values()) {
      clearTimeout(trace.timer);
    }
    this.pending.clear();
  }

  private expire(traceId: string): void {
    const trace = this.take(traceId);
    if (!trace) {
      return;
    }
    const root = trace.knownRoot ?? topmostAgent(trace.spans);
    this.emit({ traceId, root, spans: trace.spans, complete: false });
  }

  private take(traceId: string): PendingTrace | undefined {
    const trace = this.pending.get(traceId);
    if (trace) {
      clearTimeout(trace.timer);
      this.pending.delete(traceId);
    }
    return trace;
  }

  private emit(turn: Turn): void {
    this.onTurn(turn);
  }
}

/**
 * A turn's root is an `invoke_agent` without a parent. A sub-agent's `invoke_agent` has a parent
 * (`execute_tool runSubagent`) that ends after it, so at arrival it cannot be told apart from a root
 * whose parent was never exported; the timeout settles that case.
 */
function isTurnRoot(span: SpanRecord): boolean {
  return !span.parentSpanId && operationOf(span) === 'invoke_agent';
}

/** For a tree emitted by timeout: the `invoke_agent` with no ancestor among the spans we have. */
function topmostAgent(spans: readonly SpanRecord[]): SpanRecord | undefined {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let best: SpanRecord | undefined;
  let bestDepth = Infinity;
  for (const span of spans) {
    if (operationOf(span) !== 'invoke_agent') {
      continue;
    }
    let depth = 0;
    for (let p = span.parentSpanId; p && byId.has(p) && depth < spans.length; p = byId.get(p)?.parentSpanId) {
      depth++;
    }
    if (depth < bestDepth || (depth === bestDepth && best && span.startTimeMs < best.startTimeMs)) {
      best = span;
      bestDepth = depth;
    }
  }
  return best;
}

function withoutContent(root: SpanRecord): SpanRecord {
  const attributes: Attributes = {};
  for (const key of Object.keys(root.attributes)) {
    if (!ROOT_CONTENT.has(key)) {
      attributes[key] = root.attributes[key];
    }
  }
  return { ...root, attributes };
}
