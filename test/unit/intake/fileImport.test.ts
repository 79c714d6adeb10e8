import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { importSpanFile } from '../../../src/intake/fileImport';
import { toCopilotOutfileLine } from '../../support/copilotSpans';
import { assertSameSpan } from '../../support/spanAssertions';

const SECRET = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-import-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function writeFile(content: string): string {
  const file = path.join(dir, `input-${++fileCounter}.jsonl`);
  fs.writeFileSync(file, content);
  return file;
}

/** A Copilot-shaped turn: agent root, model call with an event, failing tool; two sessions' worth when asked. */
function copilotSpans(session = 'session-1'): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'copilot-chat', 'session.id': 'window-1' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('copilot-chat', '0.31.0');
  const root = tracer.startSpan('invoke_agent GitHub Copilot Chat', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'copilot_chat.chat_session_id': session },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.usage.input_tokens': 100, 'gen_ai.response.finish_reasons': ['stop'], 'x.ratio': 0.5, 'x.flag': true },
    },
    inRoot,
  );
  chat.addEvent('gen_ai.choice', { index: 0 });
  chat.end();
  const tool = tracer.startSpan('execute_tool runInTerminal', { attributes: { 'gen_ai.tool.name': 'runInTerminal' } }, inRoot);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'exit code 1' });
  tool.end();
  root.end();
  return memory.getFinishedSpans();
}

function otlpLine(spans: ReadableSpan[]): string {
  return Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8');
}

async function collect(file: string, batchSize?: number) {
  const batches: ReadableSpan[][] = [];
  const result = await importSpanFile(file, (spans) => {
    batches.push(spans);
  }, batchSize ? { batchSize } : undefined);
  return { result, batches, spans: batches.flat() };
}

function assertSameSpans(actual: ReadableSpan[], expected: ReadableSpan[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assertSameSpan(actual[i], e));
}

test('OTLP JSON, one ExportTraceServiceRequest per line', async () => {
  const first = copilotSpans('a');
  const second = copilotSpans('b');
  const file = writeFile(`${otlpLine(first)}\n\n${otlpLine(second)}\n`);
  const { result, spans } = await collect(file);
  assertSameSpans(spans, [...first, ...second]);
  assert.deepEqual(result, { file, lines: 3, spans: 6, skipped: 0, problems: [] });
});

test('one pretty-printed ExportTraceServiceRequest spanning the whole file', async () => {
  const original = copilotSpans();
  const pretty = JSON.stringify(JSON.parse(otlpLine(original)), null, 2);
  const file = writeFile(`\n${pretty}\n`);
  const { result, spans } = await collect(file);
  assertSameSpans(spans, original);
  assert.equal(result.spans, original.length);
  assert.deepEqual(result.problems, []);
});

test('Copilot outfile: spans among metrics and logs; bad lines reported by file and line, good spans all delivered', async () => {
  const turn1 = copilotSpans('s1');
  const turn2 = copilotSpans('s2');
  const lines = [
    toCopilotOutfileLine(turn1[0]), // 1
    JSON.stringify({
      resource: { attributes: { 'service.name': 'copilot-chat' } },
      scopeMetrics: [{ scope: { name: 'copilot-chat' }, metrics: [{ descriptor: { name: 'gen_ai.client.token.usage' } }] }],
    }), // 2: metrics
    toCopilotOutfileLine(turn1[1]), // 3
    JSON.stringify({
      hrTime: [1700000000, 5],
      hrTimeObserved: [1700000000, 6],
      body: 'gen_ai.client.inference.operation.details',
      severityNumber: 9,
      severityText: 'INFO',
      attributes: { 'event.name': 'x' },
    }), // 4: log record
    `{"traceId": "${SECRET}", broken`, // 5: invalid JSON
    JSON.stringify({ hello: 'world', token: SECRET }), // 6: unknown shape
    '', // 7: blank
    JSON.stringify({ name: 'chat orphan', startTime: [1, 0], endTime: [2, 0], attributes: { secret: SECRET } }), // 8: span without ids
    toCopilotOutfileLine(turn1[2]), // 9
    '{}', // 10: what old Copilot builds wrote for class-based spans
    ...turn2.map(toCopilotOutfileLine), // 11-13
    JSON.stringify({ resourceMetrics: [] }), // 14
  ];
  const file = writeFile(lines.join('\n') + '\n');
  const { result, spans } = await collect(file);

  assertSameSpans(spans, [...turn1, ...turn2]);
  assert.equal(result.spans, 6);
  assert.equal(result.skipped, 4);
  assert.equal(result.lines, 14);
  assert.deepEqual(
    result.problems.map((p) => [p.file, p.line]),
    [
      [file, 5],
      [file, 6],
      [file, 8],
    ],
  );
  assert.match(result.problems[0].message, /invalid JSON/);
  assert.match(result.problems[1].message, /unrecognised record/);
  assert.match(result.problems[2].message, /traceId/);
  for (const p of result.problems) {
    assert.ok(!p.message.includes(SECRET), 'problems never quote line content');
    assert.ok(!p.message.includes('\n'));
  }
});

