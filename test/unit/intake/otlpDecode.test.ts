import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OtlpDecodeError, decodeTraceRequest, spansFromOtlpJson } from '../../../src/intake/otlpDecode';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PARENT_ID = 'eee19b7ec3c1b173';

function otlpSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000001987654321',
    ...overrides,
  };
}

function request(spans: unknown[], resourceAttributes: unknown[] = []): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes },
        scopeSpans: [{ scope: { name: 'copilot-chat', version: '0.30.0' }, spans }],
      },
    ],
  };
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function only(result: { spans: ReadableSpan[] }): ReadableSpan {
  assert.equal(result.spans.length, 1);
  return result.spans[0];
}

test('JSON: ids in upper or mixed case are accepted and normalised to lowercase', () => {
  const result = decodeTraceRequest(
    json(request([otlpSpan({ traceId: TRACE_ID.toUpperCase(), spanId: 'EEE19b7EC3C1B174', parentSpanId: PARENT_ID.toUpperCase() })])),
    'json',
  );
  const span = only(result);
  assert.equal(span.spanContext().traceId, TRACE_ID);
  assert.equal(span.spanContext().spanId, SPAN_ID);
  assert.equal(span.parentSpanContext?.spanId, PARENT_ID);
  assert.equal(span.parentSpanContext?.traceId, TRACE_ID);
  assert.equal(result.rejected, 0);
});

test('JSON: nanosecond timestamps as decimal strings keep every digit', () => {
  const span = only(spansFromOtlpJson(request([otlpSpan()])));
  // Through a double this would come out as ...123456768.
  assert.deepEqual(span.startTime, [1700000000, 123456789]);
  assert.deepEqual(span.endTime, [1700000001, 987654321]);
  assert.deepEqual(span.duration, [1, 864197532]);
  assert.equal(span.ended, true);
});

test('JSON: int64 timestamps as numbers are accepted', () => {
  const span = only(
    spansFromOtlpJson(request([otlpSpan({ startTimeUnixNano: 1_700_000_123_456_789, endTimeUnixNano: 1_700_000_223_456_789 })])),
  );
  assert.deepEqual(span.startTime, [1_700_000, 123_456_789]);
  assert.deepEqual(span.endTime, [1_700_000, 223_456_789]);
  // Real epoch nanoseconds exceed 2^53 when written as numbers; they still decode (rounded by JSON itself).
  const lossy = JSON.parse('1700000000123456789') as number;
  const big = only(spansFromOtlpJson(request([otlpSpan({ startTimeUnixNano: lossy, endTimeUnixNano: lossy })])));
  assert.equal(big.startTime[0], 1700000000);
  assert.ok(Math.abs(big.startTime[1] - 123456789) < 1000);
});

