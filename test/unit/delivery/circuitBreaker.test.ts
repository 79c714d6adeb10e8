import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../../src/delivery/circuitBreaker';
import { ManualClock } from '../../../src/delivery/clock';

/** The breaker's timings on an injected clock: 5 failures, probe after 1 s doubling to 30 s. */

function failTimes(breaker: CircuitBreaker, n: number): void {
  for (let i = 0; i < n; i++) {
    assert.ok(breaker.tryAcquire());
    breaker.onFailure();
  }
}

test('opens after 5 consecutive failures, not before', () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker(clock);
  failTimes(breaker, 4);
  assert.equal(breaker.state, 'closed');
  breaker.onSuccess(); // a success resets the count
  failTimes(breaker, 4);
  assert.equal(breaker.state, 'closed');
  failTimes(breaker, 1);
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.tryAcquire(), false);
  assert.equal(breaker.retryAt, 1_000);
});

test('half-open after 1 s with exactly one probe at a time', () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker(clock);
  failTimes(breaker, 5);
  clock.advance(999);
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.tryAcquire(), false);
  clock.advance(1);
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.tryAcquire(), true, 'the probe');
  assert.equal(breaker.tryAcquire(), false, 'no second request while the probe is out');
  assert.equal(breaker.retryAt, Infinity, 'callers wait for the probe');
  breaker.onSuccess();
  assert.equal(breaker.state, 'closed');
  assert.equal(breaker.tryAcquire(), true);
});

test('a failed probe doubles the wait: 1, 2, 4, 8, 16, 30, 30 s', () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker(clock);
  failTimes(breaker, 5);
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    const openedAt = clock.now();
    const wait = breaker.retryAt - openedAt;
    waits.push(wait);
    clock.advance(wait - 1);
    assert.equal(breaker.tryAcquire(), false, `still open just before ${wait} ms`);
    clock.advance(1);
    assert.equal(breaker.tryAcquire(), true, `probe at ${wait} ms`);
    breaker.onFailure();
  }
  assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  // After a successful probe the next opening starts at 1 s again.
  clock.advance(30_000);
  assert.ok(breaker.tryAcquire());
  breaker.onSuccess();
  failTimes(breaker, 5);
  assert.equal(breaker.retryAt - clock.now(), 1_000);
});
