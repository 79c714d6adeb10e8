import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../../../src/common/logger';
import { otlpTraceProto } from '../../../src/intake/otlpProto';
import { OtlpReceiver, type OtlpReceiverOptions } from '../../../src/intake/otlpReceiver';
import { assertSameSpan } from '../../support/spanAssertions';

const SECRET = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
const TOKEN = 'relay-token-7f3a9c';

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace(m: string): void {
    this.lines.push(`trace ${m}`);
  }
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
}

interface Harness {
  receiver: OtlpReceiver;
  port: number;
  batches: ReadableSpan[][];
  logger: RecordingLogger;
  agent: http.Agent;
  /** Replaced per test to make the durability hook fail or wait. */
  onSpans: (spans: ReadableSpan[]) => void | Promise<void>;
  stop(): Promise<void>;
}

async function startHarness(options: Partial<OtlpReceiverOptions> = {}): Promise<Harness> {
  const logger = new RecordingLogger();
  const batches: ReadableSpan[][] = [];
  const harness = {
    batches,
    logger,
    // One socket, reused: proves a bad request leaves the connection (not just the server) usable.
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    onSpans: (spans: ReadableSpan[]) => {
      batches.push(spans);
    },
  } as Harness;
  harness.receiver = new OtlpReceiver({
    port: 0,
    logger,
    onSpans: (spans) => harness.onSpans(spans),
    ...options,
  });
  harness.port = await harness.receiver.start();
  harness.stop = async () => {
    harness.agent.destroy();
    await harness.receiver.close();
  };
  return harness;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface RequestOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Uint8Array;
  /** Sent as separate writes without Content-Length (chunked transfer encoding). */
  chunks?: Uint8Array[];
  agent?: http.Agent;
}

function send(port: number, options: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/v1/traces',
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** Copilot-shaped spans: an agent turn with a model call and a failing tool, secrets in tool output. */
function copilotSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'copilot-chat', 'session.id': 'window-1' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('copilot-chat', '0.31.0');
  const root = tracer.startSpan('invoke_agent GitHub Copilot Chat', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'copilot_chat.chat_session_id': 'session-42',
      'github.copilot.git.repository': 'https://github.com/acme/widgets.git',
    },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 812,
        'gen_ai.usage.output_tokens': 64,
        'gen_ai.response.finish_reasons': ['tool_calls'],
      },
    },
    inRoot,
  );
  chat.end();
  const tool = tracer.startSpan(
    'execute_tool runInTerminal',
    {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'runInTerminal',
        'gen_ai.tool.call.result': `export GITHUB_TOKEN=${SECRET}`,
      },
    },
    inRoot,
  );
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'exit code 1' });
  tool.end();
  root.end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

function assertSameSpans(actual: ReadableSpan[], expected: ReadableSpan[]): void {
  // Requests may be split or reordered by the exporter: match by span id.
  const byId = new Map(actual.map((s) => [s.spanContext().spanId, s]));
  assert.equal(actual.length, expected.length);
  for (const e of expected) {
    const a = byId.get(e.spanContext().spanId);
    assert.ok(a, `span ${e.name} arrived`);
    assertSameSpan(a, e);
  }
}

