/**
 * Copilot-shaped OTLP export requests for the intake and receiver benchmarks: the span trees of
 * many concurrent chat sessions made by the test generator (test/support/copilotSpans.ts, the real
 * OpenTelemetry SDK), their content grown to realistic sizes, cut into batches the way the SDK's
 * BatchSpanProcessor cuts them, and serialised by the real OTLP exporter serializers — byte for
 * byte what Copilot Chat's exporter puts on the wire (http/json by default, http/protobuf).
 */
import type { Attributes } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateCopilotSpans, prng, type SessionSpec } from '../../test/support/copilotSpans';
import { generateWorkload } from '../redaction/workload';

export interface ExportRequest {
  /** `ExportTraceServiceRequest` as OTLP/JSON (Copilot Chat's default protocol). */
  readonly json: Uint8Array;
  readonly protobuf: Uint8Array;
  readonly spans: number;
}

export interface OtlpWorkload {
  readonly requests: readonly ExportRequest[];
  readonly spans: number;
  readonly sessions: number;
  readonly jsonBytes: number;
  readonly protobufBytes: number;
}

export interface OtlpWorkloadOptions {
  readonly sessions: number;
  readonly seed: number;
}

// The BatchSpanProcessor defaults Copilot Chat's exporter runs with: an export every 5 s, at most
// 512 spans per request.
const SCHEDULED_DELAY_MS = 5_000;
const MAX_EXPORT_BATCH = 512;
// Tool outputs (files read, terminal and test output, API responses) are cut to this size.
const MAX_TOOL_OUTPUT_CHARS = 8 * 1024;
const REPOSITORIES = [
  'https://github.com/octo-org/hello-world.git',
  'git@github.com:octo-org/api-server.git',
  'https://github.com/octo-org/web-frontend',
  undefined,
];
const SESSION_ATTRIBUTES = ['copilot_chat.chat_session_id', 'gen_ai.conversation.id', 'copilot_chat.session_id'] as const;

