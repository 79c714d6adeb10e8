import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import { ManualClock } from '../../../src/delivery/clock';
import { GithubIds } from '../../../src/repo/githubIds';
import { SessionsApiDestination } from '../../../src/sinks/sessionsApiSink';
import type { RoutedEvent } from '../../../src/sessions/sessionEvent';
import { SessionsApiServer } from '../../support/sessionsApiServer';
import { eventChain, until } from '../../support/remoteEvents';

/**
 * The adaptive timer of the Sessions API destination on an injected clock (real HTTP to a local
 * service underneath): no timer while idle, 500 ms while events wait, 200 ms above the soft cap,
 * immediately on session.shutdown, and backed off by Retry-After and the open circuit.
 */

const REPO = 'https://github.com/acme/widgets';
const ctx = (sessionId: string, urgent = false) => ({ urgent, session: { sessionId, repository: REPO, branch: null }, level: 'repo_and_user' as const });

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-sched-'));
  const server = new SessionsApiServer({ dataDir: path.join(dir, 'data'), repos: { 'acme/widgets': { ownerId: 1, repoId: 2 } } });
  await server.start();
  const clock = new ManualClock(1_000_000);
  const githubIds = new GithubIds({ apiBaseUrl: server.url, tokenProvider: async () => 'gh', clock, logger: silentLogger });
  const dest = new SessionsApiDestination({
    endpoint: server.url,
    tokenProvider: async () => 'tok',
    stateDir: path.join(dir, 'state'),
    githubIds,
    logger: silentLogger,
    clock,
    random: () => 0.5,
  });
  await dest.whenReady();
  const done = async () => {
    await dest.close(0);
    await githubIds.dispose();
    await server.close();
  };
  return { server, clock, dest, done };
}

function shutdownEvent(sessionId: string, index: number): RoutedEvent {
  const [e] = eventChain(sessionId, 1, index);
  return { sessionId, event: { ...e.event, type: 'session.shutdown', data: { reason: 'idle', usage: {} } } };
}

test('no timer runs while nothing is pending; 500 ms after events arrive; none again once delivered', async () => {
  const { clock, dest, server, done } = await setup();
  assert.equal(clock.pendingTimers, 0, 'idle: no timer');
  const start = clock.now();
  dest.enqueue(eventChain('s1', 3), ctx('s1'));
  assert.equal(clock.nextTimerAt, start + 500);
  clock.advance(499);
  assert.equal(server.log.length, 0, 'nothing sent before the cadence');
  clock.advance(1);
  await until(() => dest.status().delivered === 3, 10_000, 'delivery');
  await until(() => clock.pendingTimers === 0, 10_000, 'the timer to go');
  assert.equal(server.sessionByTask('s1')!.indexingLevel, 'repo_and_user');
  await done();
});

test('200 ms above the soft cap of 500', async () => {
  const { clock, dest, done } = await setup();
  const start = clock.now();
  dest.enqueue(eventChain('s2', 501), ctx('s2'));
  assert.equal(clock.nextTimerAt, start + 200);
  clock.advance(200);
  await until(() => dest.status().delivered === 501, 10_000, 'delivery');
  await done();
});

test('session.shutdown is sent at once, without waiting for the timer', async () => {
  const { clock, dest, done } = await setup();
  dest.enqueue([...eventChain('s3', 2), shutdownEvent('s3', 2)], ctx('s3', true));
  await until(() => dest.status().delivered === 3, 10_000, 'immediate delivery');
  assert.equal(clock.now(), 1_000_000, 'the clock never moved');
  await done();
});

test('Retry-After holds the next attempt back exactly that long', async () => {
  const { clock, dest, server, done } = await setup();
  server.queue.push({ kind: 'status', status: 429, retryAfter: '5' });
  dest.enqueue(eventChain('s4', 1), ctx('s4', true));
  await until(() => server.log.some((r) => r.kind === 'create'), 10_000, 'the refused request');
  await until(() => clock.pendingTimers === 1, 10_000, 'the backoff timer');
  assert.equal(clock.nextTimerAt, clock.now() + 5_000);
  clock.advance(4_999);
  assert.equal(dest.status().delivered, 0);
  clock.advance(1);
  await until(() => dest.status().delivered === 1, 10_000, 'delivery after Retry-After');
  await done();
});

test('while the circuit is open the timer waits for the probe time', async () => {
  const { clock, dest, server, done } = await setup();
  dest.enqueue(eventChain('s5', 1), ctx('s5', true));
  await until(() => dest.status().delivered === 1, 10_000, 'the session');
  for (let i = 0; i < 5; i++) server.queue.push({ kind: 'status', status: 503 });
  for (let i = 0; i < 5; i++) {
    // random() is 0.5: backoff after attempt n is 250·2^(n-1) ms.
    dest.enqueue(eventChain('s5', 1, 1 + i), ctx('s5', true));
    await until(() => server.log.filter((r) => r.kind === 'events').length === 2 + i, 10_000, `failure ${i + 1}`);
    await until(() => clock.pendingTimers === 1, 10_000, 'the timer');
    if (i < 4) clock.advance(clock.nextTimerAt! - clock.now());
  }
  assert.equal(dest.state, 'circuit-open');
  const backoff = 250 * 2 ** 4;
  assert.equal(clock.nextTimerAt, clock.now() + Math.max(1_000, backoff), 'the later of the probe time and the backoff');
  clock.advance(clock.nextTimerAt! - clock.now());
  await until(() => dest.status().delivered === 6, 10_000, 'the probe delivers');
  assert.equal(dest.state, 'ok');
  await done();
});
