import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { silentLogger, type Logger } from '../../../src/common/logger';
import { systemClock } from '../../../src/delivery/clock';
import { GithubIds } from '../../../src/repo/githubIds';
import { SessionsApiDestination, type SessionsApiOptions } from '../../../src/sinks/sessionsApiSink';
import { SessionsApiServer } from '../../support/sessionsApiServer';
import { eventChain, until } from '../../support/remoteEvents';
import type { RoutedEvent, SessionEvent } from '../../../src/sessions/sessionEvent';
import { flipBitInRecord, spooledRecords } from '../../support/spoolDamage';

/**
 * The Sessions API destination against a real local service over real HTTP and a real spool on
 * disk: lazy session creation, ordering, idempotent retries, the retry table end to end.
 */

const REPO = 'https://github.com/acme/widgets';
const context = (sessionId: string) => ({ urgent: false, session: { sessionId, repository: REPO, branch: null }, level: 'user' as const });

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `relay-api-${name}-`));
}

async function setup(name: string, extra: Partial<SessionsApiOptions> = {}, stateDir = tmp(`${name}-state`)) {
  const server = new SessionsApiServer({ dataDir: tmp(`${name}-data`), repos: { 'acme/widgets': { ownerId: 11, repoId: 22 } }, token: 'service-token-1234' });
  await server.start();
  const githubIds = new GithubIds({ apiBaseUrl: server.url, tokenProvider: async () => 'gh-token-5678', clock: systemClock, logger: silentLogger, cacheFile: path.join(stateDir, 'ids.json') });
  const make = (overrides: Partial<SessionsApiOptions> = {}) =>
    new SessionsApiDestination({
      endpoint: server.url,
      tokenProvider: async () => 'service-token-1234',
      stateDir,
      githubIds,
      logger: silentLogger,
      intervalMs: 5,
      fastIntervalMs: 5,
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { threshold: 5, initialOpenMs: 20, maxOpenMs: 100 },
      ...extra,
      ...overrides,
    });
  return { server, githubIds, stateDir, make };
}

function invariant(d: SessionsApiDestination): void {
  const s = d.status();
  const dropped = Object.values(s.dropped).reduce((a, b) => a + (b ?? 0), 0);
  assert.equal(s.received, s.delivered + s.pending + dropped, `accounting ${JSON.stringify(s)}`);
}

