import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A decoded span carries everything the original did: ids, times to the nanosecond, content. */
export function assertSameSpan(actual: ReadableSpan, expected: ReadableSpan): void {
  assert.equal(actual.name, expected.name);
  assert.equal(actual.kind, expected.kind);
  assert.equal(actual.spanContext().traceId, expected.spanContext().traceId);
  assert.equal(actual.spanContext().spanId, expected.spanContext().spanId);
  assert.equal(actual.parentSpanContext?.spanId, expected.parentSpanContext?.spanId);
  assert.deepEqual(actual.startTime, expected.startTime);
  assert.deepEqual(actual.endTime, expected.endTime);
  assert.deepEqual(actual.attributes, expected.attributes);
  assert.deepEqual(actual.status, expected.status);
  assert.deepEqual(actual.resource.attributes, expected.resource.attributes);
  assert.equal(actual.instrumentationScope.name, expected.instrumentationScope.name);
  assert.deepEqual(
    actual.events.map((ev) => [ev.name, ev.time, ev.attributes]),
    expected.events.map((ev) => [ev.name, ev.time, ev.attributes]),
  );
}
