import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayFilter } from '../../../src/delivery/replayFilter';
import { eventChain } from '../../support/remoteEvents';

/** After a restart, the replayed prefix up to the watermark is recognised, never guessed. */

const chain = (n: number, from = 0) => eventChain('s', n, from).map((e) => e.event);

test('the replayed prefix up to the watermark is recognised as delivered, the rest goes out', () => {
  const filter = new ReplayFilter([['s', 's-4']]);
  const first = filter.filter('s', chain(3));
  assert.deepEqual(first, { admit: [], delivered: 0 }, 'held while the chain is checked');
  const second = filter.filter('s', chain(4, 3));
  assert.equal(second.delivered, 5);
  assert.deepEqual(second.admit.map((e) => e.id), ['s-5', 's-6']);
  assert.deepEqual(filter.filter('s', chain(1, 7)).admit.map((e) => e.id), ['s-7']);
});

test('a stream that does not start at the session start is not a replay', () => {
  const filter = new ReplayFilter([['s', 's-4']]);
  assert.deepEqual(filter.filter('s', chain(2, 10)).admit.map((e) => e.id), ['s-10', 's-11']);
});

test('a broken chain lets every held event go out: nothing is skipped on a guess', () => {
  const filter = new ReplayFilter([['s', 's-9']]);
  assert.equal(filter.filter('s', chain(3)).admit.length, 0);
  const other = { ...chain(1, 5)[0], parentId: 'somewhere-else' };
  assert.deepEqual(filter.filter('s', [other]).admit.map((e) => e.id), ['s-0', 's-1', 's-2', 's-5']);
});

test('held events are released at shutdown; unknown sessions pass straight through', () => {
  const filter = new ReplayFilter([['s', 's-9']]);
  filter.filter('s', chain(2));
  assert.deepEqual(filter.filter('t', eventChain('t', 2).map((e) => e.event)).admit.length, 2);
  const released = filter.release();
  assert.deepEqual(released.map((r) => [r.sessionId, r.events.map((e) => e.id)]), [['s', ['s-0', 's-1']]]);
  assert.deepEqual(filter.release(), []);
});