test('creates the remote session lazily and delivers every session in order', async () => {
  const { server, make, githubIds } = await setup('basic');
  const dest = make();
  await dest.whenReady();
  for (let round = 0; round < 5; round++) {
    for (const s of ['s-a', 's-b', 's-c']) dest.enqueue(eventChain(s, 7, round * 7), context(s));
  }
  await until(() => dest.status().delivered === 105, 15_000, 'delivery');
  for (const s of ['s-a', 's-b', 's-c']) {
    const stored = server.sessionByTask(s)!;
    assert.equal(stored.ownerId, 11);
    assert.equal(stored.repoId, 22);
    assert.equal(stored.indexingLevel, 'user');
    assert.deepEqual(stored.events.map((e) => e.id), eventChain(s, 35).map((e) => e.event.id));
  }
  assert.equal(server.stats.sessionsCreated, 3);
  invariant(dest);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('retries 500/502/503/504/408/429 and resets with the same Idempotency-Key, stored-then-502 is not stored twice', async () => {
  const { server, make, githubIds } = await setup('retry');
  const dest = make();
  await dest.whenReady();
  dest.enqueue(eventChain('s-r', 3), context('s-r'));
  await until(() => dest.status().delivered === 3, 15_000, 'first batch');
  server.queue.push(
    { kind: 'status', status: 500 },
    { kind: 'status', status: 502 },
    { kind: 'reset' },
    { kind: 'status', status: 429, retryAfter: '0' },
    { kind: 'status', status: 503, retryAfter: new Date(Date.now() + 50).toUTCString() },
    { kind: 'status', status: 504 },
    { kind: 'status', status: 408 },
    { kind: 'stored-then-502' },
  );
  dest.enqueue(eventChain('s-r', 4, 3), context('s-r'));
  await until(() => dest.status().delivered === 7, 20_000, 'delivery through faults');
  const keys = server.log.filter((r) => r.kind === 'events' && r.eventIds[0] === 's-r-3').map((r) => r.idempotencyKey);
  assert.equal(keys.length, 9, 'eight failures, then the retry the service answers 409');
  assert.equal(new Set(keys).size, 1, 'the same key on every retry of the batch');
  assert.equal(server.stats.conflicts, 1, 'the retry after stored-then-502 is answered 409 = success');
  assert.deepEqual(server.sessionByTask('s-r')!.events.map((e) => e.id), eventChain('s-r', 7).map((e) => e.event.id));
  invariant(dest);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('a request slower than the timeout is retried', async () => {
  const { server, make, githubIds } = await setup('slow', { requestTimeoutMs: 200 });
  const dest = make();
  await dest.whenReady();
  dest.enqueue(eventChain('s-slow', 1), context('s-slow'));
  await until(() => dest.status().delivered === 1, 15_000, 'session');
  server.queue.push({ kind: 'slow', delayMs: 1_000 });
  dest.enqueue(eventChain('s-slow', 2, 1), context('s-slow'));
  await until(() => dest.status().delivered === 3, 15_000, 'delivery after a timeout');
  assert.equal(server.sessionByTask('s-slow')!.events.length, 3);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('403 blocks the session only; 404 on events re-creates the remote session', async () => {
  const { server, make, githubIds } = await setup('403');
  const dest = make();
  await dest.whenReady();
  dest.enqueue(eventChain('s-ok', 2), context('s-ok'));
  await until(() => dest.status().delivered === 2, 15_000, 'first session');
  // The next events request is refused by policy: that session is blocked, others go on.
  server.queue.push({ kind: 'status', status: 403 });
  dest.enqueue(eventChain('s-blocked', 3), context('s-blocked'));
  await until(() => (dest.status().dropped['policy-blocked'] ?? 0) > 0, 15_000, 'the 403');
  dest.enqueue(eventChain('s-blocked', 2, 3), context('s-blocked'));
  // 404: the service forgot s-ok; the destination creates it again and resends.
  server.forget('s-ok');
  dest.enqueue(eventChain('s-ok', 2, 2), context('s-ok'));
  await until(() => dest.status().delivered === 4 && dest.status().pending === 0, 15_000, 'recreation');
  assert.equal(dest.status().dropped['policy-blocked'], 5);
  assert.deepEqual(server.sessionByTask('s-ok')!.events.map((e) => e.id), ['s-ok-2', 's-ok-3']);
  invariant(dest);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('401 pauses remote export until resume(); nothing is lost', async () => {
  const { server, make, githubIds } = await setup('401');
  const states: string[] = [];
  const dest = make({ onStateChange: (s) => states.push(s) });
  await dest.whenReady();
  server.queue.push({ kind: 'status', status: 401 });
  dest.enqueue(eventChain('s-auth', 2), context('s-auth'));
  await until(() => dest.state === 'paused-auth', 15_000, 'the pause');
  assert.equal(dest.status().pending, 2);
  dest.resume();
  await until(() => dest.status().delivered === 2, 15_000, 'delivery after resume');
  assert.deepEqual(states, ['ok', 'paused-auth', 'ok']);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('413 splits the batch; a 400 isolates the poisoned event into the dead-letter file', async () => {
  const { server, make, githubIds, stateDir } = await setup('bisect');
  const dest = make();
  await dest.whenReady();
  server.maxEventsPerBatch = 3;
  server.poison.add('s-p-5');
  dest.enqueue(eventChain('s-p', 12), context('s-p'));
  await until(() => dest.status().pending === 0, 20_000, 'delivery');
  assert.deepEqual(
    server.sessionByTask('s-p')!.events.map((e) => e.id),
    eventChain('s-p', 12).map((e) => e.event.id).filter((id) => id !== 's-p-5'),
  );
  assert.equal(dest.status().dropped['dead-letter'], 1);
  const deadDir = path.join(stateDir, 'sessions-api');
  const [endpointDir] = fs.readdirSync(deadDir);
  const dead = fs.readFileSync(path.join(deadDir, endpointDir, 'dead-letter.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(dead.length, 1);
  assert.equal(dead[0].event.id, 's-p-5');
  invariant(dest);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('a session whose repository GitHub does not know is never sent', async () => {
  const { server, make, githubIds } = await setup('norepo');
  const dest = make();
  await dest.whenReady();
  dest.enqueue(eventChain('s-x', 2), { urgent: false, session: { sessionId: 's-x', repository: 'https://github.com/acme/secret', branch: null }, level: 'user' });
  dest.enqueue(eventChain('s-y', 2), { urgent: false, session: { sessionId: 's-y', repository: null, branch: null }, level: 'user' });
  await until(() => dest.status().pending === 0, 15_000, 'the drops');
  assert.equal(dest.status().dropped['no-repository'], 4);
  assert.equal(server.log.filter((r) => r.kind !== 'repo').length, 0);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('a restart resumes the spool and continues the same remote session', async () => {
  const { server, make, githubIds } = await setup('restart');
  const first = make();
  await first.whenReady();
  first.enqueue(eventChain('s-z', 3), context('s-z'));
  await until(() => first.status().delivered === 3, 15_000, 'first delivery');
  server.outage();
  first.enqueue(eventChain('s-z', 4, 3), context('s-z'));
  await first.close(100);
  assert.equal(first.status().pending, 4, 'undelivered events are pending in the spool, not dropped');
  server.restore();
  const second = make();
  await second.whenReady();
  assert.equal(second.status().received, 4);
  await until(() => second.status().delivered === 4, 15_000, 'resumed delivery');
  assert.equal(server.stats.sessionsCreated, 1, 'the same remote session');
  assert.deepEqual(server.sessionByTask('s-z')!.events.map((e) => e.id), eventChain('s-z', 7).map((e) => e.event.id));
  await second.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('events resumed from the spool obey a consent revoked since the last run', async () => {
  const { server, make, githubIds } = await setup('revoked');
  const first = make();
  await first.whenReady();
  server.outage();
  first.enqueue(eventChain('s-rv', 3), context('s-rv'));
  await first.close(50);
  server.restore();
  const second = make();
  second.useConsent(() => 'local');
  await second.whenReady();
  await until(() => second.status().pending === 0, 15_000, 'the resumed events to go');
  assert.equal(second.status().dropped['consent-revoked'], 3);
  assert.equal(server.sessionByTask('s-rv'), undefined);
  await second.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('past the in-memory cap, interleaved sessions are read back from the spool in batches: each event once, in order', async () => {
  const { server, make, githubIds } = await setup('spooled', { hardCap: 20, maxBatchEvents: 150 });
  const dest = make();
  await dest.whenReady();
  // While the service is down the backlog builds up in the spool, the sessions' records interleaved.
  server.outage();
  const sessions = ['s-sa', 's-sb', 's-sc'];
  for (let round = 0; round < 40; round++) {
    for (const s of sessions) dest.enqueue(eventChain(s, 9, round * 9, `round ${round} ${'w'.repeat(round * 40)}`), context(s));
  }
  assert.equal(dest.status().pending, 1_080);
  server.restore();
  // A retried batch is read back from the spool a second time, with the same key.
  server.queue.push({ kind: 'status', status: 503 }, { kind: 'stored-then-502' });
  await until(() => dest.status().delivered === 1_080, 20_000, 'delivery of the backlog');
  for (const s of sessions) {
    const expected = Array.from({ length: 40 }, (_, round) => eventChain(s, 9, round * 9, `round ${round} ${'w'.repeat(round * 40)}`)).flat();
    assert.deepEqual(server.sessionByTask(s)!.events, expected.map((e) => e.event), 'every body as it was enqueued');
  }
  invariant(dest);
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

test('a spooled event damaged on disk is dropped and counted; the rest of its session still goes, in order', async () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  const { server, make, githubIds, stateDir } = await setup('damaged', { hardCap: 5, maxBatchEvents: 50, logger });
  const dest = make();
  await dest.whenReady();
  server.outage();
  const sessions = ['s-da', 's-db'];
  for (let round = 0; round < 10; round++) {
    for (const s of sessions) dest.enqueue(eventChain(s, 10, round * 10, `secret-free text ${round}`), context(s));
  }
  await until(() => dest.volatilePending() === 0, 10_000, 'the spool to sync');
  const damaged = [...spooledRecords(stateDir).values()].find((r) => r.id === 's-db-37');
  assert.ok(damaged, 'the event is in the spool');
  flipBitInRecord(damaged);
  server.restore();
  await until(() => dest.status().delivered === 199, 20_000, 'delivery of everything else');
  assert.deepEqual(server.sessionByTask('s-da')!.events.map((e) => e.id), eventChain('s-da', 100).map((e) => e.event.id));
  assert.deepEqual(
    server.sessionByTask('s-db')!.events.map((e) => e.id),
    eventChain('s-db', 100).map((e) => e.event.id).filter((id) => id !== 's-db-37'),
  );
  assert.equal(dest.status().dropped['spool-damaged'], 1);
  invariant(dest);
  assert.equal(warnings.filter((w) => w.includes('damaged')).length, 1, 'said once');
  assert.ok(warnings.every((w) => !w.includes('secret-free text')), 'no content in the log');
  await dest.close(2_000);
  await githubIds.dispose();
  await server.close();
});

/** Forwards to `target`, keeping the body of every events request as it arrived (decompressed), with its key. */
async function recordingProxy(target: string) {
  const requests: Array<{ body: string; key: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.url?.endsWith('/events')) {
        const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        requests.push({ body, key: req.headers['idempotency-key'] as string | undefined });
      }
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Events whose text a re-serialisation could tell apart: the id not first, escapes, astral and lone surrogates. */
function trickyChain(sessionId: string, count: number, from: number): RoutedEvent[] {
  return eventChain(sessionId, count, from).map(({ event }, i) => {
    const content = `turn ${from + i}: naïve "quotes" \\ \n 😀 \ud800 ${'t'.repeat(i * 30)}`;
    const reordered: SessionEvent = { data: { content, id: 'not this one' }, type: event.type, id: event.id, parentId: event.parentId, timestamp: event.timestamp };
    return { sessionId, event: i % 2 === 0 ? { ...event, data: { content } } : reordered };
  });
}

test('batch bodies are the enqueued events as JSON.stringify writes them, byte for byte, from memory, read back, retried, split, bisected and resumed', async () => {
  const { server, make, githubIds, stateDir } = await setup('bytes', { hardCap: 10, maxBatchEvents: 40 });
  const proxy = await recordingProxy(server.url);
  const sent = new Map<string, SessionEvent>();
  const sessionOf = new Map<string, string>();
  const enqueue = (dest: SessionsApiDestination, s: string, from: number) => {
    const events = trickyChain(s, 12, from);
    for (const e of events) {
      sent.set(e.event.id, e.event);
      sessionOf.set(e.event.id, s);
    }
    dest.enqueue(events, context(s));
  };
  const first = make({ endpoint: proxy.url });
  await first.whenReady();
  server.outage();
  const sessions = ['s-ba', 's-bb'];
  for (let round = 0; round < 6; round++) for (const s of sessions) enqueue(first, s, round * 12);
  server.restore();
  // Retried batches (read back again), a 413 split and a 400 bisected down to its event.
  server.queue.push({ kind: 'status', status: 503 }, { kind: 'stored-then-502' });
  server.maxEventsPerBatch = 25;
  server.poison.add('s-bb-50');
  await until(() => first.status().pending === 0, 20_000, 'delivery of the backlog');
  assert.equal(first.status().dropped['dead-letter'], 1);
  // Left in the spool by a shutdown, sent by the next start.
  server.outage();
  for (const s of sessions) enqueue(first, s, 72);
  await first.close(50);
  server.restore();
  const second = make({ endpoint: proxy.url });
  await second.whenReady();
  await until(() => second.status().delivered === 24, 20_000, 'resumed delivery');

  assert.ok(proxy.requests.length > 10, `${proxy.requests.length} requests`);
  const bodiesByKey = new Map<string, string>();
  for (const { body, key } of proxy.requests) {
    const ids = (JSON.parse(body) as { events: SessionEvent[] }).events.map((e) => e.id);
    assert.equal(body, JSON.stringify({ events: ids.map((id) => sent.get(id)) }));
    const sessionId = sessionOf.get(ids[0])!;
    const hash = createHash('sha256').update(sessionId);
    for (const id of ids) hash.update('\n').update(id);
    assert.equal(key, hash.digest('hex').slice(0, 32), 'the key derives from the session and the event ids');
    if (bodiesByKey.has(key!)) assert.equal(body, bodiesByKey.get(key!), 'a retry sends the same bytes');
    bodiesByKey.set(key!, body);
  }
  assert.ok(bodiesByKey.size < proxy.requests.length, 'some batches were retried');
  for (const s of sessions) {
    const expected = [0, 12, 24, 36, 48, 60, 72].flatMap((from) => trickyChain(s, 12, from)).map((e) => e.event).filter((e) => e.id !== 's-bb-50');
    assert.deepEqual(server.sessionByTask(s)!.events, expected);
  }
  const [endpointDir] = fs.readdirSync(path.join(stateDir, 'sessions-api'));
  const dead = fs.readFileSync(path.join(stateDir, 'sessions-api', endpointDir, 'dead-letter.jsonl'), 'utf8');
  assert.ok(dead.endsWith(`"event":${JSON.stringify(sent.get('s-bb-50'))}}\n`), 'the dead letter holds the event as it was enqueued');
  invariant(second);
  await second.close(2_000);
  await githubIds.dispose();
  await proxy.close();
  await server.close();
});
