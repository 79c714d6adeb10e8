import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';

/**
 * Copilot-shaped span trees (SPEC §3.4) made with the real OpenTelemetry JS SDK: a turn is
 * `invoke_agent` → `chat` / `execute_tool` children, a sub-agent runs under `execute_tool
 * runSubagent`, children end before their parent. Content attributes are JSON strings in the GenAI
 * message format Copilot Chat writes when `captureContent` is on. Everything is seeded, so the
 * same options give the same spans (ids included).
 */

export interface PlantedSecrets {
  githubPat: string;
  awsAccessKeyId: string;
  awsSecretKey: string;
  openAiKey: string;
  postgresPassword: string;
  slackWebhook: string;
  pemBody: string;
  bearer: string;
}

export interface SessionSpec {
  sessionId: string;
  turns: number;
  startMs: number;
  repository?: string;
  /** Put a sub-agent in the second turn. */
  subAgent?: boolean;
  /** Give the last tool of each turn an ERROR status. */
  failingTool?: boolean;
  /** Session id attribute to use (Copilot builds differ). */
  sessionAttribute?: 'copilot_chat.chat_session_id' | 'gen_ai.conversation.id' | 'copilot_chat.session_id';
}

export interface GeneratedSpans {
  spans: ReadableSpan[];
  secrets: PlantedSecrets;
}

/** A small deterministic PRNG (mulberry32): fixtures must be the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomString(rand: () => number, length: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += alphabet[Math.floor(rand() * alphabet.length)];
  }
  return s;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';

/** Fake credentials in their real formats, made up from the seed — none of them works anywhere. */
export function plantSecrets(seed: number): PlantedSecrets {
  const rand = prng(seed);
  return {
    githubPat: `ghp_${randomString(rand, 36, ALNUM)}`,
    awsAccessKeyId: `AKIA${randomString(rand, 16, UPPER_NUM)}`,
    awsSecretKey: randomString(rand, 40, B64),
    openAiKey: `sk-proj-${randomString(rand, 48, ALNUM)}`,
    postgresPassword: `Pw${randomString(rand, 14, ALNUM)}`,
    slackWebhook: `https://hooks.slack.com/services/T${randomString(rand, 8, UPPER_NUM)}/B${randomString(rand, 8, UPPER_NUM)}/${randomString(rand, 24, ALNUM)}`,
    pemBody: randomString(rand, 64, B64),
    bearer: randomString(rand, 40, ALNUM),
  };
}

/** An id generator for the SDK so trace and span ids are seeded too. */
class SeededIds {
  constructor(private readonly rand: () => number) {}
  generateTraceId(): string {
    return randomString(this.rand, 32, '0123456789abcdef');
  }
  generateSpanId(): string {
    return randomString(this.rand, 16, '0123456789abcdef');
  }
}

interface Clock {
  now: number;
  tick(ms: number): number;
}

function message(role: string, parts: unknown[]): unknown {
  return { role, parts };
}

