import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toSpanRecord } from '../../../src/intake/spanRecord';
import type { SessionEvent } from '../../../src/sessions/sessionEvent';
import { SessionTracker } from '../../../src/sessions/tracker';
import type { Turn } from '../../../src/sessions/turn';
import { generateCopilotSpans } from '../../support/copilotSpans';
import { turnsOf } from '../../support/turns';
import { within } from '../../support/deadline';

function run(turns: Turn[], idleMs = 60_000) {
  const events: Array<{ sessionId: string; event: SessionEvent }> = [];
  const tracker = new SessionTracker((sessionId, list) => list.forEach((event) => events.push({ sessionId, event })), { idleMs, producerVersion: '9.9.9', redactor: { redact: (t) => t.replace(/ghp_\w+/g, '[REDACTED:github-token]') } });
  for (const t of turns) {
    tracker.acceptTurn(t);
  }
  return { events, tracker };
}

const spans = generateCopilotSpans(
  [
    { sessionId: 'one', turns: 2, startMs: Date.UTC(2026, 0, 1), repository: 'https://github.com/o/r', subAgent: true },
    { sessionId: 'two', turns: 1, startMs: Date.UTC(2026, 0, 2) },
  ],
  5,
).spans.map(toSpanRecord);

test('session.start once per session, first, with producer and repository context', () => {
  const { events, tracker } = run(turnsOf(spans));
  tracker.dispose();
  const starts = events.filter((e) => e.event.type === 'session.start');
  assert.deepEqual(starts.map((s) => s.sessionId), ['one', 'two']);
  const one = events.filter((e) => e.sessionId === 'one').map((e) => e.event);
  assert.equal(one[0].type, 'session.start');
  assert.equal(one[0].parentId, null);
  assert.equal(one[0].data.producer, 'session-relay');
  assert.equal(one[0].data.producerVersion, '9.9.9');
  assert.deepEqual(one[0].data.context, { repository: 'https://github.com/o/r', branch: 'main', headCommit: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' });
  assert.equal(one[0].timestamp, new Date(Date.UTC(2026, 0, 1) + 10).toISOString(), 'timestamps come from span times');
});

test('every event is chained to the previous one of its own session', () => {
  const { events, tracker } = run(turnsOf(spans));
  tracker.dispose();
  for (const id of ['one', 'two']) {
    const list = events.filter((e) => e.sessionId === id).map((e) => e.event);
    list.forEach((e, i) => assert.equal(e.parentId, i === 0 ? null : list[i - 1].id));
    assert.equal(new Set(list.map((e) => e.id)).size, list.length, 'ids are unique');
  }
});

test('the title is the first user message, one line, at most 60 characters, set once', () => {
  const { events, tracker } = run(turnsOf(spans));
  tracker.dispose();
  const titles = events.filter((e) => e.sessionId === 'one' && e.event.type === 'session.title_changed');
  assert.equal(titles.length, 1);
  const title = String(titles[0].event.data.title);
  assert.ok(title.length <= 60);
  assert.ok(title.startsWith('Why does the build fail?'));
  assert.equal(title, 'Why does the build fail? My token is [REDACTED:github-token]');
});

test('translating the same spans again yields the same ids (deterministic)', () => {
  const a = run(turnsOf(spans));
  const b = run(turnsOf(spans));
  a.tracker.dispose();
  b.tracker.dispose();
  assert.deepEqual(
    a.events.map((e) => e.event.id),
    b.events.map((e) => e.event.id),
  );
});

test('an idle session ends with per-model token totals; a late turn reopens it without a second start', async () => {
  const turns = turnsOf(spans).filter((t) => t.root?.attributes['copilot_chat.chat_session_id'] === 'one');
  const events: SessionEvent[] = [];
  let onShutdown: () => void = () => {};
  const tracker = new SessionTracker(
    (_id, list) => {
      events.push(...list);
      if (list.some((e) => e.type === 'session.shutdown')) {
        onShutdown();
      }
    },
    { idleMs: 25, producerVersion: '1', redactor: { redact: (t) => t } },
  );
  const ended = new Promise<void>((r) => (onShutdown = r));
  tracker.acceptTurn(turns[0]);
  await within(ended, 10_000, 'the idle shutdown');
  const shutdown = events.at(-1)!;
  assert.equal(shutdown.type, 'session.shutdown');
  assert.equal(shutdown.data.reason, 'idle');
  assert.deepEqual(shutdown.data.usage, { 'claude-sonnet-4-2025': { inputTokens: 3600, outputTokens: 230, cacheReadTokens: 1000, requests: 2 } });
  assert.equal(tracker.openSessions, 0);

  tracker.acceptTurn(turns[1]);
  assert.equal(events.filter((e) => e.type === 'session.start').length, 1);
  assert.equal(events[events.length - 1].parentId !== null, true);
  const afterReopen = events.slice(events.indexOf(shutdown) + 1);
  assert.equal(afterReopen[0].parentId, shutdown.id, 'the chain continues across the reopen');
  tracker.shutdownAll('closed');
  const last = events.at(-1)!;
  assert.equal(last.data.reason, 'closed');
  assert.equal((last.data.usage as Record<string, { requests: number }>)['gpt-4o-2025'].requests, 2);
  assert.equal((last.data.usage as Record<string, { requests: number }>)['gpt-4o-mini'].requests, 1, 'sub-agent usage folds into the session');
  tracker.dispose();
});

test('spans without any agent turn do not start a session and are counted', () => {
  const child = spans.find((s) => s.attributes['gen_ai.operation.name'] === 'chat')!;
  const { events, tracker } = run([{ traceId: child.traceId, root: undefined, spans: [child], complete: false }]);
  tracker.dispose();
  assert.equal(events.length, 0);
  assert.equal(tracker.droppedSpans, 1);
});
