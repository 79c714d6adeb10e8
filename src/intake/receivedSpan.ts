import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus, TraceState } from '@opentelemetry/api';
import { hrTimeToMilliseconds, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord, StatusCode } from './spanRecord';

/** Everything a decoder has already validated and normalised (lowercase hex ids, HrTimes, API enums). */
export interface ReceivedSpanInit {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId?: string;
  readonly traceFlags: number;
  readonly traceState?: TraceState;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  /** Shared by all spans of one ResourceSpans block, not copied per span. */
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

// Taken once: in the bundle every use of an imported CommonJS binding is a getter call.
const toMilliseconds = hrTimeToMilliseconds;

/**
 * A finished span that arrived from outside this process (OTLP request or file). It satisfies the
 * SDK's `ReadableSpan`, so received spans travel through the same `SpanProcessor.onEnd` path as
 * spans created locally. Construction is deliberately cheap: the decoder validated the fields, and
 * the parts only the SDK's readers use (span contexts, duration) are made when first read — the
 * pipeline reads the span once, as its `record`.
 */
export class ReceivedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  private readonly traceId: string;
  private readonly spanId: string;
  private readonly parentSpanId: string | undefined;
  private readonly traceFlags: number;
  private readonly traceState: TraceState | undefined;
  private context: SpanContext | undefined;
  private parentContext: SpanContext | undefined;
  private elapsed: HrTime | undefined;
  private flat: SpanRecord | undefined;

  constructor(init: ReceivedSpanInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    this.parentSpanId = init.parentSpanId || undefined;
    this.traceFlags = init.traceFlags;
    this.traceState = init.traceState;
    this.startTime = init.startTime;
    this.endTime = init.endTime;
    this.status = init.status;
    this.attributes = init.attributes;
    this.links = init.links;
    this.events = init.events;
    this.resource = init.resource;
    this.instrumentationScope = init.instrumentationScope;
    this.droppedAttributesCount = init.droppedAttributesCount;
    this.droppedEventsCount = init.droppedEventsCount;
    this.droppedLinksCount = init.droppedLinksCount;
  }

  spanContext(): SpanContext {
    this.context ??= {
      traceId: this.traceId,
      spanId: this.spanId,
      traceFlags: this.traceFlags,
      ...(this.traceState ? { traceState: this.traceState } : {}),
    };
    return this.context;
  }

  get parentSpanContext(): SpanContext | undefined {
    // A parent always shares the child's trace; OTLP carries only its span id.
    if (this.parentSpanId && !this.parentContext) {
      this.parentContext = { traceId: this.traceId, spanId: this.parentSpanId, traceFlags: this.traceFlags };
    }
    return this.parentContext;
  }

  get duration(): HrTime {
    this.elapsed ??= hrTimeDifference(this.startTime, this.endTime);
    return this.elapsed;
  }

  /**
   * `toSpanRecord(this)`, made from the validated fields without the detour through span contexts:
   * the ids are already lowercase hex.
   */
  get record(): SpanRecord {
    this.flat ??= {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTimeMs: toMilliseconds(this.startTime),
      endTimeMs: toMilliseconds(this.endTime),
      attributes: this.attributes as SpanRecord['attributes'],
      resource: this.resource.attributes as SpanRecord['attributes'],
      status: { code: this.status.code as StatusCode, message: this.status.message || undefined },
    };
    return this.flat;
  }
}

/** end − start, clamped at zero: senders with skewed clocks must not produce negative durations. */
function hrTimeDifference(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    nanos += 1_000_000_000;
    seconds -= 1;
  }
  return seconds < 0 ? [0, 0] : [seconds, nanos];
}