test('JSON: enums as numbers or as their OTLP names', () => {
  const spans = spansFromOtlpJson(
    request([
      otlpSpan({ spanId: '0000000000000001', kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'tool failed' } }),
      otlpSpan({ spanId: '0000000000000002', kind: 2, status: { code: 1 } }),
      otlpSpan({ spanId: '0000000000000003', kind: 0 }),
      otlpSpan({ spanId: '0000000000000004', kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_UNSET' } }),
    ]),
  ).spans;
  assert.deepEqual(
    spans.map((s) => [s.kind, s.status]),
    [
      [SpanKind.CLIENT, { code: SpanStatusCode.ERROR, message: 'tool failed' }],
      [SpanKind.SERVER, { code: SpanStatusCode.OK }],
      [SpanKind.INTERNAL, { code: SpanStatusCode.UNSET }],
      [SpanKind.CONSUMER, { code: SpanStatusCode.UNSET }],
    ],
  );
});

test('JSON: every AnyValue variant becomes a plain attribute value', () => {
  const attributes = [
    { key: 'str', value: { stringValue: 'hello' } },
    { key: 'emptyStr', value: { stringValue: '' } },
    { key: 'bool', value: { boolValue: false } },
    { key: 'intNumber', value: { intValue: 42 } },
    { key: 'intString', value: { intValue: '1234' } },
    { key: 'intHuge', value: { intValue: '9007199254740993' } },
    { key: 'intNegative', value: { intValue: '-7' } },
    { key: 'double', value: { doubleValue: 0.25 } },
    { key: 'doubleNaN', value: { doubleValue: 'NaN' } },
    { key: 'bytes', value: { bytesValue: 'AQID' } },
    { key: 'strings', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
    { key: 'ints', value: { arrayValue: { values: [{ intValue: '1' }, { intValue: 2 }] } } },
    { key: 'emptyArray', value: { arrayValue: {} } },
    { key: 'nested', value: { arrayValue: { values: [{ arrayValue: { values: [{ intValue: 1 }] } }] } } },
    {
      key: 'kv',
      value: { kvlistValue: { values: [{ key: 'a', value: { stringValue: 'x' } }, { key: 'b', value: { intValue: '3' } }] } },
    },
    { key: 'empty', value: {} },
    { key: 'noValue' },
    { value: { stringValue: 'no key' } },
  ];
  const span = only(spansFromOtlpJson(request([otlpSpan({ attributes })])));
  assert.ok(Number.isNaN(span.attributes.doubleNaN));
  const { doubleNaN: _ignored, ...rest } = span.attributes;
  assert.deepEqual(rest, {
    str: 'hello',
    emptyStr: '',
    bool: false,
    intNumber: 42,
    intString: 1234,
    intHuge: '9007199254740993',
    intNegative: -7,
    double: 0.25,
    bytes: 'AQID',
    strings: ['a', 'b'],
    ints: [1, 2],
    emptyArray: [],
    nested: '[[1]]',
    kv: '{"a":"x","b":3}',
  });
});

test('JSON: an attribute named __proto__ is kept as data and never becomes a prototype', () => {
  const attributes = [
    { key: '__proto__', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
    { key: 'after', value: { stringValue: 'kept' } },
  ];
  const span = only(spansFromOtlpJson(request([otlpSpan({ attributes })], [{ key: '__proto__', value: { arrayValue: { values: [{ stringValue: 'res' }] } } }])));
  assert.equal(Object.getPrototypeOf(span.attributes), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value, ['x']);
  assert.equal(span.attributes.after, 'kept');
  assert.equal((span.attributes as Record<string, unknown>).length, undefined);
  // The SDK's Resource copies attributes by assignment, which drops this key: never a prototype.
  assert.equal(Object.getPrototypeOf(span.resource.attributes), Object.prototype);
});

test('JSON: resource attributes, scope and schema URLs are kept', () => {
  const body = request([otlpSpan()], [
    { key: 'service.name', value: { stringValue: 'copilot-chat' } },
    { key: 'session.id', value: { stringValue: 'window-1' } },
  ]);
  const rs = (body.resourceSpans as Array<Record<string, unknown>>)[0];
  rs.schemaUrl = 'https://opentelemetry.io/schemas/1.24.0';
  (rs.scopeSpans as Array<Record<string, unknown>>)[0].schemaUrl = 'https://example.invalid/scope';
  const span = only(spansFromOtlpJson(body));
  assert.deepEqual(span.resource.attributes, { 'service.name': 'copilot-chat', 'session.id': 'window-1' });
  assert.equal(span.resource.schemaUrl, 'https://opentelemetry.io/schemas/1.24.0');
  assert.deepEqual(span.instrumentationScope, {
    name: 'copilot-chat',
    version: '0.30.0',
    schemaUrl: 'https://example.invalid/scope',
  });
});

test('JSON: events, links, trace state and dropped counts survive', () => {
  const span = only(
    spansFromOtlpJson(
      request([
        otlpSpan({
          traceState: 'vendor=abc',
          flags: 257,
          droppedAttributesCount: 2,
          events: [
            { name: 'gen_ai.choice', timeUnixNano: '1700000000500000001', attributes: [{ key: 'i', value: { intValue: 0 } }] },
            { name: 'no time' , timeUnixNano: 'soon' },
          ],
          links: [
            { traceId: TRACE_ID, spanId: PARENT_ID, attributes: [{ key: 'why', value: { stringValue: 'follows' } }] },
            { traceId: 'zz', spanId: PARENT_ID },
          ],
          droppedLinksCount: 1,
        }),
      ]),
    ),
  );
  assert.equal(span.spanContext().traceState?.get('vendor'), 'abc');
  assert.equal(span.spanContext().traceFlags, 1);
  assert.equal(span.droppedAttributesCount, 2);
  assert.deepEqual(span.events, [
    { name: 'gen_ai.choice', time: [1700000000, 500000001], attributes: { i: 0 }, droppedAttributesCount: 0 },
  ]);
  assert.equal(span.droppedEventsCount, 1);
  assert.equal(span.links.length, 1);
  assert.equal(span.links[0].context.spanId, PARENT_ID);
  assert.deepEqual(span.links[0].attributes, { why: 'follows' });
  assert.equal(span.droppedLinksCount, 2);
});

test('JSON: invalid spans are rejected with reasons while the others are kept', () => {
  const result = spansFromOtlpJson(
    request([
      otlpSpan({ spanId: '0000000000000001' }),
      otlpSpan({ traceId: '00000000000000000000000000000000' }),
      otlpSpan({ traceId: TRACE_ID.slice(2) }),
      otlpSpan({ traceId: undefined }),
      otlpSpan({ spanId: 'not-hex-not-hex!' }),
      otlpSpan({ spanId: '0000000000000000' }),
      otlpSpan({ name: '' }),
      otlpSpan({ name: undefined }),
      otlpSpan({ parentSpanId: 'abc' }),
      otlpSpan({ startTimeUnixNano: '-5' }),
      'not a span',
      otlpSpan({ spanId: '0000000000000002', parentSpanId: '0000000000000000' }),
      otlpSpan({ spanId: '0000000000000003', parentSpanId: '' }),
    ]),
  );
  assert.deepEqual(
    result.spans.map((s) => [s.spanContext().spanId, s.parentSpanContext]),
    [
      ['0000000000000001', undefined],
      ['0000000000000002', undefined],
      ['0000000000000003', undefined],
    ],
  );
  assert.equal(result.rejected, 10);
  assert.deepEqual(result.rejectReasons, [
    'missing or invalid traceId (3 spans)',
    'missing or invalid spanId (2 spans)',
    'missing name (2 spans)',
    'invalid parentSpanId',
    'invalid startTimeUnixNano',
    'span is not an object',
  ]);
});

test('JSON: the legacy instrumentationLibrarySpans key is still read', () => {
  const span = only(
    spansFromOtlpJson({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'old' } }] },
          instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'legacy-lib', version: '1.0' }, spans: [otlpSpan()] }],
        },
      ],
    }),
  );
  assert.equal(span.name, 'chat gpt-4o');
  assert.equal(span.instrumentationScope.name, 'legacy-lib');
  assert.deepEqual(span.resource.attributes, { 'service.name': 'old' });
});

