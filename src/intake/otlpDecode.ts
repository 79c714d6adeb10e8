import { SpanKind, SpanStatusCode, type Link, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { otlpTraceProto } from './otlpProto';
import { ReceivedSpan } from './receivedSpan';
import {
  attributesFromKeyValues,
  collectValid,
  countFrom,
  has,
  hrTimeFromNanos,
  isAbsentId,
  isRecord,
  spanIdFrom,
  stringFrom,
  traceFlagsFrom,
  traceIdFrom,
  traceStateFrom,
} from './spanValues';

export interface DecodeResult {
  spans: ReadableSpan[];
  /** Spans present in the request but not accepted (OTLP partial success). */
  rejected: number;
  /** Distinct one-line reasons, without any span content; at most MAX_REASONS. */
  rejectReasons: string[];
}

/** The body as a whole cannot be read as an OTLP trace request (→ HTTP 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

const MAX_REASONS = 10;

/**
 * Decodes an OTLP/HTTP `ExportTraceServiceRequest` body. Spans that cannot be used (bad ids,
 * no name, bad times) are counted in `rejected` and the rest are kept, as OTLP partial success
 * expects; only a body that is not a request at all throws `OtlpDecodeError`.
 */
export function decodeTraceRequest(body: Uint8Array, kind: 'json' | 'protobuf'): DecodeResult {
  if (kind === 'json') {
    return spansFromOtlpJson(parseJsonBody(body));
  }
  let message: unknown;
  try {
    message = otlpTraceProto().exportTraceServiceRequest.decode(body);
  } catch (err) {
    // protobufjs messages name offsets and wire types only, never payload bytes.
    throw new OtlpDecodeError(`body is not a protobuf ExportTraceServiceRequest (${(err as Error).message})`);
  }
  return spansFromRequest(message, 'protobuf');
}

/** Spans from an already-parsed OTLP/JSON `ExportTraceServiceRequest` (`{resourceSpans: [...]}`). */
export function spansFromOtlpJson(obj: unknown): DecodeResult {
  return spansFromRequest(obj, 'JSON');
}

function parseJsonBody(body: Uint8Array): unknown {
  let text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the offending input; report only where it failed.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new OtlpDecodeError(`body is not valid JSON${position !== undefined ? ` (at offset ${position})` : ''}`);
  }
}

class Rejections {
  count = 0;
  private readonly reasons = new Map<string, number>();

  add(reason: string): void {
    this.count++;
    if (this.reasons.has(reason) || this.reasons.size < MAX_REASONS) {
      this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    }
  }

  list(): string[] {
    return [...this.reasons].map(([reason, n]) => (n > 1 ? `${reason} (${n} spans)` : reason));
  }
}

/**
 * One walker for both encodings: protobufjs (with `keepCase: false`) yields the same camelCase
 * field names as OTLP/JSON, and the value helpers accept either representation (hex string or
 * bytes for ids, decimal string/number or Long for int64).
 */
function spansFromRequest(request: unknown, encoding: 'JSON' | 'protobuf'): DecodeResult {
  if (!isRecord(request)) {
    throw new OtlpDecodeError(`OTLP ${encoding} request must be an object with "resourceSpans"`);
  }
  const spans: ReadableSpan[] = [];
  const rejections = new Rejections();
  const resourceSpans = listAt(request, 'resourceSpans', 'resourceSpans');
  resourceSpans.forEach((rs, i) => {
    const where = `resourceSpans[${i}]`;
    if (!isRecord(rs)) throw new OtlpDecodeError(`${where} must be an object`);
    const resource = resourceFrom(rs);
    // `instrumentationLibrarySpans` is the pre-1.0 name of `scopeSpans`; old senders still use it.
    for (const [key, scopeKey] of [
      ['scopeSpans', 'scope'],
      ['instrumentationLibrarySpans', 'instrumentationLibrary'],
    ] as const) {
      listAt(rs, key, `${where}.${key}`).forEach((ss, j) => {
        if (!isRecord(ss)) throw new OtlpDecodeError(`${where}.${key}[${j}] must be an object`);
        const scope = scopeFrom(ss[scopeKey], ss.schemaUrl);
        for (const span of listAt(ss, 'spans', `${where}.${key}[${j}].spans`)) {
          const decoded = spanFrom(span, resource, scope);
          if (typeof decoded === 'string') rejections.add(decoded);
          else spans.push(decoded);
        }
      });
    }
  });
  return { spans, rejected: rejections.count, rejectReasons: rejections.list() };
}

