import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { silentLogger } from '../../src/common/logger';
import { createRelayApi } from '../../src/intake/api';
import { createRedactor } from '../../src/redact/secretRedactor';
import { RelayPipeline } from '../../src/relayPipeline';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { FileSink } from '../../src/sinks/fileSink';
import { within } from '../support/deadline';

test("another extension's spans, ended on the API's tracer, become a transcript like received ones", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-api-'));
  const pipeline = new RelayPipeline(
    { sinks: [new FileSink(dir, silentLogger)], redactor: createRedactor({ dynamicSecrets: ['s3cr3t-value-from-settings'] }), logger: silentLogger },
    { producerVersion: 'test', idleMs: 60_000, delivery: { intervalMs: 5 } },
  );
  const api = createRelayApi(pipeline.processor, 'test');
  const tracer = api.getTracer('my-chat-participant', '1.0.0');
  {
    const root = tracer.startSpan('invoke_agent helper', {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'api-session-1', 'copilot_chat.user_request': 'say hi with s3cr3t-value-from-settings' },
    });
    // The parent is passed explicitly: the extension host has no global context manager.
    const chat = tracer.startSpan(
      'chat my-model',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'my-model',
          'gen_ai.usage.input_tokens': 5,
          'gen_ai.usage.output_tokens': 2,
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hi' }] }]),
        },
      },
      trace.setSpan(context.active(), root),
    );
    chat.end();
    root.end();
  }
  const file = path.join(dir, 'api-session-1.jsonl');
  await within(pipeline.flush(), 10_000, 'the flush');
  assert.ok(fs.existsSync(file), 'the transcript is written once flushed');
  const events = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SessionEvent);
  assert.deepEqual(
    events.map((e) => e.type),
    ['session.start', 'user.message', 'session.title_changed', 'assistant.message', 'assistant.usage'],
  );
  assert.equal(events[1].data.content, 'say hi with [REDACTED:dynamic-secret]');
  await api.shutdown();
  await pipeline.close(2_000);
  const all = fs.readFileSync(file, 'utf8');
  assert.match(all, /"session\.shutdown".*"reason":"closed"/);
});