test('JSON: base64 ids from generic protobuf-JSON encoders are understood', () => {
  const span = only(
    spansFromOtlpJson(
      request([
        otlpSpan({
          traceId: Buffer.from(TRACE_ID, 'hex').toString('base64'),
          spanId: Buffer.from(SPAN_ID, 'hex').toString('base64'),
        }),
      ]),
    ),
  );
  assert.equal(span.spanContext().traceId, TRACE_ID);
  assert.equal(span.spanContext().spanId, SPAN_ID);
});

test('empty requests are valid and carry no spans', () => {
  assert.deepEqual(decodeTraceRequest(json({}), 'json'), { spans: [], rejected: 0, rejectReasons: [] });
  assert.deepEqual(decodeTraceRequest(json({ resourceSpans: [] }), 'json'), { spans: [], rejected: 0, rejectReasons: [] });
  assert.deepEqual(decodeTraceRequest(new Uint8Array(0), 'protobuf'), { spans: [], rejected: 0, rejectReasons: [] });
});

test('undecodable bodies throw OtlpDecodeError without quoting the body', () => {
  const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
  const cases: Array<[Uint8Array, 'json' | 'protobuf']> = [
    [new TextEncoder().encode(`{"resourceSpans": [${secret}`), 'json'],
    [new TextEncoder().encode(secret), 'json'],
    [json([1, 2]), 'json'],
    [json({ resourceSpans: { not: 'a list' } }), 'json'],
    [json({ resourceSpans: ['x'] }), 'json'],
    [json({ resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }), 'json'],
    [Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), 'protobuf'],
    [new TextEncoder().encode(`not protobuf ${secret}`), 'protobuf'],
  ];
  for (const [body, kind] of cases) {
    assert.throws(
      () => decodeTraceRequest(body, kind),
      (err: unknown) => err instanceof OtlpDecodeError && err.message.length > 0 && !err.message.includes(secret),
    );
  }
});

