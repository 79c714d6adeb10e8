import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/common/logger';
// Types only: the code under test is the built bundle, loaded the way the extension loads it.
import type * as SessionsApiBundle from '../../src/sinks/sessionsApiBundle';
import { SessionsApiServer } from '../support/sessionsApiServer';
import { eventChain, until } from '../support/remoteEvents';

/**
 * The extension ships the Sessions API destination (and undici) as its own bundle,
 * dist/sessionsApi.js, required only when `sessionRelay.endpoint` is set
 * (src/vscode/sessionsApiLoader.ts). Needs `npm run build` first (`npm test` does it).
 */

const root = path.resolve(__dirname, '..', '..', '..');
const dist = path.join(root, 'dist');

test('dist/extension.js leaves undici to dist/sessionsApi.js, which it loads by path', () => {
  const extension = fs.readFileSync(path.join(dist, 'extension.js'), 'utf8');
  // The development build names every inlined module in a `// node_modules/…` comment.
  assert.ok(!extension.includes('node_modules/undici/'), 'undici is not inlined in extension.js');
  assert.ok(extension.includes('"sessionsApi.js"'), 'extension.js requires sessionsApi.js at run time');
  assert.ok(fs.readFileSync(path.join(dist, 'sessionsApi.js'), 'utf8').includes('node_modules/undici/'));
});

test('the destination from dist/sessionsApi.js delivers to a Sessions API', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(path.join(dist, 'sessionsApi.js')) as typeof SessionsApiBundle;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bundle-data-'));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bundle-state-'));
  const server = new SessionsApiServer({ dataDir, repos: { 'acme/widgets': { ownerId: 11, repoId: 22 } }, token: 'service-token-1234' });
  await server.start();
  const githubIds = new bundle.GithubIds({ apiBaseUrl: server.url, tokenProvider: async () => 'gh-token-5678', logger: silentLogger, cacheFile: path.join(stateDir, 'ids.json') });
  const dest = bundle.createSessionsApiSink({ endpoint: server.url, tokenProvider: async () => 'service-token-1234', stateDir, githubIds, logger: silentLogger });
  try {
    await dest.whenReady();
    dest.enqueue(eventChain('s-bundle', 3), { urgent: true, session: { sessionId: 's-bundle', repository: 'https://github.com/acme/widgets', branch: null }, level: 'user' });
    await until(() => dest.status().delivered === 3, 15_000, 'delivery');
    const stored = server.sessionByTask('s-bundle')!;
    assert.equal(stored.repoId, 22);
    assert.deepEqual(stored.events.map((e) => e.id), eventChain('s-bundle', 3).map((e) => e.event.id));
  } finally {
    await dest.close(2_000);
    await githubIds.dispose();
    await server.close();
  }
});
