import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capEventSize, MAX_EVENT_BYTES } from '../../../src/sessions/eventSize';
import type { SessionEvent } from '../../../src/sessions/sessionEvent';

function event(data: Record<string, unknown>): SessionEvent {
  return { id: 'e', timestamp: '2026-01-01T00:00:00.000Z', parentId: null, type: 'tool.execution_complete', data };
}

test('an event that fits is returned as it is', () => {
  const e = event({ result: 'short' });
  const capped = capEventSize(e);
  assert.equal(capped.event, e);
  assert.equal(capped.truncated, 0);
});

test('a long tool result is cut to fit 100 KiB with a visible marker, other fields intact', () => {
  const result = 'x'.repeat(300_000);
  const capped = capEventSize(event({ toolName: 'readFile', result, success: true }));
  const size = Buffer.byteLength(JSON.stringify(capped.event));
  assert.ok(size <= MAX_EVENT_BYTES, `size ${size}`);
  assert.ok(size > MAX_EVENT_BYTES - 1024, 'it keeps as much as fits');
  const cut = String(capped.event.data.result);
  const marker = /… \[truncated (\d+) chars\]$/.exec(cut);
  assert.ok(marker, 'marker present');
  assert.equal(cut.length - marker[0].length + Number(marker[1]), result.length, 'the marker counts what was removed');
  assert.equal(capped.event.data.toolName, 'readFile');
  assert.equal(capped.event.data.success, true);
});

test('multi-byte and escaped content is measured in bytes, not characters', () => {
  const capped = capEventSize(event({ a: '日本語'.repeat(30_000), b: '"\n'.repeat(40_000) }));
  assert.ok(Buffer.byteLength(JSON.stringify(capped.event)) <= MAX_EVENT_BYTES);
  assert.match(String(capped.event.data.a), /truncated/);
});

test('the original event is not modified', () => {
  const e = event({ result: 'y'.repeat(200_000) });
  capEventSize(e);
  assert.equal(String(e.data.result).length, 200_000);
});
