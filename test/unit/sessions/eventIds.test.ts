import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EventIds } from '../../../src/sessions/eventIds';
import { prng } from '../../support/copilotSpans';

const ids = new EventIds();
const eventId = (sessionId: string, spanId: string, kind: string, index?: number): string => ids.id(sessionId, spanId, kind, index);

/** RFC 4122 §4.3 spelled out with a Hash object: what every id ever persisted was computed with. */
function uuidV5(sessionId: string, spanId: string, kind: string, index: number): string {
  const hash = createHash('sha1')
    .update(Buffer.from('6f1c9a52d7e04b8f9c3e2a1b5d4f7e60', 'hex'))
    .update(`${sessionId}\u0000${spanId}\u0000${kind}\u0000${index}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

test('ids already persisted stay the same', () => {
  assert.equal(eventId('a3c1e5b0-1f2d-4c6e-9a8b-0d1e2f3a4b5c', '0123456789abcdef', 'tool-complete', 0), 'a2a46f45-b21a-5c09-b921-2349716c0804');
  assert.equal(eventId('a3c1e5b0-1f2d-4c6e-9a8b-0d1e2f3a4b5c', '', 'start', 0), '9f6bbc16-afa4-5327-9b73-472824de4b01');
  assert.equal(eventId('sessão-日本語-😀', '00f067aa0ba902b7', 'assistant', 3), '102b1de9-9e2c-57a3-a5ef-e71b7534da98');
  assert.equal(eventId('s', 'a', 'user'), 'adcaa5da-21e1-5da5-8cc6-fb2c9cc0dbcd');
});

test('a name longer than any before is hashed whole, and shorter ones after it still are', () => {
  assert.equal(eventId('x'.repeat(5000), '00f067aa0ba902b7', 'user', 0), '1755421e-4873-59c8-8213-b5cfb4c9799f');
  assert.equal(eventId('s', 'a', 'user'), 'adcaa5da-21e1-5da5-8cc6-fb2c9cc0dbcd');
});

test('seeded random names, non-ASCII and lone surrogates included, hash as RFC 4122 version 5', () => {
  const rand = prng(11);
  const alphabet = ['a', 'Z', '0', '-', ' ', '\u0000', 'é', 'ß', '日', '😀', '\ud800', '\udc00'];
  const text = (max: number): string => {
    let out = '';
    for (let n = Math.floor(rand() * max); n > 0; n--) out += alphabet[Math.floor(rand() * alphabet.length)];
    return out;
  };
  for (let i = 0; i < 5_000; i++) {
    const args = [text(i % 100 === 0 ? 3_000 : 60), text(20), text(16), Math.floor(rand() * 1_000)] as const;
    const id = eventId(...args);
    assert.equal(id, uuidV5(...args), `for ${JSON.stringify(args)}`);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
});