test('Copilot outfile spans keep parents, events, links, trace state and status', async () => {
  const [chat, tool, root] = copilotSpans();
  const linked = JSON.parse(toCopilotOutfileLine(tool));
  linked.links = [{ context: { traceId: chat.spanContext().traceId, spanId: chat.spanContext().spanId, traceFlags: 1 }, attributes: { why: 'retry' } }];
  linked.traceState = 'vendor=v1';
  const file = writeFile(`${toCopilotOutfileLine(root)}\n${toCopilotOutfileLine(chat)}\n${JSON.stringify(linked)}\n`);
  const { spans } = await collect(file);
  const [r, c, t] = spans;
  assert.equal(r.parentSpanContext, undefined);
  assert.equal(c.parentSpanContext?.spanId, root.spanContext().spanId);
  assert.equal(c.kind, SpanKind.CLIENT);
  assert.deepEqual(c.events.map((e) => [e.name, e.time]), [['gen_ai.choice', chat.events[0].time]]);
  assert.deepEqual(t.status, { code: SpanStatusCode.ERROR, message: 'exit code 1' });
  assert.equal(t.links[0].context.spanId, chat.spanContext().spanId);
  assert.deepEqual(t.links[0].attributes, { why: 'retry' });
  assert.equal(t.spanContext().traceState?.get('vendor'), 'v1');
  // One Resource object for a window's spans, not one per line.
  assert.equal(r.resource, c.resource);
});

test('spans are delivered in file order, in batches of the requested size', async () => {
  const spans = [...copilotSpans('a'), ...copilotSpans('b')];
  const file = writeFile(spans.map(toCopilotOutfileLine).join('\n'));
  const { batches, result } = await collect(file, 4);
  assert.deepEqual(batches.map((b) => b.length), [4, 2]);
  assert.deepEqual(batches.flat().map((s) => s.spanContext().spanId), spans.map((s) => s.spanContext().spanId));
  assert.equal(result.spans, 6);
});

test('an OTLP line with invalid spans: the valid ones are delivered and the line is reported', async () => {
  const good = copilotSpans();
  const request = JSON.parse(otlpLine(good));
  request.resourceSpans[0].scopeSpans[0].spans.push({ traceId: 'xyz', spanId: 'eee19b7ec3c1b174', name: 'bad' });
  const file = writeFile(`${otlpLine(copilotSpans())}\n${JSON.stringify(request)}\n{"resourceSpans": "nope"}\n`);
  const { result } = await collect(file);
  assert.equal(result.spans, 6);
  assert.deepEqual(result.problems.map((p) => p.line), [2, 3]);
  assert.match(result.problems[0].message, /1 spans rejected: missing or invalid traceId/);
  assert.match(result.problems[1].message, /malformed OTLP request/);
});

test('JSON lines whose first line is truncated are still read line by line', async () => {
  const spans = copilotSpans();
  const lines = spans.map(toCopilotOutfileLine);
  const file = writeFile(`${lines[0].slice(0, 40)}\n${lines.join('\n')}\n`);
  const { result, spans: delivered } = await collect(file);
  assertSameSpans(delivered, spans);
  assert.deepEqual(result.problems.map((p) => [p.line, p.message]), [[1, 'invalid JSON']]);
});

test('a broken pretty-printed document gives one problem near the fault and delivers nothing', async () => {
  const pretty = JSON.stringify(JSON.parse(otlpLine(copilotSpans())), null, 2).split('\n');
  // Line 7 lacks its comma; the parser notices at the next token, on line 8.
  pretty.splice(6, 0, `      "oops": "${SECRET}"`);
  const file = writeFile(pretty.join('\n'));
  const { result, spans } = await collect(file);
  assert.equal(spans.length, 0);
  assert.deepEqual(result.problems, [{ file, line: 8, message: 'invalid JSON' }]);
});

test('Windows line endings and a byte-order mark are fine', async () => {
  const spans = copilotSpans();
  const file = writeFile('\ufeff' + spans.map(toCopilotOutfileLine).join('\r\n') + '\r\n');
  const { result, spans: delivered } = await collect(file);
  assertSameSpans(delivered, spans);
  assert.deepEqual(result.problems, []);
});

test('a missing file or a failing deliver rejects the import', async () => {
  await assert.rejects(importSpanFile(path.join(dir, 'missing.jsonl'), () => undefined), { code: 'ENOENT' });
  const file = writeFile(copilotSpans().map(toCopilotOutfileLine).join('\n'));
  await assert.rejects(
    importSpanFile(file, () => {
      throw new Error('pipeline closed');
    }),
    /pipeline closed/,
  );
});