function jsonBody(spans: ReadableSpan[]): Uint8Array {
  return JsonTraceSerializer.serializeRequest(spans)!;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const PROTO_HEADERS = { 'Content-Type': 'application/x-protobuf' };

/** The receiver answers a well-formed request normally — used after every bad one. */
async function assertStillServing(h: Harness, extraHeaders: http.OutgoingHttpHeaders = {}): Promise<void> {
  const before = h.batches.length;
  const spans = copilotSpans();
  const reply = await send(h.port, {
    agent: h.agent,
    headers: { ...JSON_HEADERS, ...extraHeaders },
    body: jsonBody(spans),
  });
  assert.equal(reply.status, 200, `still serving (got ${reply.status} ${reply.body.toString()})`);
  assert.equal(h.batches.length, before + 1);
  assertSameSpans(h.batches[h.batches.length - 1], spans);
}

describe('OtlpReceiver with the OpenTelemetry SDK exporters', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
    assert.ok(!h.logger.lines.some((l) => l.includes(SECRET)), 'span content never logged');
  });

  test('http/json exporter: spans arrive intact, tree and attributes included', async () => {
    const spans = copilotSpans();
    const exporter = new OTLPJsonTraceExporter({ url: `http://127.0.0.1:${h.port}/v1/traces` });
    const result = await exportWith(exporter, spans);
    await exporter.shutdown();
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assertSameSpans(h.batches.at(-1)!, spans);
    const received = h.batches.at(-1)!;
    const root = received.find((s) => !s.parentSpanContext)!;
    assert.equal(root.name, 'invoke_agent GitHub Copilot Chat');
    assert.deepEqual(
      received.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId).map((s) => s.name).sort(),
      ['chat gpt-4o', 'execute_tool runInTerminal'],
    );
  });

  test('http/protobuf exporter: spans arrive intact', async () => {
    const spans = copilotSpans();
    const exporter = new OTLPProtoTraceExporter({ url: `http://127.0.0.1:${h.port}/v1/traces` });
    const result = await exportWith(exporter, spans);
    await exporter.shutdown();
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assertSameSpans(h.batches.at(-1)!, spans);
  });

  test('both exporters with gzip compression', async () => {
    for (const Exporter of [OTLPJsonTraceExporter, OTLPProtoTraceExporter]) {
      const spans = copilotSpans();
      const exporter = new Exporter({
        url: `http://localhost:${h.port}/v1/traces`,
        compression: CompressionAlgorithm.GZIP,
      });
      const result = await exportWith(exporter, spans);
      await exporter.shutdown();
      assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
      assertSameSpans(h.batches.at(-1)!, spans);
    }
  });

  test('a BasicTracerProvider exporting through SimpleSpanProcessor delivers every ended span', async () => {
    const before = h.batches.flat().length;
    const exporter = new OTLPProtoTraceExporter({ url: `http://127.0.0.1:${h.port}/v1/traces` });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('fixture-chat');
    const root = tracer.startSpan('invoke_agent fixture');
    tracer.startSpan('chat fixture-model', {}, trace.setSpan(context.active(), root)).end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    const received = h.batches.flat().slice(before);
    assert.deepEqual(received.map((s) => s.name).sort(), ['chat fixture-model', 'invoke_agent fixture']);
    const receivedRoot = received.find((s) => s.name === 'invoke_agent fixture')!;
    assert.equal(receivedRoot.spanContext().spanId, root.spanContext().spanId);
    assert.equal(received.find((s) => s.name === 'chat fixture-model')!.parentSpanContext?.spanId, root.spanContext().spanId);
  });
});