/** Generates the spans of several sessions; returns them in the order they ended. */
export function generateCopilotSpans(sessions: SessionSpec[], seed = 1): GeneratedSpans {
  const rand = prng(seed);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    idGenerator: new SeededIds(rand),
    resource: resourceFromAttributes({ 'service.name': 'copilot-chat', 'service.version': '0.40.0', 'session.id': 'vscode-window-1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('copilot-chat', '0.40.0');
  const secrets = plantSecrets(seed);
  for (const spec of sessions) {
    const clock: Clock = {
      now: spec.startMs,
      tick(ms) {
        this.now += ms;
        return this.now;
      },
    };
    for (let t = 0; t < spec.turns; t++) {
      emitTurn(tracer, spec, t, clock, secrets, rand);
      clock.tick(5_000);
    }
  }
  return { spans: exporter.getFinishedSpans(), secrets };
}

function emitTurn(tracer: Tracer, spec: SessionSpec, t: number, clock: Clock, secrets: PlantedSecrets, rand: () => number): void {
  const sessionKey = spec.sessionAttribute ?? 'copilot_chat.chat_session_id';
  const model = t % 2 === 0 ? 'claude-sonnet-4' : 'gpt-4o';
  const userText =
    t === 0
      ? `Why does the build fail? My token is ${secrets.githubPat} and the database is postgres://app:${secrets.postgresPassword}@db.internal:5432/app`
      : `Turn ${t + 1}: please fix the failing test in src/math.ts`;
  const repoAttrs: Attributes = spec.repository
    ? { 'github.copilot.git.repository': spec.repository, 'github.copilot.git.branch': 'main', 'github.copilot.git.commit_sha': 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' }
    : {};
  const root = tracer.startSpan(
    'invoke_agent GitHub Copilot Chat',
    {
      kind: SpanKind.INTERNAL,
      startTime: clock.tick(10),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'GitHub Copilot Chat',
        [sessionKey]: spec.sessionId,
        'gen_ai.request.model': model,
        'copilot_chat.user_request': userText,
        'gen_ai.input.messages': JSON.stringify([message('user', [{ type: 'text', content: userText }])]),
        ...repoAttrs,
      },
    },
    context.active(),
  );
  const rootCtx = trace.setSpan(context.active(), root);
  const child = (name: string, kind: SpanKind, attributes: Attributes, parent = rootCtx): Span => tracer.startSpan(name, { kind, startTime: clock.tick(5), attributes }, parent);

  // Model call 1: some text and two tool requests.
  const readId = `call_${randomString(rand, 12, ALNUM)}`;
  const termId = `call_${randomString(rand, 12, ALNUM)}`;
  const chat1 = child(`chat ${model}`, SpanKind.CLIENT, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model,
    [sessionKey]: spec.sessionId,
  });
  chat1.setAttributes({
    'gen_ai.response.model': `${model}-2025`,
    'gen_ai.response.id': `resp-${spec.sessionId}-${t}-1`,
    'gen_ai.usage.input_tokens': 1200 + t,
    'gen_ai.usage.output_tokens': 80,
    'gen_ai.usage.cache_read.input_tokens': 1000,
    'copilot_chat.time_to_first_token': 420,
    'gen_ai.output.messages': JSON.stringify([
      message('assistant', [
        { type: 'text', content: `Let me look at the files (turn ${t + 1}).` },
        { type: 'tool_call', id: readId, name: 'readFile', arguments: { filePath: '/repo/.env' } },
        { type: 'tool_call', id: termId, name: 'runInTerminal', arguments: { command: `curl -H "Authorization: Bearer ${secrets.bearer}" https://api.example.com` } },
      ]),
    ]),
  });
  chat1.end(clock.tick(900));

  const read = child('execute_tool readFile', SpanKind.INTERNAL, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'readFile',
    'gen_ai.tool.type': 'function',
    'gen_ai.tool.call.id': readId,
    'gen_ai.tool.call.arguments': JSON.stringify({ filePath: '/repo/.env' }),
  });
  read.setAttribute(
    'gen_ai.tool.call.result',
    JSON.stringify({
      content: `AWS_ACCESS_KEY_ID=${secrets.awsAccessKeyId}\naws_secret_access_key=${secrets.awsSecretKey}\nOPENAI_API_KEY=${secrets.openAiKey}\nSLACK_WEBHOOK=${secrets.slackWebhook}\nkey.json: {"private_key": "-----BEGIN PRIVATE KEY-----\\n${secrets.pemBody}\\n${secrets.pemBody}\\n-----END PRIVATE KEY-----\\n"}\nDATABASE_URL=postgres://localhost/dev`,
    }),
  );
  read.end(clock.tick(30));

  if (spec.subAgent && t === 1) {
    const subCallId = `call_${randomString(rand, 12, ALNUM)}`;
    const runSub = child('execute_tool runSubagent', SpanKind.INTERNAL, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'runSubagent',
      'gen_ai.tool.call.id': subCallId,
      'gen_ai.tool.call.arguments': JSON.stringify({ prompt: 'Find where add() is defined' }),
    });
    const runSubCtx = trace.setSpan(context.active(), runSub);
    const sub = child('invoke_agent Explore', SpanKind.INTERNAL, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Explore', 'gen_ai.conversation.id': `${spec.sessionId}-sub` }, runSubCtx);
    const subCtx = trace.setSpan(context.active(), sub);
    const subChat = child('chat gpt-4o-mini', SpanKind.CLIENT, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' }, subCtx);
    subChat.setAttributes({
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 20,
      'gen_ai.output.messages': JSON.stringify([message('assistant', [{ type: 'text', content: 'Searching for add().' }, { type: 'tool_call', id: 'call_grep1', name: 'grep', arguments: { pattern: 'function add' } }])]),
    });
    subChat.end(clock.tick(200));
    const grep = child('execute_tool grep', SpanKind.INTERNAL, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.id': 'call_grep1', 'gen_ai.tool.call.arguments': '{"pattern":"function add"}' }, subCtx);
    grep.setAttribute('gen_ai.tool.call.result', 'src/math.ts:3:export function add(a, b) {');
    grep.end(clock.tick(15));
    sub.end(clock.tick(5));
    runSub.setAttribute('gen_ai.tool.call.result', 'add() is defined in src/math.ts line 3');
    runSub.end(clock.tick(5));
  }

  const term = child('execute_tool runInTerminal', SpanKind.INTERNAL, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'runInTerminal',
    'gen_ai.tool.call.id': termId,
    'gen_ai.tool.call.arguments': JSON.stringify({ command: `curl -H "Authorization: Bearer ${secrets.bearer}" https://api.example.com` }),
  });
  if (spec.failingTool) {
    term.setStatus({ code: SpanStatusCode.ERROR, message: 'command exited with code 1' });
    term.setAttribute('gen_ai.tool.call.result', 'curl: (6) Could not resolve host');
  } else {
    term.setAttribute('gen_ai.tool.call.result', '{"ok":true}');
  }
  term.end(clock.tick(250));

  // Model call 2: the final answer.
  const answer = `Fixed it in turn ${t + 1}: the test expected add(2, 2) to be 4.`;
  const chat2 = child(`chat ${model}`, SpanKind.CLIENT, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model });
  chat2.setAttributes({
    'gen_ai.response.model': `${model}-2025`,
    'gen_ai.usage.input_tokens': 2400,
    'gen_ai.usage.output_tokens': 150,
    'gen_ai.output.messages': JSON.stringify([message('assistant', [{ type: 'text', content: answer }])]),
  });
  chat2.end(clock.tick(700));

  root.setAttribute('gen_ai.output.messages', JSON.stringify([message('assistant', [{ type: 'text', content: answer }])]));
  root.end(clock.tick(5));
}

