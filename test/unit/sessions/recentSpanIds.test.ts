import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentSpanIds } from '../../../src/sessions/recentSpanIds';
import { prng } from '../../support/copilotSpans';

function hexId(rand: () => number, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

test('a span is recognised again until it is among the oldest past the capacity', () => {
  const rand = prng(3);
  const ids = Array.from({ length: 5_000 }, () => [hexId(rand, 32), hexId(rand, 16)] as const);
  const recent = new RecentSpanIds(3_000);
  for (const [trace, span] of ids) assert.equal(recent.add(trace, span), true);
  // The last 3,000 are remembered (the ring grew past its first size and wrapped meanwhile)…
  for (const [trace, span] of ids.slice(2_000)) assert.equal(recent.add(trace, span), false);
  // …the first 2,000 are forgotten: each comes back as new, pushing the oldest out in turn.
  for (const [trace, span] of ids.slice(0, 2_000)) assert.equal(recent.add(trace, span), true);
  for (const [trace, span] of ids.slice(2_000, 3_000)) assert.equal(recent.add(trace, span), true);
});

test('the same span id in another trace is another span', () => {
  const recent = new RecentSpanIds(10);
  const span = '00f067aa0ba902b7';
  assert.equal(recent.add('4bf92f3577b34da6a3ce929d0e0e4736', span), true);
  assert.equal(recent.add('4bf92f3577b34da6a3ce929d0e0e4737', span), true);
  assert.equal(recent.add('4bf92f3577b34da6a3ce929d0e0e4736', span), false);
});

test('ids that are not lowercase hex are remembered as they are, in the same order', () => {
  const recent = new RecentSpanIds(2);
  assert.equal(recent.add('trace-A', 'span-1'), true);
  assert.equal(recent.add('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'), true);
  assert.equal(recent.add('trace-A', 'span-1'), false);
  assert.equal(recent.add('4BF92F3577B34DA6A3CE929D0E0E4736', '00f067aa0ba902b7'), true, 'uppercase is another key');
  // Capacity 2: the odd one and then the hex one were pushed out by the two added since.
  assert.equal(recent.add('trace-A', 'span-1'), true);
  assert.equal(recent.add('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'), true);
});

function agreesWithFifoSet(seed: number, capacity: number, poolSize: number, steps: number): void {
  const rand = prng(seed);
  const pool = Array.from({ length: poolSize }, (_, i): [string, string] => (i % 7 === 0 ? [`odd-${i}`, 'x'] : [hexId(rand, 32), hexId(rand, 16)]));
  const recent = new RecentSpanIds(capacity);
  const model = new Set<string>();
  for (let step = 0; step < steps; step++) {
    const [trace, span] = pool[Math.floor(rand() * pool.length)];
    const key = `${trace}/${span}`;
    const fresh = !model.has(key);
    if (fresh) {
      model.add(key);
      if (model.size > capacity) model.delete(model.values().next().value as string);
    }
    assert.equal(recent.add(trace, span), fresh, `step ${step}`);
  }
}

test('agrees with a first-in first-out set over many repeats and evictions', () => {
  agreesWithFifoSet(11, 100, 300, 20_000);
  // Past the first ring size: the ring grows while odd and hex ids are both in it.
  agreesWithFifoSet(12, 2_500, 6_000, 40_000);
});
