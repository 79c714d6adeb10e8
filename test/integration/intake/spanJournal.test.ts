import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { silentLogger } from '../../../src/common/logger';
import { encodeRecord } from '../../../src/delivery/journalRecords';
import { SpanJournal } from '../../../src/delivery/spanJournal';
import { decodeTraceRequest } from '../../../src/intake/otlpDecode';
import { toSpanRecord } from '../../../src/intake/spanRecord';
import { redactDeep } from '../../../src/redact/redactDeep';
import type { Redactor } from '../../../src/redact/redactor';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { generateCopilotSpans, plantSecrets, type SessionSpec } from '../../support/copilotSpans';

const GH = plantSecrets(7).githubPat;
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const redactor = createRedactor({ dynamicSecrets: ['dyn-secret-7f3a9c5e'] });

const roots: string[] = [];
after(async () => {
  for (const root of roots) await fs.rm(root, { recursive: true, force: true });
});

/** Everything of a span a consumer can read, `toSpanRecord` (what the pipeline takes) included. */
function seen(span: ReadableSpan): unknown {
  return {
    record: toSpanRecord(span),
    context: span.spanContext(),
    parent: span.parentSpanContext,
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    attributeKeys: Object.keys(span.attributes),
    events: span.events,
    links: span.links,
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    ended: span.ended,
  };
}

async function freshRoot(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'span-journal-'));
  roots.push(root);
  return root;
}

/** Journal files under `root`, oldest first. */
async function journalBytes(root: string): Promise<Buffer> {
  const files: string[] = [];
  for (const dir of (await fs.readdir(root)).sort()) {
    for (const name of (await fs.readdir(path.join(root, dir))).sort()) if (name.endsWith('.log')) files.push(path.join(root, dir, name));
  }
  return Buffer.concat(await Promise.all(files.map((f) => fs.readFile(f))));
}

/**
 * Appends each batch, then crashes (closes without releasing) and reopens: the spans `append`
 * returned for the pipeline must be exactly those the replay gives it.
 */
async function liveAndReplay(batches: readonly (readonly ReadableSpan[])[], r: Redactor = redactor): Promise<{ live: ReadableSpan[]; replay: ReadableSpan[]; bytes: Buffer }> {
  const root = await freshRoot();
  const { journal } = await SpanJournal.open(root, r, silentLogger);
  const live: ReadableSpan[] = [];
  for (const batch of batches) live.push(...(await journal.append(batch)));
  await journal.close(false);
  const bytes = await journalBytes(root);
  const reopened = await SpanJournal.open(root, r, silentLogger);
  await reopened.journal.close(true);
  return { live, replay: reopened.replay, bytes };
}

function assertLiveIsReplay(live: readonly ReadableSpan[], replay: readonly ReadableSpan[]): void {
  assert.equal(live.length, replay.length);
  for (let i = 0; i < live.length; i++) assert.deepStrictEqual(seen(live[i]), seen(replay[i]), `span ${i}`);
}

/**
 * The journal's form of a span as it was first written (SDK shape, then every string redacted):
 * records must stay byte for byte what older versions wrote and read back.
 */
function referenceForm(span: ReadableSpan, r: Redactor): Record<string, unknown> {
  const value = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const trimmed = v.trimStart();
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
          return JSON.stringify(redactDeep(JSON.parse(v) as unknown, r));
        } catch {
          // text
        }
      }
      return r.redact(v);
    }
    return Array.isArray(v) ? v.map(value) : v;
  };
  const attributes = (a: unknown): unknown => (a === null || typeof a !== 'object' ? a : Object.fromEntries(Object.entries(a).map(([k, v]) => [k, value(v)])));
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    traceFlags: ctx.traceFlags,
    parentSpanId: span.parentSpanContext?.spanId,
    name: r.redact(span.name),
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    status: redactDeep(span.status, r),
    attributes: attributes(span.attributes),
    events: span.events.map((e) => ({ name: r.redact(String(e.name)), time: e.time, attributes: attributes(e.attributes) })),
    links: span.links.map((l) => ({ context: l.context, attributes: attributes(l.attributes) })),
    resource: { attributes: attributes(span.resource.attributes) },
    instrumentationScope: span.instrumentationScope,
  };
}

function copilotSpans(sessions: number, turns: number): ReadableSpan[] {
  const specs: SessionSpec[] = [];
  for (let i = 0; i < sessions; i++) {
    specs.push({
      sessionId: `be4c0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      turns,
      startMs: Date.UTC(2026, 10, 21, 9) + i * 700,
      repository: `https://github.com/bench-org/repo-${i % 4}.git`,
      subAgent: i % 2 === 0,
      failingTool: i % 3 === 0,
    });
  }
  return generateCopilotSpans(specs, 20261121).spans;
}