/**
 * A span in the shape Copilot Chat's own file exporter writes (`github.copilot.chat.otel.outfile`):
 * the ReadableSpan fields with HrTime arrays and plain attribute maps, one JSON object per line.
 */
export function toCopilotOutfileLine(span: ReadableSpan): string {
  const ctx = span.spanContext();
  return JSON.stringify({
    resource: { attributes: span.resource.attributes },
    instrumentationScope: span.instrumentationScope,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    traceFlags: ctx.traceFlags,
    traceState: ctx.traceState?.serialize(),
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    ended: span.ended,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  });
}

/** The multi-session export used by the README's main command and the end-to-end tests. */
export function standardExport(): GeneratedSpans {
  const start = Date.UTC(2026, 10, 2, 9, 0, 0);
  return generateCopilotSpans(
    [
      { sessionId: 'a3c1e5b0-1f2d-4c6e-9a8b-0d1e2f3a4b5c', turns: 3, startMs: start, repository: 'https://github.com/octo-org/hello-world.git', subAgent: true, failingTool: true },
      { sessionId: 'b7d2f6c1-2e3f-4d7a-8b9c-1e2f3a4b5c6d', turns: 2, startMs: start + 60_000, repository: 'git@github.com:octo-org/api-server.git', sessionAttribute: 'gen_ai.conversation.id' },
      { sessionId: 'c9e3a7d2-3f4a-4e8b-9cad-2f3a4b5c6d7e', turns: 1, startMs: start + 120_000, sessionAttribute: 'copilot_chat.session_id' },
    ],
    20261102,
  );
}
