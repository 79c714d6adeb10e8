import { SpanKind, SpanStatusCode, type Attributes, type Link, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ReceivedSpan } from './receivedSpan';
import {
  attributesFromMap,
  collectValid,
  countFrom,
  hrTimeFromTuple,
  isAbsentId,
  isRecord,
  spanIdFrom,
  stringFrom,
  traceFlagsFrom,
  traceIdFrom,
  traceStateFrom,
} from './spanValues';

/**
 * Spans as the OpenTelemetry JS SDK's objects look after JSON.stringify — the line format of
 * GitHub Copilot Chat's file exporter (`github.copilot.chat.otel.outfile`):
 *
 *   { resource: { attributes: {...} }, instrumentationScope, traceId, spanId, traceFlags,
 *     traceState, parentSpanId, name, kind, startTime: [s, ns], endTime, duration,
 *     status: {code, message}, attributes: {...}, links, events, ended, dropped...Count }
 *
 * Unlike OTLP, attributes are plain maps, times are HrTime tuples and `kind` already uses the
 * API's numbering.
 */

/** True when the object is meant to be such a span (even a broken one, so it can be reported). */
export function looksLikeSerializedSpan(obj: Record<string, unknown>): boolean {
  return (
    'traceId' in obj ||
    'spanId' in obj ||
    'parentSpanId' in obj ||
    (typeof obj.name === 'string' && ('startTime' in obj || 'endTime' in obj))
  );
}

/**
 * Reuses one Resource while consecutive spans carry the same resource attributes (a Copilot
 * outfile has one per VS Code window), instead of building one per line.
 */
export class ResourceCache {
  private lastKey?: string;
  private lastAttributes?: unknown;
  private lastResource?: Resource;

  get(attributes: unknown): Resource {
    // The span journal hands over one attribute object for all the spans of a request (and never
    // changes it): no need to serialise it again for each.
    if (attributes === this.lastAttributes && this.lastResource) return this.lastResource;
    const key = JSON.stringify(attributes ?? null);
    if (key !== this.lastKey || !this.lastResource) {
      this.lastKey = key;
      this.lastResource = resourceFromAttributes(attributesFromMap(attributes));
    }
    this.lastAttributes = attributes;
    return this.lastResource;
  }
}

/**
 * For `spanFromSerializedSpan`: attribute maps taken as they are, for a caller that knows every
 * value is already what `attributesFromMap` would make of it.
 */
export function attributesAsRead(map: unknown): Attributes {
  return map as Attributes;
}

/**
 * A span, or the one-line reason it cannot be used (never quoting its content). `readAttributes`
 * turns the attribute maps (span, events, links) into Attributes.
 */
export function spanFromSerializedSpan(obj: Record<string, unknown>, resources: ResourceCache, readAttributes: (map: unknown) => Attributes = attributesFromMap): ReceivedSpan | string {
  const traceId = traceIdFrom(obj.traceId);
  if (!traceId) return 'span without a valid traceId';
  const spanId = spanIdFrom(obj.spanId);
  if (!spanId) return 'span without a valid spanId';
  // Older SDK builds serialised the parent as a context object instead of an id.
  const rawParent = obj.parentSpanId ?? (isRecord(obj.parentSpanContext) ? obj.parentSpanContext.spanId : undefined);
  let parentSpanId: string | undefined;
  if (!isAbsentId(rawParent)) {
    parentSpanId = spanIdFrom(rawParent);
    if (!parentSpanId) return 'span with an invalid parentSpanId';
  }
  const name = obj.name;
  if (typeof name !== 'string' || name === '') return 'span without a name';
  const startTime = hrTimeFromTuple(obj.startTime);
  if (!startTime) return 'span with an invalid startTime';
  const endTime = hrTimeFromTuple(obj.endTime);
  if (!endTime) return 'span with an invalid endTime';

  const events = collectValid<TimedEvent>(obj.events, obj.droppedEventsCount, (e) => {
    const time = hrTimeFromTuple(e.time);
    return time && { name: stringFrom(e.name) ?? '', time, attributes: readAttributes(e.attributes), droppedAttributesCount: countFrom(e.droppedAttributesCount) };
  });
  const links = collectValid<Link>(obj.links, obj.droppedLinksCount, (l) => {
    const context = isRecord(l.context) ? l.context : undefined;
    const linkTraceId = context && traceIdFrom(context.traceId);
    const linkSpanId = context && spanIdFrom(context.spanId);
    if (!context || !linkTraceId || !linkSpanId) return undefined;
    const traceState = traceStateFrom(context.traceState);
    return {
      context: { traceId: linkTraceId, spanId: linkSpanId, traceFlags: traceFlagsFrom(context.traceFlags), ...(traceState ? { traceState } : {}) },
      attributes: readAttributes(l.attributes),
      droppedAttributesCount: countFrom(l.droppedAttributesCount),
    };
  });

  return new ReceivedSpan({
    traceId,
    spanId,
    parentSpanId,
    traceFlags: traceFlagsFrom(obj.traceFlags),
    traceState: traceStateFrom(obj.traceState),
    name,
    kind: spanKindFrom(obj.kind),
    startTime,
    endTime,
    status: statusFrom(obj.status),
    attributes: readAttributes(obj.attributes),
    links: links.items,
    events: events.items,
    resource: resources.get(isRecord(obj.resource) ? obj.resource.attributes : undefined),
    instrumentationScope: scopeFrom(obj.instrumentationScope ?? obj.instrumentationLibrary),
    droppedAttributesCount: countFrom(obj.droppedAttributesCount),
    droppedEventsCount: events.dropped,
    droppedLinksCount: links.dropped,
  });
}

function spanKindFrom(value: unknown): SpanKind {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4
    ? (value as SpanKind)
    : SpanKind.INTERNAL;
}

function statusFrom(value: unknown): SpanStatus {
  if (!isRecord(value)) return { code: SpanStatusCode.UNSET };
  const code = value.code === 1 || value.code === 2 ? (value.code as SpanStatusCode) : SpanStatusCode.UNSET;
  const message = stringFrom(value.message);
  return message ? { code, message } : { code };
}

function scopeFrom(value: unknown): InstrumentationScope {
  const s = isRecord(value) ? value : {};
  return {
    name: stringFrom(s.name) ?? '',
    version: stringFrom(s.version) || undefined,
    schemaUrl: stringFrom(s.schemaUrl) || undefined,
  };
}