function listAt(obj: Record<string, unknown>, key: string, where: string): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${where} must be an array`);
  return value;
}

function resourceFrom(rs: Record<string, unknown>): Resource {
  const attributes = isRecord(rs.resource) ? attributesFromKeyValues(rs.resource.attributes) : {};
  const schemaUrl = stringFrom(rs.schemaUrl);
  return resourceFromAttributes(attributes, schemaUrl ? { schemaUrl } : undefined);
}

function scopeFrom(scope: unknown, schemaUrl: unknown): InstrumentationScope {
  const s = isRecord(scope) ? scope : {};
  return {
    name: stringFrom(s.name) ?? '',
    version: stringFrom(s.version) || undefined,
    schemaUrl: stringFrom(schemaUrl) || undefined,
  };
}

const OTLP_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** OTLP numbers kinds from UNSPECIFIED = 0; the API from INTERNAL = 0. Unknown → INTERNAL. */
function spanKindFrom(value: unknown): SpanKind {
  const otlp = typeof value === 'string' ? OTLP_KIND_NAMES[value] : value;
  return typeof otlp === 'number' && Number.isInteger(otlp) && otlp >= 2 && otlp <= 5
    ? ((otlp - 1) as SpanKind)
    : SpanKind.INTERNAL;
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function statusFrom(value: unknown): SpanStatus {
  if (!isRecord(value)) return { code: SpanStatusCode.UNSET };
  const raw = typeof value.code === 'string' ? STATUS_NAMES[value.code] : value.code;
  const code = raw === 1 || raw === 2 ? (raw as SpanStatusCode) : SpanStatusCode.UNSET;
  const message = stringFrom(value.message);
  return message ? { code, message } : { code };
}

/** A usable span, or the reason it was rejected. */
function spanFrom(span: unknown, resource: Resource, scope: InstrumentationScope): ReceivedSpan | string {
  if (!isRecord(span)) return 'span is not an object';
  const traceId = traceIdFrom(span.traceId);
  if (!traceId) return 'missing or invalid traceId';
  const spanId = spanIdFrom(span.spanId);
  if (!spanId) return 'missing or invalid spanId';
  let parentSpanId: string | undefined;
  if (!isAbsentId(span.parentSpanId)) {
    parentSpanId = spanIdFrom(span.parentSpanId);
    // Unreadable is not the same as absent: guessing "root" would mis-assemble the turn.
    if (!parentSpanId) return 'invalid parentSpanId';
  }
  const name = span.name;
  if (typeof name !== 'string' || name === '') return 'missing name';
  const startTime = hrTimeFromNanos(span.startTimeUnixNano);
  if (!startTime) return 'invalid startTimeUnixNano';
  const endTime = hrTimeFromNanos(span.endTimeUnixNano);
  if (!endTime) return 'invalid endTimeUnixNano';

  const events = collectValid(span.events, span.droppedEventsCount, eventFrom);
  const links = collectValid(span.links, span.droppedLinksCount, linkFrom);

  return new ReceivedSpan({
    traceId,
    spanId,
    parentSpanId,
    // OTLP 1.1 added `flags` (W3C trace flags in the low byte); older senders omit it.
    traceFlags: traceFlagsFrom(has(span, 'flags') ? span.flags : undefined),
    traceState: traceStateFrom(span.traceState),
    name,
    kind: spanKindFrom(span.kind),
    startTime,
    endTime,
    status: statusFrom(span.status),
    attributes: attributesFromKeyValues(span.attributes),
    links: links.items,
    events: events.items,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: countFrom(span.droppedAttributesCount),
    droppedEventsCount: events.dropped,
    droppedLinksCount: links.dropped,
  });
}

function eventFrom(e: Record<string, unknown>): TimedEvent | undefined {
  const time = hrTimeFromNanos(e.timeUnixNano);
  return time && { name: stringFrom(e.name) ?? '', time, attributes: attributesFromKeyValues(e.attributes), droppedAttributesCount: countFrom(e.droppedAttributesCount) };
}

function linkFrom(l: Record<string, unknown>): Link | undefined {
  const linkTraceId = traceIdFrom(l.traceId);
  const linkSpanId = spanIdFrom(l.spanId);
  if (!linkTraceId || !linkSpanId) return undefined;
  const traceState = traceStateFrom(l.traceState);
  return {
    context: { traceId: linkTraceId, spanId: linkSpanId, traceFlags: traceFlagsFrom(l.flags), ...(traceState ? { traceState } : {}) },
    attributes: attributesFromKeyValues(l.attributes),
    droppedAttributesCount: countFrom(l.droppedAttributesCount),
  };
}
