import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import { ManualClock } from '../../../src/delivery/clock';
import { GithubIds } from '../../../src/repo/githubIds';
import { parseRemoteUrl } from '../../../src/repo/remoteUrl';
import { SessionsApiServer } from '../../support/sessionsApiServer';

/** Repository ids over real HTTP against the fake GitHub API of the test service. */

const ref = (url: string) => parseRemoteUrl(url)!;

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-ghids-'));
  const server = new SessionsApiServer({ dataDir: path.join(dir, 'data'), repos: { 'acme/widgets': { ownerId: 7, repoId: 42 } }, githubToken: 'gh-good-token' });
  await server.start();
  const clock = new ManualClock(1_700_000_000_000);
  let token: string | undefined = 'gh-good-token';
  const make = () =>
    new GithubIds({ apiBaseUrl: server.url, tokenProvider: async () => token, cacheFile: path.join(dir, 'ids.json'), clock, logger: silentLogger });
  return { server, clock, make, setToken: (t: string | undefined) => (token = t), dir };
}

test('resolves ids and caches them on disk for 24 hours', async () => {
  const { server, clock, make } = await setup();
  const ids = make();
  assert.deepEqual(await ids.resolve(ref('git@github.com:acme/widgets.git')), { kind: 'ok', ids: { ownerId: 7, repoId: 42 } });
  const again = make(); // a restart: the persisted cache answers
  assert.deepEqual(await again.resolve(ref('https://github.com/ACME/widgets')), { kind: 'ok', ids: { ownerId: 7, repoId: 42 } });
  assert.equal(server.log.filter((r) => r.kind === 'repo').length, 1);
  clock.advance(24 * 60 * 60 * 1000 + 1);
  await again.resolve(ref('https://github.com/acme/widgets'));
  assert.equal(server.log.filter((r) => r.kind === 'repo').length, 2, 'expired after 24 h');
  await ids.dispose();
  await again.dispose();
  await server.close();
});

test('404 is not accessible, 401 and a missing token need a sign-in', async () => {
  const { server, make, setToken } = await setup();
  const ids = make();
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/private')), { kind: 'not-found' });
  setToken('gh-wrong-token');
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/widgets')), { kind: 'unauthorized' });
  setToken(undefined);
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/widgets')), { kind: 'unauthorized' });
  await ids.dispose();
  await server.close();
});

test('403 and 429 with rate-limit headers wait until the reset', async () => {
  const { server, clock, make } = await setup();
  const ids = make();
  const reset = Math.floor(clock.now() / 1000) + 600;
  server.repoQueue.push({ kind: 'status', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/widgets')), { kind: 'rate-limited', untilMs: reset * 1000 });
  server.repoQueue.push({ kind: 'status', status: 429, retryAfter: '30' });
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/widgets')), { kind: 'rate-limited', untilMs: clock.now() + 30_000 });
  server.repoQueue.push({ kind: 'status', status: 503 });
  assert.deepEqual(await ids.resolve(ref('https://github.com/acme/widgets')), { kind: 'unavailable' });
  assert.equal((await ids.resolve(ref('https://github.com/acme/widgets'))).kind, 'ok');
  await ids.dispose();
  await server.close();
});

test('GitHub Enterprise hosts use https://HOST/api/v3', () => {
  const ids = new GithubIds({ tokenProvider: async () => 't', clock: new ManualClock(), logger: silentLogger });
  assert.equal(ids.apiBaseFor('github.com'), 'https://api.github.com');
  assert.equal(ids.apiBaseFor('ghe.example.com'), 'https://ghe.example.com/api/v3');
  void ids.dispose();
});
