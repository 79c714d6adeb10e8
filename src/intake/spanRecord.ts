import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ReceivedSpan } from './receivedSpan';

export type AttributeValue = string | number | boolean | ReadonlyArray<string | number | boolean | null | undefined>;
export type Attributes = Record<string, AttributeValue | undefined>;

/** OTLP status codes: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;

/**
 * The plain form of a finished span that the session stage works on. Every intake (OTLP receiver,
 * file import, the extension API's tracer) produces `ReadableSpan`s; `toSpanRecord` flattens them
 * once so the rest of the pipeline deals in ids as lowercase hex and times as epoch milliseconds.
 */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  /** Unix epoch milliseconds, sub-millisecond precision kept as a fraction. */
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  readonly attributes: Attributes;
  readonly resource: Attributes;
  readonly status: { readonly code: StatusCode; readonly message?: string };
}

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  if (span instanceof ReceivedSpan) {
    return span.record;
  }
  const ctx = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: ctx.traceId.toLowerCase(),
    spanId: ctx.spanId.toLowerCase(),
    parentSpanId: parent ? parent.toLowerCase() : undefined,
    name: span.name,
    kind: span.kind,
    startTimeMs: hrTimeToMilliseconds(span.startTime),
    endTimeMs: hrTimeToMilliseconds(span.endTime),
    attributes: span.attributes as Attributes,
    resource: (span.resource?.attributes ?? {}) as Attributes,
    status: { code: (span.status?.code ?? 0) as StatusCode, message: span.status?.message || undefined },
  };
}
