import type { SpanRecord } from '../intake/spanRecord';
import { Attr, numberAttr, operationOf, stringAttr } from './genAiAttributes';
import type { SessionEventType } from './sessionEvent';
import type { Turn } from './turn';

/**
 * An event before the session stage gives it an id and a place in the session's chain. `spanId`,
 * `kind` and `index` are what the deterministic id is derived from (SPEC §6.2).
 */
export interface EventDraft {
  readonly spanId: string;
  readonly kind: string;
  readonly index: number;
  readonly timeMs: number;
  readonly type: SessionEventType;
  readonly data: Record<string, unknown>;
  readonly ephemeral?: boolean;
  readonly agentId?: string;
}

/** What a turn contributes to its session's per-model totals (carried by `session.shutdown`). */
export interface ModelUsage {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
}

export interface TranslatedTurn {
  readonly drafts: EventDraft[];
  readonly usage: ModelUsage[];
  /** The user's message of this turn, for the session title. */
  readonly userMessage: string | undefined;
  readonly selectedModel: string | undefined;
}

interface MessagePart {
  type?: string;
  content?: unknown;
  id?: unknown;
  name?: unknown;
  arguments?: unknown;
}
interface Message {
  role?: string;
  parts?: MessagePart[];
  content?: unknown;
}

/**
 * Translates a turn's span tree into session events in causal order (SPEC §4): the user message,
 * then for each model call its assistant message and tool requests, then the tool executions — in
 * start-time order, descending into sub-agents where they run. Handling spans one by one in arrival
 * order would put tool results before the user message that caused them.
 */
export function translateTurn(turn: Turn): TranslatedTurn {
  const children = new Map<string, SpanRecord[]>();
  const ids = new Set(turn.spans.map((s) => s.spanId));
  const orphans: SpanRecord[] = [];
  for (const span of turn.spans) {
    if (span === turn.root) {
      continue;
    }
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else {
      orphans.push(span);
    }
  }
  for (const list of children.values()) {
    list.sort(byStart);
  }

  const drafts: EventDraft[] = [];
  const usage: ModelUsage[] = [];
  const root = turn.root;
  const chatSpans = turn.spans.filter((s) => operationOf(s) === 'chat');
  // The root's output repeats the final answer of the last model call; it is used only when no
  // model call of the turn carries content, so the answer is never written twice.
  // Parsed once: model outputs can be large, and both the check below and the translation need them.
  const outputs = new Map(chatSpans.map((s) => [s.spanId, parseMessages(s.attributes[Attr.outputMessages])]));
  const chatContentExists = [...outputs.values()].some((messages) => messages.length > 0);

  // A late tail knows its root only from memory: the root's own content was emitted with its turn.
  const rootIsHere = root !== undefined && turn.spans.includes(root);
  let userMessage: string | undefined;
  if (root && rootIsHere) {
    userMessage = userMessageOf(root) ?? firstDefined(chatSpans, (s) => stringAttr(s.attributes, Attr.userRequest));
    if (userMessage !== undefined) {
      drafts.push({ spanId: root.spanId, kind: 'user', index: 0, timeMs: root.startTimeMs, type: 'user.message', data: { content: userMessage } });
    }
  }

  const visit = (span: SpanRecord, agentId: string | undefined): void => {
    switch (operationOf(span)) {
      case 'chat':
        translateChat(span, outputs.get(span.spanId) ?? [], agentId, drafts, usage);
        break;
      case 'execute_tool':
        translateTool(span, agentId, drafts, () => {
          for (const child of children.get(span.spanId) ?? []) {
            visit(child, agentId);
          }
        });
        return;
      case 'invoke_agent': {
        const subAgent = span === root ? agentId : subAgentId(span);
        for (const child of children.get(span.spanId) ?? []) {
          visit(child, subAgent);
        }
        return;
      }
      default:
        break;
    }
    for (const child of children.get(span.spanId) ?? []) {
      visit(child, agentId);
    }
  };

  if (root) {
    visit(root, undefined);
  }
  for (const orphan of orphans.sort(byStart)) {
    // A span whose parent never arrived: place it by its own kind; a sub-agent stays a sub-agent.
    visit(orphan, root && orphan !== root && operationOf(orphan) === 'invoke_agent' ? subAgentId(orphan) : undefined);
  }

  if (root && rootIsHere && !chatContentExists) {
    const answer = assistantContent(parseMessages(root.attributes[Attr.outputMessages]));
    if (answer.content || answer.toolRequests.length > 0) {
      drafts.push(assistantDraft(root, undefined, answer, root.endTimeMs));
    }
  }

  const selectedModel =
    (root && stringAttr(root.attributes, [Attr.requestModel, Attr.responseModel])) ??
    firstDefined(chatSpans, (s) => stringAttr(s.attributes, [Attr.requestModel, Attr.responseModel]));
  return { drafts, usage, userMessage, selectedModel };
}

