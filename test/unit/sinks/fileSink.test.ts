import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import type { RoutedEvent, SessionEvent } from '../../../src/sessions/sessionEvent';
import { FileSink, fileNameOf } from '../../../src/sinks/fileSink';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'relay-filesink-'));
}

function ev(id: string, type: SessionEvent['type'], data: Record<string, unknown>, parentId: string | null = null): SessionEvent {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', parentId, type, data };
}

const session: RoutedEvent[] = [
  { sessionId: 's-1', event: ev('e1', 'session.start', { sessionId: 's-1', context: { repository: 'https://github.com/o/r' } }) },
  { sessionId: 's-1', event: ev('e2', 'user.message', { content: 'Hello **there**' }, 'e1') },
  { sessionId: 's-1', event: ev('e3', 'session.title_changed', { title: 'Hello there' }, 'e2') },
  { sessionId: 's-1', event: ev('e4', 'assistant.message', { messageId: 'm', content: 'Hi! Reading a file.', toolRequests: [{ toolCallId: 'c1', name: 'readFile', arguments: {} }] }, 'e3') },
  { sessionId: 's-1', event: ev('e5', 'tool.execution_start', { toolCallId: 'c1', toolName: 'readFile', arguments: { filePath: 'a.ts' } }, 'e4') },
  { sessionId: 's-1', event: ev('e6', 'tool.execution_complete', { toolCallId: 'c1', toolName: 'readFile', success: true, result: 'has ``` fences', durationMs: 12 }, 'e5') },
  { sessionId: 's-1', event: ev('e7', 'assistant.usage', { model: 'gpt-4o', inputTokens: 10, outputTokens: 5 }, 'e6') },
];

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

test('one jsonl line per event and a readable transcript per session', async () => {
  const dir = tmpDir();
  const sink = new FileSink(dir, silentLogger);
  await sink.deliver(session);
  const { jsonl, markdown } = sink.pathsOf('s-1');
  assert.deepEqual(lines(jsonl).map((l) => JSON.parse(l).id), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  const md = fs.readFileSync(markdown, 'utf8');
  assert.match(md, /^# Hello there/);
  assert.match(md, /\*\*Repository:\*\* https:\/\/github\.com\/o\/r/);
  assert.match(md, /<details>\n<summary>✅ Tool <code>readFile<\/code> · 12 ms<\/summary>/);
  assert.match(md, /````\nhas ``` fences\n````/, 'a fence longer than any run inside');
  assert.match(md, /\| gpt-4o \| 1 \| 10 \| 5 \| 0 \|/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['s-1.jsonl', 's-1.md'], 'no temporary files left behind');
});

test('events already written are never written again, across sink instances (re-import, restart)', async () => {
  const dir = tmpDir();
  await new FileSink(dir, silentLogger).deliver(session.slice(0, 4));
  const again = new FileSink(dir, silentLogger);
  await again.deliver(session);
  await again.deliver(session);
  const ids = lines(again.pathsOf('s-1').jsonl).map((l) => JSON.parse(l).id);
  assert.deepEqual(ids, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
});

test('a torn last record from a crash is cut and the event written whole on redelivery', async () => {
  const dir = tmpDir();
  const sink = new FileSink(dir, silentLogger);
  await sink.deliver(session.slice(0, 3));
  const { jsonl } = sink.pathsOf('s-1');
  fs.appendFileSync(jsonl, JSON.stringify(session[3].event).slice(0, 25));
  const warnings: string[] = [];
  const restarted = new FileSink(dir, { ...silentLogger, warn: (m) => warnings.push(m) });
  await restarted.deliver(session.slice(3));
  assert.deepEqual(lines(jsonl).map((l) => JSON.parse(l).id), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(warnings[0], /Hello/, 'the log names the file, never its content');
});

test('sessions get their own files, and odd session ids cannot escape the folder', async () => {
  const dir = tmpDir();
  const sink = new FileSink(dir, silentLogger);
  await sink.deliver([
    { sessionId: '../../etc/passwd', event: ev('x1', 'user.message', { content: 'a' }) },
    { sessionId: 'other', event: ev('x2', 'user.message', { content: 'b' }) },
  ]);
  const names = fs.readdirSync(dir).sort();
  assert.equal(names.length, 4);
  for (const name of names) {
    assert.ok(!name.includes('/') && !name.startsWith('.'));
  }
  assert.notEqual(fileNameOf('a/b'), fileNameOf('a_b'), 'sanitised ids do not collide with plain ones');
});

test('a session that ends is synced and its transcript shows the end', async () => {
  const dir = tmpDir();
  const sink = new FileSink(dir, silentLogger);
  await sink.deliver([...session, { sessionId: 's-1', event: ev('e8', 'session.shutdown', { reason: 'idle', usage: {} }, 'e7') }]);
  const md = fs.readFileSync(sink.pathsOf('s-1').markdown, 'utf8');
  assert.match(md, /Session ended \(idle\)/);
});
