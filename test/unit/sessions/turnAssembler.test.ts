import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toSpanRecord, type SpanRecord } from '../../../src/intake/spanRecord';
import { translateTurn } from '../../../src/sessions/translate';
import { TurnAssembler } from '../../../src/sessions/turnAssembler';
import type { Turn } from '../../../src/sessions/turn';
import { generateCopilotSpans } from '../../support/copilotSpans';
import { within } from '../../support/deadline';

function records(): SpanRecord[] {
  return generateCopilotSpans([{ sessionId: 's1', turns: 2, startMs: Date.UTC(2026, 0, 1), subAgent: true }], 7).spans.map(toSpanRecord);
}

function isRoot(s: SpanRecord): boolean {
  return s.attributes['gen_ai.operation.name'] === 'invoke_agent' && !s.parentSpanId;
}

test('a turn is emitted when its root ends, with the children that arrived in earlier batches', () => {
  const turns: Turn[] = [];
  const assembler = new TurnAssembler((t) => turns.push(t), { turnTimeoutMs: 60_000, tailDelayMs: 1_000 });
  const spans = records();
  const firstRoot = spans.findIndex(isRoot);
  // Everything before the first root arrives in separate small batches, then the root alone.
  for (const span of spans.slice(0, firstRoot)) {
    assembler.add(span);
  }
  assert.equal(turns.length, 0, 'nothing is emitted before the root ends');
  assert.equal(assembler.pendingSpans, firstRoot);
  assembler.add(spans[firstRoot]);
  assert.equal(turns.length, 1);
  assert.equal(turns[0].complete, true);
  assert.equal(turns[0].root?.spanId, spans[firstRoot].spanId);
  assert.equal(turns[0].spans.length, firstRoot + 1);
  assert.equal(assembler.pendingSpans, 0);
  assembler.dispose();
});

test('spans delivered twice (an exporter retry) are assembled once', () => {
  const turns: Turn[] = [];
  const assembler = new TurnAssembler((t) => turns.push(t), { turnTimeoutMs: 60_000, tailDelayMs: 1_000 });
  for (const span of [...records(), ...records()]) {
    assembler.add(span);
  }
  assert.equal(turns.length, 2);
  assert.equal(assembler.duplicateSpans, records().length);
  assembler.dispose();
});

test('a tree whose root never comes is emitted after the timeout, incomplete, with its topmost agent as root', async () => {
  const spans = records();
  const firstRoot = spans.findIndex(isRoot);
  const emitted = new Promise<Turn>((resolve) => {
    const assembler = new TurnAssembler(resolve, { turnTimeoutMs: 30, tailDelayMs: 10 });
    for (const span of spans.slice(0, firstRoot)) {
      assembler.add(span);
    }
  });
  const turn = await within(emitted, 10_000, 'the timed-out turn');
  assert.equal(turn.complete, false);
  assert.equal(turn.spans.length, firstRoot);
  // No invoke_agent in the first turn's children, so there is no root to guess.
  assert.equal(turn.root, undefined);
});

test('flushAll emits waiting spans at once and stops their timers', () => {
  const turns: Turn[] = [];
  const assembler = new TurnAssembler((t) => turns.push(t), { turnTimeoutMs: 60_000, tailDelayMs: 1_000 });
  const spans = records();
  assembler.add(spans[0]);
  assembler.flushAll();
  assert.equal(turns.length, 1);
  assert.equal(turns[0].complete, false);
  assert.equal(assembler.pendingSpans, 0);
});

test('a late span of a turn already emitted comes out as a tail that knows its root', async () => {
  const spans = records();
  const firstRoot = spans.findIndex(isRoot);
  const turns: Turn[] = [];
  let resolveTail: (t: Turn) => void = () => {};
  const tail = new Promise<Turn>((r) => (resolveTail = r));
  const assembler = new TurnAssembler(
    (t) => {
      turns.push(t);
      if (!t.complete) {
        resolveTail(t);
      }
    },
    { turnTimeoutMs: 60_000, tailDelayMs: 20 },
  );
  const late = spans[0];
  for (const span of spans.slice(1, firstRoot + 1)) {
    assembler.add(span);
  }
  assembler.add(late);
  const t = await within(tail, 10_000, 'the tail');
  assert.equal(t.root?.spanId, spans[firstRoot].spanId);
  assert.deepEqual(t.spans.map((s) => s.spanId), [late.spanId]);
  assembler.dispose();
});

test("a tail's remembered root keeps what the tail needs and not the root's content", async () => {
  const spans = records();
  const rootIndex = spans.findIndex(isRoot);
  const root = spans[rootIndex];
  let resolveTail: (t: Turn) => void = () => {};
  const tail = new Promise<Turn>((r) => (resolveTail = r));
  const assembler = new TurnAssembler((t) => (t.complete ? undefined : resolveTail(t)), { turnTimeoutMs: 60_000, tailDelayMs: 20 });
  // Every child arrives late: the whole turn but its root is a tail.
  assembler.add(root);
  for (const span of spans.slice(0, rootIndex)) assembler.add(span);
  const t = await within(tail, 10_000, 'the tail');
  assembler.dispose();
  assert.ok(root.attributes['copilot_chat.user_request'] !== undefined && root.attributes['gen_ai.input.messages'] !== undefined);
  assert.equal(t.root?.attributes['copilot_chat.user_request'], undefined);
  assert.equal(t.root?.attributes['gen_ai.input.messages'], undefined);
  assert.equal(t.root?.attributes['gen_ai.output.messages'], undefined);
  assert.deepEqual({ ...t.root, attributes: undefined }, { ...root, attributes: undefined });
  // The tail translates exactly as it would with the whole root at hand.
  assert.deepEqual(translateTurn(t), translateTurn({ ...t, root }));
  const content = ['copilot_chat.user_request', 'gen_ai.input.messages', 'gen_ai.output.messages'];
  const withoutContent = Object.keys(root.attributes).filter((k) => !content.includes(k));
  assert.deepEqual(Object.keys(t.root?.attributes ?? {}), withoutContent);
});
