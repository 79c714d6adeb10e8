import type { SessionEvent } from '../sessions/sessionEvent';

interface Totals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  requests: number;
}

/**
 * A readable transcript of one session (SPEC §9.1): title, repository, the user's and the
 * assistant's turns, tool calls folded away in `<details>`, token totals per model. Rendered from
 * the session's events, which were redacted before they got here.
 */
export function renderTranscript(events: readonly SessionEvent[]): string {
  const start = events.find((e) => e.type === 'session.start');
  const titleEvent = [...events].reverse().find((e) => e.type === 'session.title_changed');
  const sessionId = str(start?.data.sessionId) ?? 'unknown session';
  const title = str(titleEvent?.data.title) ?? `Session ${sessionId}`;
  const context = (start?.data.context ?? {}) as Record<string, unknown>;

  const out: string[] = [`# ${inline(title)}`, ''];
  const facts: Array<[string, string | undefined]> = [
    ['Session', sessionId],
    ['Started', str(start?.data.startTime) ?? events[0]?.timestamp],
    ['Repository', str(context.repository)],
    ['Branch', str(context.branch)],
    ['Commit', str(context.headCommit)],
    ['Model', str(start?.data.selectedModel)],
  ];
  for (const [label, value] of facts) {
    if (value) {
      out.push(`- **${label}:** ${inline(value)}`);
    }
  }
  out.push('');

  const totals = new Map<string, Totals>();
  const toolArguments = new Map<unknown, unknown>();
  for (const event of events) {
    if (event.type === 'tool.execution_start') {
      toolArguments.set(event.data.toolCallId, event.data.arguments);
    }
  }
  for (const event of events) {
    const agent = event.agentId ? ` _(sub-agent ${inline(event.agentId)})_` : '';
    switch (event.type) {
      case 'user.message':
        out.push(`## User${agent}`, '', `<sub>${event.timestamp}</sub>`, '', text(event.data.content), '');
        break;
      case 'assistant.message': {
        const content = text(event.data.content);
        out.push(`### Assistant${agent}`, '');
        if (content) {
          out.push(content, '');
        }
        const requests = Array.isArray(event.data.toolRequests) ? (event.data.toolRequests as Array<Record<string, unknown>>) : [];
        for (const request of requests) {
          out.push(`- requests tool \`${inline(str(request.name) ?? 'unknown')}\``);
        }
        if (requests.length > 0) {
          out.push('');
        }
        break;
      }
      case 'tool.execution_complete': {
        const ok = event.data.success !== false;
        const args = toolArguments.get(event.data.toolCallId);
        // Inside <summary> Markdown is not rendered: HTML only.
        const by = event.agentId ? ` <i>(sub-agent ${html(event.agentId)})</i>` : '';
        const summary = `${ok ? '✅' : '❌'} Tool <code>${html(str(event.data.toolName) ?? 'unknown')}</code> · ${Number(event.data.durationMs ?? 0)} ms${by}`;
        out.push('<details>', `<summary>${summary}</summary>`, '');
        if (args !== undefined && !(typeof args === 'object' && args !== null && Object.keys(args).length === 0)) {
          out.push('Arguments:', '', fence(typeof args === 'string' ? args : JSON.stringify(args, null, 2)), '');
        }
        if (!ok && event.data.error) {
          out.push(`Error: ${inline(String(event.data.error))}`, '');
        }
        if (typeof event.data.result === 'string' && event.data.result !== '') {
          out.push('Result:', '', fence(event.data.result), '');
        }
        out.push('</details>', '');
        break;
      }
      case 'assistant.usage': {
        const model = str(event.data.model) ?? 'unknown';
        const t = totals.get(model) ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, requests: 0 };
        t.inputTokens += Number(event.data.inputTokens ?? 0);
        t.outputTokens += Number(event.data.outputTokens ?? 0);
        t.cacheReadTokens += Number(event.data.cacheReadTokens ?? 0);
        t.requests += 1;
        totals.set(model, t);
        break;
      }
      case 'session.shutdown':
        out.push(`<sub>Session ended (${inline(str(event.data.reason) ?? 'unknown')}) · ${event.timestamp}</sub>`, '');
        break;
      default:
        break;
    }
  }

  if (totals.size > 0) {
    out.push('## Token usage', '', '| Model | Requests | Input | Output | Cache read |', '|---|---:|---:|---:|---:|');
    for (const [model, t] of totals) {
      out.push(`| ${inline(model).replace(/\|/g, '\\|')} | ${t.requests} | ${t.inputTokens} | ${t.outputTokens} | ${t.cacheReadTokens} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

/** One line, no Markdown surprises from ids or titles. */
function inline(value: string): string {
  return value.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>#])/g, '\\$1');
}

function html(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code fence longer than any backtick run inside, so tool output can never close it early. */
function fence(body: string): string {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}\n${body}\n${ticks}`;
}