describe('OtlpReceiver answers like an OTLP collector and keeps serving', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ maxBodyBytes: 4 * 1024 * 1024 });
  });
  after(async () => {
    await h.stop();
    const log = h.logger.lines.join('\n');
    assert.ok(!log.includes(SECRET), 'bodies never logged');
  });

  test('success: JSON answers {} and protobuf an empty ExportTraceServiceResponse', async () => {
    const json = await send(h.port, { agent: h.agent, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: jsonBody(copilotSpans()) });
    assert.equal(json.status, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(json.body.toString()), {});
    const proto = await send(h.port, {
      agent: h.agent,
      headers: PROTO_HEADERS,
      body: ProtobufTraceSerializer.serializeRequest(copilotSpans())!,
    });
    assert.equal(proto.status, 200);
    assert.equal(proto.headers['content-type'], 'application/x-protobuf');
    assert.equal(proto.body.length, 0);
  });

  test('malformed JSON → 400 with a google.rpc.Status body that does not echo the input', async () => {
    const reply = await send(h.port, { agent: h.agent, headers: JSON_HEADERS, body: `{"resourceSpans": [${SECRET}` });
    assert.equal(reply.status, 400);
    const status = JSON.parse(reply.body.toString());
    assert.equal(status.code, 3);
    assert.match(status.message, /not valid JSON/);
    assert.ok(!reply.body.toString().includes(SECRET));
    await assertStillServing(h);
  });

  test('bytes that are not an ExportTraceServiceRequest → 400 with a protobuf Status', async () => {
    const reply = await send(h.port, {
      agent: h.agent,
      headers: PROTO_HEADERS,
      body: Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    assert.equal(reply.status, 400);
    assert.equal(reply.headers['content-type'], 'application/x-protobuf');
    const status = otlpTraceProto().status.toObject(otlpTraceProto().status.decode(reply.body));
    assert.equal(status.code, 3);
    assert.match(status.message, /protobuf/);
    await assertStillServing(h);
  });

  test('an Origin header (a browser) → 403', async () => {
    const reply = await send(h.port, {
      agent: h.agent,
      headers: { ...JSON_HEADERS, Origin: 'https://evil.example' },
      body: jsonBody(copilotSpans()),
    });
    assert.equal(reply.status, 403);
    await assertStillServing(h);
  });

  test('a Host that is not a loopback name (DNS rebinding) → 403; loopback names pass', async () => {
    for (const host of ['evil.example', `evil.example:${h.port}`, '127.0.0.1.evil.example', 'localhost.evil.example', '10.0.0.1']) {
      const reply = await send(h.port, {
        agent: h.agent,
        headers: { ...JSON_HEADERS, Host: host },
        body: jsonBody(copilotSpans()),
      });
      assert.equal(reply.status, 403, `Host: ${host}`);
    }
    for (const host of [`localhost:${h.port}`, 'LOCALHOST', `[::1]:${h.port}`, '127.0.0.1']) {
      await assertStillServing(h, { Host: host });
    }
  });

  test('declared body over the limit → 413', async () => {
    const small = await startHarness({ maxBodyBytes: 1024 });
    try {
      const reply = await send(small.port, {
        agent: small.agent,
        headers: JSON_HEADERS,
        body: JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(4096) }),
      });
      assert.equal(reply.status, 413);
      assert.equal(JSON.parse(reply.body.toString()).code, 8);
      const chunked = await send(small.port, {
        agent: small.agent,
        headers: JSON_HEADERS,
        chunks: Array.from({ length: 8 }, () => Buffer.alloc(512, 0x20)),
      });
      assert.equal(chunked.status, 413, 'streamed without Content-Length');
      const ok = await send(small.port, { agent: small.agent, headers: JSON_HEADERS, body: '{}' });
      assert.equal(ok.status, 200);
    } finally {
      await small.stop();
    }
  });

  test('a gzip bomb → 413 after inflating no more than the limit', async () => {
    // 64 gzip members of 16 MiB of zeros each: ~1 MiB on the wire, 1 GiB inflated.
    const member = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    assert.ok(bomb.length < 4 * 1024 * 1024, 'compressed size alone is within the limit');
    const peakBefore = process.resourceUsage().maxRSS;
    const reply = await send(h.port, {
      agent: h.agent,
      headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    assert.equal(reply.status, 413);
    assert.match(JSON.parse(reply.body.toString()).message, /after decompression/);
    const grownKiB = process.resourceUsage().maxRSS - peakBefore;
    assert.ok(grownKiB < 256 * 1024, `peak memory grew by ${grownKiB} KiB`);
    await assertStillServing(h);
  });

  test('gzip and deflate bodies are accepted; a corrupt gzip body → 400', async () => {
    const spans = copilotSpans();
    const gz = await send(h.port, {
      agent: h.agent,
      headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync(jsonBody(spans)),
    });
    assert.equal(gz.status, 200);
    assertSameSpans(h.batches.at(-1)!, spans);
    const deflate = await send(h.port, {
      agent: h.agent,
      headers: { ...PROTO_HEADERS, 'Content-Encoding': 'deflate' },
      body: zlib.deflateSync(ProtobufTraceSerializer.serializeRequest(spans)!),
    });
    assert.equal(deflate.status, 200);
    const corrupt = await send(h.port, {
      agent: h.agent,
      headers: { ...JSON_HEADERS, 'Content-Encoding': 'gzip' },
      body: Buffer.from('definitely not gzip'),
    });
    assert.equal(corrupt.status, 400);
    const unknown = await send(h.port, {
      agent: h.agent,
      headers: { ...JSON_HEADERS, 'Content-Encoding': 'br' },
      body: jsonBody(spans),
    });
    assert.equal(unknown.status, 415);
    await assertStillServing(h);
  });

  test('another content type → 415', async () => {
    for (const type of ['text/plain', 'application/grpc', undefined]) {
      const reply = await send(h.port, {
        agent: h.agent,
        headers: type ? { 'Content-Type': type } : {},
        body: jsonBody(copilotSpans()),
      });
      assert.equal(reply.status, 415, String(type));
    }
    await assertStillServing(h);
  });

  test('wrong method → 405 with Allow: POST; unknown path → 404', async () => {
    const get = await send(h.port, { agent: h.agent, method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const put = await send(h.port, { agent: h.agent, method: 'PUT', path: '/v1/logs', headers: JSON_HEADERS, body: '{}' });
    assert.equal(put.status, 405);
    for (const path of ['/foo', '/', '/v1/traces/extra', '/v1/trace']) {
      const reply = await send(h.port, { agent: h.agent, path, headers: JSON_HEADERS, body: '{}' });
      assert.equal(reply.status, 404, path);
    }
    await assertStillServing(h);
  });

  test('/v1/logs and /v1/metrics answer 200 with an empty response and deliver nothing', async () => {
    const before = h.batches.length;
    const logs = await send(h.port, { agent: h.agent, path: '/v1/logs', headers: JSON_HEADERS, body: '{"resourceLogs":[]}' });
    assert.equal(logs.status, 200);
    assert.deepEqual(JSON.parse(logs.body.toString()), {});
    const metrics = await send(h.port, {
      agent: h.agent,
      path: '/v1/metrics',
      headers: PROTO_HEADERS,
      body: Uint8Array.from([0x0a, 0x00]),
    });
    assert.equal(metrics.status, 200);
    assert.equal(metrics.body.length, 0);
    assert.equal(h.batches.length, before);
    await assertStillServing(h);
  });

  test('rejected spans → 200 with partialSuccess the SDK can read, good spans delivered', async () => {
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' },
                { traceId: '00000000000000000000000000000000', spanId: 'eee19b7ec3c1b175', name: 'zero trace', startTimeUnixNano: '1' },
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b176', name: '' },
              ],
            },
          ],
        },
      ],
    };
    const reply = await send(h.port, { agent: h.agent, headers: JSON_HEADERS, body: JSON.stringify(body) });
    assert.equal(reply.status, 200);
    const parsed = JsonTraceSerializer.deserializeResponse(reply.body);
    assert.equal(Number(parsed.partialSuccess?.rejectedSpans), 2);
    assert.match(String(parsed.partialSuccess?.errorMessage), /traceId/);
    assert.match(String(parsed.partialSuccess?.errorMessage), /name/);
    assert.deepEqual(h.batches.at(-1)!.map((s) => s.name), ['ok']);

    // The same over protobuf, read back with the SDK's own response parser.
    const spans = copilotSpans();
    const proto = ProtobufTraceSerializer.serializeRequest(spans)!;
    const decoded = otlpTraceProto().exportTraceServiceRequest.decode(proto) as unknown as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
    };
    decoded.resourceSpans[0].scopeSpans[0].spans[0].name = '';
    const protoReply = await send(h.port, {
      agent: h.agent,
      headers: PROTO_HEADERS,
      body: otlpTraceProto().exportTraceServiceRequest.encode(decoded).finish(),
    });
    assert.equal(protoReply.status, 200);
    const protoParsed = ProtobufTraceSerializer.deserializeResponse(protoReply.body);
    assert.equal(Number(protoParsed.partialSuccess?.rejectedSpans), 1);
    assert.match(String(protoParsed.partialSuccess?.errorMessage), /missing name/);
    assert.equal(h.batches.at(-1)!.length, spans.length - 1);
    await assertStillServing(h);
  });

  test('onSpans failing → 503 (retryable), nothing counted as accepted', async () => {
    const accepted = h.receiver.spansAccepted;
    h.onSpans = () => {
      throw new Error('journal disk full');
    };
    const thrown = await send(h.port, { agent: h.agent, headers: JSON_HEADERS, body: jsonBody(copilotSpans()) });
    h.onSpans = async () => {
      await Promise.resolve();
      throw new Error('journal write failed');
    };
    const rejected = await send(h.port, { agent: h.agent, headers: PROTO_HEADERS, body: ProtobufTraceSerializer.serializeRequest(copilotSpans())! });
    h.onSpans = (spans) => {
      h.batches.push(spans);
    };
    assert.equal(thrown.status, 503);
    assert.equal(JSON.parse(thrown.body.toString()).code, 14);
    assert.equal(rejected.status, 503);
    assert.equal(h.receiver.spansAccepted, accepted);
    assert.ok(h.logger.lines.some((l) => l.startsWith('error') && l.includes('503')));
    await assertStillServing(h);
  });

  test('the 200 waits for onSpans to finish (acknowledge only what is durable)', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inHook = new Promise<void>((r) => (entered = r));
    h.onSpans = (spans) =>
      new Promise<void>((resolve) => {
        h.batches.push(spans);
        entered();
        release = resolve;
      });
    let answered = false;
    const reply = send(h.port, { agent: h.agent, headers: JSON_HEADERS, body: jsonBody(copilotSpans()) }).then((r) => {
      answered = true;
      return r;
    });
    await inHook;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(answered, false, 'no answer while the hook is pending');
    release();
    assert.equal((await reply).status, 200);
    h.onSpans = (spans) => {
      h.batches.push(spans);
    };
  });

  test('counters add up', async () => {
    const c = h.receiver.counters;
    assert.ok(c.requests > 0);
    assert.ok(c.spansAccepted > 0);
    assert.ok(c.spansRejected >= 3);
    assert.ok(c.refused > 0);
    assert.equal(h.receiver.requests, c.requests);
  });
});

