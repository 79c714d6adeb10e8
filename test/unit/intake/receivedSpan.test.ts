import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { spansFromOtlpJson } from '../../../src/intake/otlpDecode';
import { ReceivedSpan } from '../../../src/intake/receivedSpan';
import { toSpanRecord } from '../../../src/intake/spanRecord';

const TRACE_ID = '5B8EFFF798038103d269b633813fc60c';

function decoded(): ReadableSpan[] {
  const span = (spanId: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    traceId: TRACE_ID,
    spanId,
    name: `span ${spanId}`,
    kind: 2,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000001987654321',
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
    ...extra,
  });
  return spansFromOtlpJson({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'copilot-chat' } }] },
        scopeSpans: [
          {
            spans: [
              span('00000000000000a1', {}),
              span('00000000000000A2', { parentSpanId: '00000000000000A1', status: { code: 2, message: 'tool failed' } }),
              span('00000000000000a3', { parentSpanId: '0000000000000000', status: { code: 1, message: '' }, endTimeUnixNano: '1699999999000000000' }),
            ],
          },
        ],
      },
    ],
  }).spans;
}

/** The same span seen only through the SDK's `ReadableSpan` interface, as other intakes hand it over. */
function throughInterface(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

test('a received span becomes the same record as any ReadableSpan would', () => {
  const spans = decoded();
  assert.equal(spans.length, 3);
  for (const span of spans) {
    assert.ok(span instanceof ReceivedSpan);
    assert.deepEqual(toSpanRecord(span), toSpanRecord(throughInterface(span)));
  }
  assert.deepEqual(
    spans.map((s) => [toSpanRecord(s).spanId, toSpanRecord(s).parentSpanId, toSpanRecord(s).status]),
    [
      ['00000000000000a1', undefined, { code: 0, message: undefined }],
      ['00000000000000a2', '00000000000000a1', { code: 2, message: 'tool failed' }],
      ['00000000000000a3', undefined, { code: 1, message: undefined }],
    ],
  );
});

test('span contexts and duration made on first read are those of the decoded fields, and stay the same objects', () => {
  const [root, child, skewed] = decoded() as [ReadableSpan, ReadableSpan, ReadableSpan];
  assert.deepEqual(root.spanContext(), { traceId: TRACE_ID.toLowerCase(), spanId: '00000000000000a1', traceFlags: 1 });
  assert.equal(root.spanContext(), root.spanContext());
  assert.equal(root.parentSpanContext, undefined);
  assert.deepEqual(child.parentSpanContext, { traceId: TRACE_ID.toLowerCase(), spanId: '00000000000000a1', traceFlags: 1 });
  assert.equal(child.parentSpanContext, child.parentSpanContext);
  assert.deepEqual(child.duration, [1, 864197532]);
  assert.equal(child.duration, child.duration);
  assert.deepEqual(skewed.duration, [0, 0]);
});
