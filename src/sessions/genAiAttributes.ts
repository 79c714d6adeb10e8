import type { AttributeValue, Attributes, SpanRecord } from '../intake/spanRecord';

/**
 * The span attributes Session Relay reads (SPEC §3.4): OpenTelemetry GenAI semantic conventions plus
 * the Copilot Chat extensions. Where producers disagree on a name, the alternatives are listed in
 * order of preference.
 */
export const Attr = {
  operation: 'gen_ai.operation.name',
  sessionIds: ['copilot_chat.chat_session_id', 'gen_ai.conversation.id', 'copilot_chat.session_id'],
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  userRequest: 'copilot_chat.user_request',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolArguments: 'gen_ai.tool.call.arguments',
  toolResult: 'gen_ai.tool.call.result',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  agentName: 'gen_ai.agent.name',
  agentId: 'gen_ai.agent.id',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  // The spec's name first; Copilot Chat builds have shipped the second.
  reasoningTokens: ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens'],
  timeToFirstToken: 'copilot_chat.time_to_first_token',
  errorType: 'error.type',
  repository: ['github.copilot.git.repository', 'copilot_chat.repo.remote_url'],
  branch: ['github.copilot.git.branch', 'copilot_chat.repo.head_branch_name'],
  commit: ['github.copilot.git.commit_sha', 'copilot_chat.repo.head_commit_hash'],
} as const;

export type Operation = 'invoke_agent' | 'chat' | 'execute_tool' | 'embeddings' | 'execute_hook' | 'other';

const KNOWN_OPERATIONS = new Set<Operation>(['invoke_agent', 'chat', 'execute_tool', 'embeddings', 'execute_hook']);

/**
 * The GenAI operation of a span. The attribute is authoritative; span names (`chat gpt-4o`,
 * `execute_tool readFile`) are the fallback because some producers only follow the naming rule.
 */
export function operationOf(span: SpanRecord): Operation {
  const declared = span.attributes[Attr.operation];
  const candidate = typeof declared === 'string' ? declared : span.name.split(' ', 1)[0];
  return KNOWN_OPERATIONS.has(candidate as Operation) ? (candidate as Operation) : 'other';
}

// Both readers run several times per span: a single key is read directly rather than through a
// one-element array made per call.

export function stringAttr(attributes: Attributes, key: string | readonly string[]): string | undefined {
  return firstPresent(attributes, key, stringValue);
}

export function numberAttr(attributes: Attributes, key: string | readonly string[]): number | undefined {
  return firstPresent(attributes, key, numberValue);
}

/** `read` of the attribute `key`, or of the first of several keys it gives a value for. */
function firstPresent<T>(attributes: Attributes, key: string | readonly string[], read: (value: AttributeValue | undefined) => T | undefined): T | undefined {
  if (typeof key === 'string') {
    return read(attributes[key]);
  }
  for (const k of key) {
    const value = read(attributes[k]);
    if (value !== undefined) {
      return value;
    }
  }
  return undefined;
}

function stringValue(value: AttributeValue | undefined): string | undefined {
  if (typeof value === 'string') {
    return value.length > 0 ? value : undefined;
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function numberValue(value: AttributeValue | undefined): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The chat session of a turn: on each span in order (the root first), the first present of the
 * session attributes wins (SPEC §3.4).
 */
export function sessionIdOf(spans: readonly SpanRecord[]): string | undefined {
  for (const span of spans) {
    const value = stringAttr(span.attributes, Attr.sessionIds);
    if (value) {
      return value;
    }
  }
  return undefined;
}

/** A repository attribute from the spans, then from their resource. */
export function firstAttr(spans: readonly SpanRecord[], key: readonly string[]): string | undefined {
  for (const span of spans) {
    const value = stringAttr(span.attributes, key) ?? stringAttr(span.resource, key);
    if (value) {
      return value;
    }
  }
  return undefined;
}