function inRequests(spans: readonly ReadableSpan[], size: number, encoding: 'json' | 'protobuf'): ReadableSpan[][] {
  const batches: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i += size) {
    const chunk = spans.slice(i, i + size);
    const body = encoding === 'json' ? JsonTraceSerializer.serializeRequest(chunk) : ProtobufTraceSerializer.serializeRequest(chunk);
    assert.ok(body);
    batches.push(decodeTraceRequest(body, encoding).spans);
  }
  return batches;
}

test('Copilot-shaped OTLP/JSON: the pipeline gets from append exactly what a replay gives, and the journal is unchanged', async () => {
  const batches = inRequests(copilotSpans(6, 5), 64, 'json');
  const { live, replay, bytes } = await liveAndReplay(batches);
  assert.ok(live.length > 100);
  assertLiveIsReplay(live, replay);
  const expected = Buffer.concat(batches.map((batch) => encodeRecord({ spans: batch.map((s) => referenceForm(s, redactor)) })));
  assert.ok(bytes.equals(expected), 'journal records differ from the reference form');
  const text = JSON.stringify(live.map((s) => s.attributes));
  assert.ok(text.includes('[REDACTED:'));
  assert.ok(!text.includes('ghp_'));
});

test('OTLP/protobuf spans: live and replay are the same', async () => {
  const { live, replay } = await liveAndReplay(inRequests(copilotSpans(2, 3), 50, 'protobuf'));
  assert.ok(live.length > 0);
  assertLiveIsReplay(live, replay);
});

test('odd attribute values, events, links, trace state and missing fields: live and replay are the same', async () => {
  const kv = (key: string, value: unknown): unknown => ({ key, value });
  const span = (spanId: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    traceId: TRACE_ID,
    spanId,
    name: `tool ${GH}`,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000001987654321',
    ...extra,
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', { stringValue: 'copilot-chat' }), kv('weird', { doubleValue: 'NaN' })] },
        scopeSpans: [
          {
            scope: { name: 'copilot-chat' },
            spans: [
              // First, so that the resource's Resource is made for a span without odd values of its own.
              span('00000000000000a4', { attributes: [kv('only', { stringValue: 'plain' })] }),
              span('00000000000000a1', {
                kind: 3,
                parentSpanId: '',
                status: { code: 2, message: `failed with ${GH}` },
                attributes: [
                  kv('nan', { doubleValue: 'NaN' }),
                  kv('inf', { doubleValue: '-Infinity' }),
                  kv('negative zero', { doubleValue: 'NEGATIVE_ZERO' }),
                  kv('big', { intValue: '9007199254740993' }),
                  kv('bool', { boolValue: false }),
                  kv('bytes', { bytesValue: 'AAEC' }),
                  kv('empty', {}),
                  kv('list', { arrayValue: { values: [{ stringValue: GH }, {}, { doubleValue: 'Infinity' }, { intValue: 3 }] } }),
                  kv('nested', { arrayValue: { values: [{ arrayValue: { values: [{ stringValue: GH }] } }] } }),
                  kv('map', { kvlistValue: { values: [kv('token', { stringValue: GH })] } }),
                  kv('json', { stringValue: ` {"a": [1.50, "${GH}"], "b": {"c": null}}` }),
                  kv('not json', { stringValue: `[not json ${GH}` }),
                  kv('__proto__', { stringValue: 'proto' }),
                  kv('42', { stringValue: 'index-like key' }),
                ],
              }),
              span('00000000000000a2', {
                parentSpanId: '00000000000000A1',
                traceState: 'vendor=value',
                flags: 257,
                events: [
                  { name: `event ${GH}`, timeUnixNano: '1700000000500000000', attributes: [kv('x', { stringValue: GH })], droppedAttributesCount: 2 },
                  { name: 'no time' },
                ],
                links: [
                  { traceId: TRACE_ID, spanId: '00000000000000b1', traceState: 'a=b', attributes: [kv('y', { doubleValue: 'NaN' })] },
                  { traceId: 'bad', spanId: '00000000000000b2' },
                ],
                droppedEventsCount: 3,
                droppedLinksCount: 1,
                droppedAttributesCount: 4,
              }),
              span('00000000000000a3', { kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_OK' }, attributes: [] }),
            ],
          },
        ],
      },
      {
        scopeSpans: [
          {
            spans: [
              span('00000000000000a5', { attributes: [kv('n', { doubleValue: 1.5 })] }),
              // Plain but for its times of -0 ns (JSON.parse keeps the sign; the journal's JSON drops it).
              span('00000000000000a7', { startTimeUnixNano: 'NEGATIVE_ZERO', endTimeUnixNano: 'NEGATIVE_ZERO' }),
              // Plain attributes and resource; only the events and links hold what JSON changes.
              span('00000000000000a6', {
                attributes: [kv('n', { intValue: 1 })],
                events: [{ name: 'e', timeUnixNano: '1700000000500000000', attributes: [kv('nan', { doubleValue: 'NaN' })] }],
                links: [{ traceId: TRACE_ID, spanId: '00000000000000b1', attributes: [kv('zero', { doubleValue: 'NEGATIVE_ZERO' })] }],
              }),
            ],
          },
        ],
      },
    ],
  };
  const text = JSON.stringify(body).replaceAll('"NEGATIVE_ZERO"', '-0');
  const spans = decodeTraceRequest(new TextEncoder().encode(text), 'json').spans;
  assert.equal(spans.length, 7);
  assert.ok(Object.is(spans[1].attributes['negative zero'], -0) && Object.is(spans[5].startTime[0], -0));
  const { live, replay } = await liveAndReplay([spans]);
  assertLiveIsReplay(live, replay);
  assert.ok(!JSON.stringify(live.map(seen)).includes(GH));
  // JSON has no NaN or Infinity: as in a replay, the pipeline never sees them.
  assert.equal(live[1].attributes.nan, undefined);
  assert.ok(!('weird' in live[0].resource.attributes));
  assert.deepEqual(live[1].attributes.list, ['[REDACTED:github-token]', null, null, 3]);
  assert.ok(Object.is(live[1].attributes['negative zero'], 0));
});