describe('OtlpReceiver bearer token', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ token: TOKEN });
  });
  after(async () => {
    await h.stop();
    assert.ok(!h.logger.lines.some((l) => l.includes(TOKEN) || l.includes('wrong-token')), 'tokens never logged');
  });

  test('missing or wrong token → 401; the right one → 200', async () => {
    const body = jsonBody(copilotSpans());
    const missing = await send(h.port, { agent: h.agent, headers: JSON_HEADERS, body });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    for (const authorization of ['Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const wrong = await send(h.port, { agent: h.agent, headers: { ...JSON_HEADERS, Authorization: authorization }, body });
      assert.equal(wrong.status, 401, authorization);
    }
    assert.equal(h.batches.length, 0);
    await assertStillServing(h, { Authorization: `Bearer ${TOKEN}` });
    await assertStillServing(h, { Authorization: `bearer ${TOKEN}` });
  });

  test('the SDK exporter with an Authorization header gets through', async () => {
    const spans = copilotSpans();
    const exporter = new OTLPProtoTraceExporter({
      url: `http://127.0.0.1:${h.port}/v1/traces`,
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const result = await exportWith(exporter, spans);
    await exporter.shutdown();
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assertSameSpans(h.batches.at(-1)!, spans);
  });
});

describe('OtlpReceiver lifecycle', () => {
  test('a taken port → start() rejects with EADDRINUSE, and a later start succeeds once it is free', async () => {
    const owner = await startHarness();
    const second = new OtlpReceiver({ port: owner.port, logger: new RecordingLogger(), onSpans: () => undefined });
    await assert.rejects(second.start(), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');
    await assertStillServing(owner);
    await owner.stop();
    assert.equal(await second.start(), owner.port);
    const reply = await send(owner.port, { headers: JSON_HEADERS, body: '{}', agent: new http.Agent() });
    assert.equal(reply.status, 200);
    await second.close();
  });

  test('close() frees the port even with an idle keep-alive connection, and is idempotent', async () => {
    const h = await startHarness();
    await assertStillServing(h); // leaves an idle keep-alive socket in h.agent
    await h.receiver.close();
    await h.receiver.close();
    await assert.rejects(send(h.port, { headers: JSON_HEADERS, body: '{}', agent: new http.Agent() }), /ECONNREFUSED/);
    h.agent.destroy();
  });

  test('only loopback hosts can be bound', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      assert.throws(() => new OtlpReceiver({ port: 0, host, logger: new RecordingLogger(), onSpans: () => undefined }), /loopback/);
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      new OtlpReceiver({ port: 0, host, logger: new RecordingLogger(), onSpans: () => undefined }).dispose();
    }
  });
});
