import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toSpanRecord } from '../../../src/intake/spanRecord';
import { translateTurn } from '../../../src/sessions/translate';
import type { Turn } from '../../../src/sessions/turn';
import { generateCopilotSpans } from '../../support/copilotSpans';
import { turnsOf } from '../../support/turns';

const generated = generateCopilotSpans([{ sessionId: 's1', turns: 2, startMs: Date.UTC(2026, 0, 1), subAgent: true, failingTool: true }], 3);
const turns = turnsOf(generated.spans.map(toSpanRecord));

test('events come in causal order: user, assistant with tool requests, tool executions, final answer', () => {
  const { drafts } = translateTurn(turns[0]);
  assert.deepEqual(
    drafts.map((d) => d.type),
    [
      'user.message',
      'assistant.message',
      'assistant.usage',
      'tool.execution_start',
      'tool.execution_complete',
      'tool.execution_start',
      'tool.execution_complete',
      'assistant.message',
      'assistant.usage',
    ],
  );
  const first = drafts[1].data as { toolRequests: Array<{ name: string; toolCallId: string }> };
  assert.deepEqual(first.toolRequests.map((r) => r.name), ['readFile', 'runInTerminal']);
  // Each tool execution answers one of the requests, by call id.
  assert.equal((drafts[3].data as { toolCallId: string }).toolCallId, first.toolRequests[0].toolCallId);
});

test('the final answer is written once: the root repeats it, but the chat span already has it', () => {
  const { drafts } = translateTurn(turns[0]);
  const answers = drafts.filter((d) => d.type === 'assistant.message' && String(d.data.content).startsWith('Fixed it'));
  assert.equal(answers.length, 1);
});

test("the root's output is used when no model call carries content", () => {
  const stripped: Turn = {
    ...turns[0],
    spans: turns[0].spans.map((s) => (s.attributes['gen_ai.operation.name'] === 'chat' ? { ...s, attributes: { ...s.attributes, 'gen_ai.output.messages': undefined } } : s)),
  };
  stripped.spans.forEach((s) => s.spanId === turns[0].root?.spanId && Object.assign(stripped, { root: s }));
  const { drafts } = translateTurn(stripped);
  const answers = drafts.filter((d) => d.type === 'assistant.message');
  assert.equal(answers.length, 1);
  assert.match(String(answers[0].data.content), /^Fixed it in turn 1/);
});

test('a failing tool is success:false with its error; a good one carries its result', () => {
  const { drafts } = translateTurn(turns[0]);
  const completes = drafts.filter((d) => d.type === 'tool.execution_complete');
  const failed = completes.find((d) => d.data.toolName === 'runInTerminal')!;
  assert.equal(failed.data.success, false);
  assert.equal(failed.data.error, 'command exited with code 1');
  const ok = completes.find((d) => d.data.toolName === 'readFile')!;
  assert.equal(ok.data.success, true);
  assert.equal(typeof ok.data.result, 'string');
  assert.ok(Number(ok.data.durationMs) > 0);
});

test("sub-agent events carry agentId and sit inside the runSubagent tool call", () => {
  const { drafts } = translateTurn(turns[1]);
  const types = drafts.map((d) => `${d.type}${d.agentId ? '@sub' : ''}:${String(d.data.toolName ?? '')}`);
  const start = types.indexOf('tool.execution_start:runSubagent');
  const end = types.indexOf('tool.execution_complete:runSubagent');
  assert.ok(start >= 0 && end > start);
  const inside = drafts.slice(start + 1, end);
  assert.ok(inside.length >= 4);
  for (const d of inside) {
    assert.match(d.agentId ?? '', /^Explore#[0-9a-f]{8}$/);
  }
  assert.ok(drafts.filter((d) => !d.agentId).length > 0, 'the main agent events have no agentId');
  assert.ok(drafts.every((d) => d.type !== 'user.message' || !d.agentId), 'the sub-agent prompt is not a user message');
});

test('usage per model call, with the response model and cache tokens', () => {
  const { usage, drafts } = translateTurn(turns[1]);
  assert.deepEqual(
    usage.map((u) => u.model),
    ['gpt-4o-2025', 'gpt-4o-mini', 'gpt-4o-2025'],
  );
  const first = drafts.find((d) => d.type === 'assistant.usage')!;
  assert.equal(first.ephemeral, true);
  assert.equal(first.data.cacheReadTokens, 1000);
  assert.equal(first.data.timeToFirstTokenMs, 420);
});

test('a turn without captured content yields tool events and usage but no empty messages', () => {
  const bare: Turn = {
    ...turns[0],
    spans: turns[0].spans.map((s) => {
      const { ['gen_ai.output.messages']: _o, ['gen_ai.input.messages']: _i, ['copilot_chat.user_request']: _u, ...rest } = s.attributes;
      return { ...s, attributes: rest };
    }),
  };
  Object.assign(bare, { root: bare.spans.find((s) => s.spanId === turns[0].root?.spanId) });
  const { drafts } = translateTurn(bare);
  assert.ok(!drafts.some((d) => d.type === 'user.message' || d.type === 'assistant.message'));
  assert.equal(drafts.filter((d) => d.type === 'tool.execution_complete').length, 2);
});