test('spans from the SDK itself (not decoded) with events, links and trace state: live and replay are the same', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'x', token: `token=${GH}`, odd: [1, 2] }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t', '1.0');
  const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, attributes: { list: [`a ${GH}`, 'b'], n: Number.NaN } });
  const child = tracer.startSpan('child', { links: [{ context: parent.spanContext(), attributes: { l: GH } }] }, trace.setSpan(context.active(), parent));
  child.addEvent(`boom ${GH}`, { detail: GH, count: -0 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: GH });
  child.end();
  parent.end();
  const { live, replay } = await liveAndReplay([exporter.getFinishedSpans()]);
  assert.equal(live.length, 2);
  assertLiveIsReplay(live, replay);
  assert.ok(!JSON.stringify(live.map(seen)).includes(GH));
});

test('spans of another ReadableSpan implementation go through JSON as a replay reads them', async () => {
  const [decoded] = inRequests(copilotSpans(1, 1), 1, 'json')[0];
  // A value with a toJSON is not what JSON gives back: a replay reads what toJSON made.
  const plain: ReadableSpan = {
    name: decoded.name,
    kind: decoded.kind,
    spanContext: () => decoded.spanContext(),
    parentSpanContext: decoded.parentSpanContext,
    startTime: decoded.startTime,
    endTime: decoded.endTime,
    status: { code: SpanStatusCode.ERROR, message: { toJSON: () => 'failed' } as unknown as string },
    attributes: decoded.attributes,
    links: [],
    events: [],
    duration: decoded.duration,
    ended: true,
    resource: decoded.resource,
    instrumentationScope: decoded.instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
  const { live, replay } = await liveAndReplay([[plain]]);
  assert.equal(live.length, 1);
  assertLiveIsReplay(live, replay);
  assert.deepEqual(live[0].status, { code: SpanStatusCode.ERROR, message: 'failed' });
});

test('the resource is redacted per request: a dynamic secret added between requests is redacted from then on', async () => {
  const secret = 'rotated-secret-9b1d';
  const body = JsonTraceSerializer.serializeRequest(
    (() => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'session.id': secret }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider.getTracer('t').startSpan('a').end();
      provider.getTracer('t').startSpan('b').end();
      return exporter.getFinishedSpans();
    })(),
  );
  assert.ok(body);
  let current: Redactor = createRedactor();
  const switchable: Redactor = { redact: (text) => current.redact(text) };
  const root = await freshRoot();
  const { journal } = await SpanJournal.open(root, switchable, silentLogger);
  const spans = decodeTraceRequest(body, 'json').spans;
  const before = await journal.append(spans);
  current = createRedactor({ dynamicSecrets: [secret] });
  const afterSwitch = await journal.append(spans);
  await journal.close(true);
  assert.deepEqual(
    before.map((s) => s.resource.attributes['session.id']),
    [secret, secret],
  );
  assert.deepEqual(
    afterSwitch.map((s) => s.resource.attributes['session.id']),
    ['[REDACTED:dynamic-secret]', '[REDACTED:dynamic-secret]'],
  );
});