export function generateOtlpWorkload(options: OtlpWorkloadOptions): OtlpWorkload {
  const rand = prng(options.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const start = Date.UTC(2026, 10, 2, 9, 0, 0);
  // Sessions overlap (agents in several chat panels): each starts 3 s after the previous one.
  const specs: SessionSpec[] = [];
  for (let i = 0; i < options.sessions; i++) {
    specs.push({
      sessionId: `${options.seed.toString(16)}-${i.toString(16).padStart(4, '0')}-4c6e-9a8b-0d1e2f3a4b5c`,
      turns: 2 + int(5),
      startMs: start + i * 3_000,
      repository: REPOSITORIES[i % REPOSITORIES.length],
      subAgent: i % 3 === 0,
      failingTool: i % 4 === 1,
      sessionAttribute: SESSION_ATTRIBUTES[i % SESSION_ATTRIBUTES.length],
    });
  }
  const { spans } = generateCopilotSpans(specs, options.seed);
  const content = new ContentSource(options.seed, spans.length);
  const grown = spans.map((span) => withAttributes(span, grow(span, content, int)));

  const requests: ExportRequest[] = [];
  let jsonBytes = 0;
  let protobufBytes = 0;
  for (const batch of exportBatches(grown)) {
    const json = JsonTraceSerializer.serializeRequest(batch);
    const protobuf = ProtobufTraceSerializer.serializeRequest(batch);
    if (!json || !protobuf) throw new Error('OTLP serializer returned nothing');
    requests.push({ json, protobuf, spans: batch.length });
    jsonBytes += json.byteLength;
    protobufBytes += protobuf.byteLength;
  }
  return { requests, spans: spans.length, sessions: specs.length, jsonBytes, protobufBytes };
}

/**
 * Realistic text for tool outputs (source files, logs, git output, JSON responses, lockfiles with
 * about one secret per 10 KB), taken from the redaction benchmark's seeded generator.
 */
class ContentSource {
  private readonly documents: readonly string[];
  private next = 0;

  constructor(seed: number, spans: number) {
    // About one tool output per three spans, 4 KB on average.
    this.documents = generateWorkload(Math.max(64 * 1024, spans * 1500), seed).documents;
  }

  toolOutput(): string {
    const doc = this.documents[this.next++ % this.documents.length] as string;
    if (doc.length <= MAX_TOOL_OUTPUT_CHARS) return doc;
    const cut = doc.lastIndexOf('\n', MAX_TOOL_OUTPUT_CHARS);
    return doc.slice(0, cut > 0 ? cut : MAX_TOOL_OUTPUT_CHARS);
  }

  /** A paragraph of prose-like text of about `chars` characters. */
  prose(chars: number): string {
    const words = this.toolOutput().split(/\s+/).filter((w) => /^[a-z]+$/i.test(w));
    let out = '';
    for (let i = 0; out.length < chars && words.length > 0; i++) out += (i > 0 ? ' ' : '') + words[i % words.length];
    return out;
  }
}

const SYSTEM_PROMPT_CHARS = 1_500;

/**
 * The generator's spans carry short stand-ins for content; Copilot's carry the real thing. Tool
 * results become several-KB outputs (the planted secrets kept), answers become paragraphs, model
 * calls get their prompt (`gen_ai.input.messages`: system instructions and the user's request),
 * and some user requests carry a pasted snippet.
 */
function grow(span: ReadableSpan, content: ContentSource, int: (n: number) => number): Attributes {
  const a: Attributes = { ...span.attributes };
  const operation = a['gen_ai.operation.name'];
  if (operation === 'execute_tool' && typeof a['gen_ai.tool.call.result'] === 'string') {
    a['gen_ai.tool.call.result'] = `${a['gen_ai.tool.call.result']}\n${content.toolOutput()}`;
  }
  if (operation === 'chat') {
    const out = parse(a['gen_ai.output.messages']);
    const part = out?.[0]?.parts?.find((p) => p.type === 'text');
    if (out && part) {
      part.content = `${String(part.content)}\n\n${content.prose(300 + int(1_700))}`;
      a['gen_ai.output.messages'] = JSON.stringify(out);
    }
    a['gen_ai.input.messages'] = JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: content.prose(SYSTEM_PROMPT_CHARS) }] },
      { role: 'user', parts: [{ type: 'text', content: content.prose(200 + int(800)) }] },
    ]);
  }
  if (operation === 'invoke_agent' && typeof a['copilot_chat.user_request'] === 'string' && int(3) === 0) {
    const request = `${a['copilot_chat.user_request']}\n\n\`\`\`\n${content.toolOutput().slice(0, 200 + int(1_300))}\n\`\`\``;
    a['copilot_chat.user_request'] = request;
    a['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: request }] }]);
  }
  return a;
}

interface Message {
  parts?: Array<{ type?: string; content?: unknown }>;
}

function parse(value: unknown): Message[] | undefined {
  return typeof value === 'string' ? (JSON.parse(value) as Message[]) : undefined;
}

/** The same span with other attributes; everything else (ids, times, resource) is the SDK's own. */
function withAttributes(span: ReadableSpan, attributes: Attributes): ReadableSpan {
  return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
}

/**
 * Spans in the order they ended, one export per 5 s of end time, at most 512 per request — what
 * the BatchSpanProcessor sends. A turn's children and its root often land in different requests.
 */
function exportBatches(spans: readonly ReadableSpan[]): ReadableSpan[][] {
  const ordered = [...spans].sort((x, y) => hrTimeToMilliseconds(x.endTime) - hrTimeToMilliseconds(y.endTime));
  const batches: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  let windowEnd = -Infinity;
  for (const span of ordered) {
    const end = hrTimeToMilliseconds(span.endTime);
    if (current.length === MAX_EXPORT_BATCH || (current.length > 0 && end >= windowEnd)) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) windowEnd = end + SCHEDULED_DELAY_MS;
    current.push(span);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