/** Spans as the SDK produces them: a root and a child with every attribute type, an event, a link, an error status. */
function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'copilot-chat', 'session.id': 'window-7' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('copilot-chat', '0.31.0');
  const root = tracer.startSpan('invoke_agent GitHub Copilot Chat', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'copilot_chat.chat_session_id': 'sess-1' },
  });
  const parentContext = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.usage.input_tokens': 1234,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
        'gen_ai.request.stream': true,
        flags: [true, false],
        scores: [1.5, 2.5],
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hi' }] }]),
      },
      links: [{ context: root.spanContext(), attributes: { 'link.kind': 'caused-by' } }],
    },
    parentContext,
  );
  chat.addEvent('gen_ai.content.completion', { 'gen_ai.completion': 'done' });
  chat.end();
  const tool = tracer.startSpan('execute_tool runTests', { attributes: { 'gen_ai.tool.name': 'runTests' } }, parentContext);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'exit code 1' });
  tool.end();
  root.end();
  return exporter.getFinishedSpans();
}

function assertSameSpan(actual: ReadableSpan, expected: ReadableSpan): void {
  assert.equal(actual.name, expected.name);
  assert.equal(actual.kind, expected.kind);
  assert.equal(actual.spanContext().traceId, expected.spanContext().traceId);
  assert.equal(actual.spanContext().spanId, expected.spanContext().spanId);
  assert.equal(actual.parentSpanContext?.spanId, expected.parentSpanContext?.spanId);
  assert.deepEqual(actual.startTime, expected.startTime);
  assert.deepEqual(actual.endTime, expected.endTime);
  assert.deepEqual(actual.duration, expected.duration);
  assert.deepEqual(actual.attributes, expected.attributes);
  assert.deepEqual(actual.status, expected.status);
  assert.deepEqual(actual.resource.attributes, expected.resource.attributes);
  assert.equal(actual.instrumentationScope.name, expected.instrumentationScope.name);
  assert.equal(actual.instrumentationScope.version, expected.instrumentationScope.version);
  assert.deepEqual(
    actual.events.map((e) => [e.name, e.time, e.attributes]),
    expected.events.map((e) => [e.name, e.time, e.attributes]),
  );
  assert.deepEqual(
    actual.links.map((l) => [l.context.traceId, l.context.spanId, l.attributes]),
    expected.links.map((l) => [l.context.traceId, l.context.spanId, l.attributes]),
  );
}

test('protobuf: spans serialised by the OpenTelemetry SDK decode to the same spans', () => {
  const original = sdkSpans();
  const body = ProtobufTraceSerializer.serializeRequest(original);
  assert.ok(body);
  const result = decodeTraceRequest(body, 'protobuf');
  assert.equal(result.rejected, 0);
  assert.equal(result.spans.length, original.length);
  original.forEach((span, i) => assertSameSpan(result.spans[i], span));
  // The tree survives: both children point at the root.
  const root = result.spans.find((s) => s.parentSpanContext === undefined);
  assert.equal(root?.name, 'invoke_agent GitHub Copilot Chat');
  assert.equal(result.spans.filter((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId).length, 2);
});

test('JSON: spans serialised by the OpenTelemetry SDK decode to the same spans', () => {
  const original = sdkSpans();
  const body = JsonTraceSerializer.serializeRequest(original);
  assert.ok(body);
  const result = decodeTraceRequest(body, 'json');
  assert.equal(result.rejected, 0);
  assert.equal(result.spans.length, original.length);
  original.forEach((span, i) => assertSameSpan(result.spans[i], span));
});

test('protobuf: ids in bytes become lowercase hex and 64-bit integers stay exact', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider
    .getTracer('t')
    .startSpan('s', { startTime: [1700000000, 1], attributes: { small: -3, max: Number.MAX_SAFE_INTEGER } });
  span.end([1700000000, 999999999]);
  const [original] = exporter.getFinishedSpans();
  const decoded = only(decodeTraceRequest(ProtobufTraceSerializer.serializeRequest([original])!, 'protobuf'));
  assert.match(decoded.spanContext().traceId, /^[0-9a-f]{32}$/);
  assert.equal(decoded.spanContext().traceId, original.spanContext().traceId);
  assert.deepEqual(decoded.endTime, [1700000000, 999999999]);
  assert.deepEqual(decoded.attributes, { small: -3, max: Number.MAX_SAFE_INTEGER });
});