function translateChat(span: SpanRecord, outputMessages: Message[], agentId: string | undefined, drafts: EventDraft[], usage: ModelUsage[]): void {
  const answer = assistantContent(outputMessages);
  if (answer.content || answer.toolRequests.length > 0) {
    drafts.push(assistantDraft(span, agentId, answer, span.endTimeMs));
  }
  const a = span.attributes;
  const inputTokens = numberAttr(a, Attr.inputTokens);
  const outputTokens = numberAttr(a, Attr.outputTokens);
  const model = stringAttr(a, [Attr.responseModel, Attr.requestModel]) ?? 'unknown';
  if (inputTokens === undefined && outputTokens === undefined) {
    return;
  }
  const cacheReadTokens = numberAttr(a, Attr.cacheReadTokens);
  const data: Record<string, unknown> = { model, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  setDefined(data, 'cacheReadTokens', cacheReadTokens);
  setDefined(data, 'cacheCreationTokens', numberAttr(a, Attr.cacheCreationTokens));
  setDefined(data, 'reasoningTokens', numberAttr(a, Attr.reasoningTokens));
  data.durationMs = duration(span);
  setDefined(data, 'timeToFirstTokenMs', numberAttr(a, Attr.timeToFirstToken));
  drafts.push({ spanId: span.spanId, kind: 'usage', index: 0, timeMs: span.endTimeMs, type: 'assistant.usage', data, ephemeral: true, agentId });
  usage.push({ model, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, cacheReadTokens: cacheReadTokens ?? 0 });
}

function translateTool(span: SpanRecord, agentId: string | undefined, drafts: EventDraft[], inside: () => void): void {
  const a = span.attributes;
  const toolCallId = stringAttr(a, Attr.toolCallId) ?? span.spanId;
  const toolName = stringAttr(a, Attr.toolName) ?? span.name.replace(/^execute_tool\s*/, '') ?? 'unknown';
  drafts.push({
    spanId: span.spanId,
    kind: 'tool-start',
    index: 0,
    timeMs: span.startTimeMs,
    type: 'tool.execution_start',
    data: { toolCallId, toolName, arguments: parseJsonish(a[Attr.toolArguments]) ?? {} },
    agentId,
  });
  inside();
  const success = span.status.code !== 2;
  const result = a[Attr.toolResult];
  const data: Record<string, unknown> = { toolCallId, toolName, success };
  setDefined(data, 'result', result === undefined || typeof result === 'string' ? result : JSON.stringify(result));
  if (!success) {
    data.error = span.status.message || stringAttr(a, Attr.errorType) || 'failed';
  }
  data.durationMs = duration(span);
  drafts.push({ spanId: span.spanId, kind: 'tool-complete', index: 0, timeMs: span.endTimeMs, type: 'tool.execution_complete', data, agentId });
}

interface AssistantContent {
  content: string;
  toolRequests: Array<{ toolCallId: string; name: string; arguments: unknown }>;
}

function assistantDraft(span: SpanRecord, agentId: string | undefined, answer: AssistantContent, timeMs: number): EventDraft {
  const data: Record<string, unknown> = { messageId: stringAttr(span.attributes, Attr.responseId) ?? span.spanId, content: answer.content };
  if (answer.toolRequests.length > 0) {
    data.toolRequests = answer.toolRequests;
  }
  return { spanId: span.spanId, kind: 'assistant', index: 0, timeMs, type: 'assistant.message', data, agentId };
}

function assistantContent(messages: Message[]): AssistantContent {
  const texts: string[] = [];
  const toolRequests: AssistantContent['toolRequests'] = [];
  for (const message of messages) {
    if (message.role && message.role !== 'assistant') {
      continue;
    }
    for (const part of partsOf(message)) {
      if (part.type === 'text' && typeof part.content === 'string') {
        texts.push(part.content);
      } else if (part.type === 'tool_call') {
        toolRequests.push({
          toolCallId: typeof part.id === 'string' ? part.id : '',
          name: typeof part.name === 'string' ? part.name : 'unknown',
          arguments: parseJsonish(part.arguments) ?? {},
        });
      }
    }
  }
  return { content: texts.join('\n\n'), toolRequests };
}

/** The user's words: Copilot's own attribute, else the last user message sent to the model. */
function userMessageOf(root: SpanRecord): string | undefined {
  const request = stringAttr(root.attributes, Attr.userRequest);
  if (request !== undefined) {
    return request;
  }
  const messages = parseMessages(root.attributes[Attr.inputMessages]);
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      const text = partsOf(messages[i])
        .filter((p) => p.type === 'text' && typeof p.content === 'string')
        .map((p) => p.content as string)
        .join('\n\n');
      if (text) {
        return text;
      }
    }
  }
  return undefined;
}

function partsOf(message: Message): MessagePart[] {
  if (Array.isArray(message.parts)) {
    return message.parts.filter((p): p is MessagePart => typeof p === 'object' && p !== null);
  }
  // Older GenAI conventions carried a plain `content` string.
  return typeof message.content === 'string' ? [{ type: 'text', content: message.content }] : [];
}

function parseMessages(value: unknown): Message[] {
  const parsed = parseJsonish(value);
  if (Array.isArray(parsed)) {
    return parsed.filter((m): m is Message => typeof m === 'object' && m !== null);
  }
  return [];
}

/** Attribute values that hold JSON are parsed; anything else is kept as it came. */
function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  const trimmed = value.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Stable and readable: the sub-agent's name and the start of its span id. */
function subAgentId(span: SpanRecord): string {
  const explicit = stringAttr(span.attributes, Attr.agentId);
  if (explicit) {
    return explicit;
  }
  const name = stringAttr(span.attributes, Attr.agentName) ?? span.name.replace(/^invoke_agent\s*/, '');
  return `${name || 'agent'}#${span.spanId.slice(0, 8)}`;
}

function duration(span: SpanRecord): number {
  return Math.max(0, Math.round(span.endTimeMs - span.startTimeMs));
}

function byStart(a: SpanRecord, b: SpanRecord): number {
  return a.startTimeMs - b.startTimeMs || a.endTimeMs - b.endTimeMs;
}

function firstDefined<T, R>(items: readonly T[], pick: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const value = pick(item);
    if (value !== undefined) {
      return value;
    }
  }
  return undefined;
}

/**
 * Optional fields are added only when present, in a fixed order (so the keys keep their order),
 * rather than written as undefined and then dropped: a `delete` would turn the object into a slow
 * dictionary that every later stage (redaction, size cap, serialisation) pays for.
 */
function setDefined(data: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) {
    data[key] = value;
  }
}
