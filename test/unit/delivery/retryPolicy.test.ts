import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, classify, DEFAULT_BACKOFF, parseRetryAfter } from '../../../src/delivery/retryPolicy';

/** Every row of the retry table of SPEC §8. */

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

test('network errors and timeouts (no status) are retried', () => {
  assert.deepEqual(classify({}, NOW), { kind: 'retry' });
});

test('408, 429, 500, 502, 503, 504 are retried', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    assert.deepEqual(classify({ status }, NOW), { kind: 'retry' }, String(status));
  }
});

test('Retry-After in seconds and as an HTTP date', () => {
  assert.deepEqual(classify({ status: 429, retryAfter: '7' }, NOW), { kind: 'retry', retryAfterMs: 7_000 });
  assert.deepEqual(classify({ status: 503, retryAfter: new Date(NOW + 12_000).toUTCString() }, NOW), { kind: 'retry', retryAfterMs: 12_000 });
  assert.equal(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon', NOW), undefined, 'garbage is ignored: plain backoff');
});

test('2xx and 409 (already stored) are success', () => {
  for (const status of [200, 201, 202, 204, 409]) assert.deepEqual(classify({ status }, NOW), { kind: 'success' }, String(status));
});

test('401 pauses, 403 blocks the session, 404 re-creates, 413 splits, other 4xx bisect', () => {
  assert.deepEqual(classify({ status: 401 }, NOW), { kind: 'unauthorized' });
  assert.deepEqual(classify({ status: 403 }, NOW), { kind: 'forbidden' });
  assert.deepEqual(classify({ status: 404 }, NOW), { kind: 'recreate' });
  assert.deepEqual(classify({ status: 413 }, NOW), { kind: 'split' });
  for (const status of [400, 410, 415, 422]) assert.deepEqual(classify({ status }, NOW), { kind: 'reject' }, String(status));
});

test('backoff: exponential from 500 ms, capped at 30 s, full jitter', () => {
  const top = () => 0.999999;
  assert.equal(backoffDelay(1, DEFAULT_BACKOFF, top), 499);
  assert.equal(backoffDelay(2, DEFAULT_BACKOFF, top), 999);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, top), 1_999);
  assert.equal(backoffDelay(7, DEFAULT_BACKOFF, top), 29_999);
  assert.equal(backoffDelay(30, DEFAULT_BACKOFF, top), 29_999, 'never above the cap');
  assert.equal(backoffDelay(5, DEFAULT_BACKOFF, () => 0), 0, 'full jitter reaches down to zero');
  assert.equal(backoffDelay(4, DEFAULT_BACKOFF, () => 0.5), 2_000);
});
