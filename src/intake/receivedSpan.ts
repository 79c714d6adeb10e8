import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus, TraceState } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

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

/**
 * A finished span that arrived from outside this process (OTLP request or file). It satisfies the
 * SDK's `ReadableSpan`, so received spans travel through the same `SpanProcessor.onEnd` path as
 * spans created locally. Construction is deliberately cheap: the decoder validated the fields.
 */
export class ReceivedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
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
  private readonly context: SpanContext;

  constructor(init: ReceivedSpanInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.context = {
      traceId: init.traceId,
      spanId: init.spanId,
      traceFlags: init.traceFlags,
      ...(init.traceState ? { traceState: init.traceState } : {}),
    };
    if (init.parentSpanId) {
      // A parent always shares the child's trace; OTLP carries only its span id.
      this.parentSpanContext = { traceId: init.traceId, spanId: init.parentSpanId, traceFlags: init.traceFlags };
    }
    this.startTime = init.startTime;
    this.endTime = init.endTime;
    this.duration = hrTimeDifference(init.startTime, init.endTime);
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
    return this.context;
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
