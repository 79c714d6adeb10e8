import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common/logger';
import {
  ConsentGate,
  MemoryConsentStore,
  decide,
  globMatches,
  promptChoices,
  subjectKey,
  type ConsentLevel,
  type ConsentPolicy,
  type ConsentPromptRequest,
  type WorkspaceRepository,
} from '../../../src/repo/consent';
import { parseRemoteUrl } from '../../../src/repo/remoteUrl';

const ref = (url: string, enterpriseHosts: string[] = []) => parseRemoteUrl(url, { enterpriseHosts })!;
const policy = (p: Partial<ConsentPolicy> = {}): ConsentPolicy => ({ allow: [], deny: [], allowLevel: 'local', remoteAvailable: false, ...p });

test('globs match owner/repo case-insensitively; * stays in a segment, ** crosses; three parts name the host', () => {
  const r = ref('git@github.com:Octo-Org/Hello.World.git');
  assert.ok(globMatches('octo-org/*', r));
  assert.ok(globMatches('OCTO-ORG/hello.world', r));
  assert.ok(globMatches('**', r));
  assert.ok(!globMatches('*', r), 'one * does not cross the slash');
  assert.ok(!globMatches('octo-org/hello', r));
  assert.ok(globMatches('octo-org/hello.?orld', r));
  assert.ok(!globMatches('octo-org/hello+world', r), 'regex characters are literal');
  const ghe = ref('https://ghe.corp.example/team/svc', ['https://ghe.corp.example/']);
  assert.ok(globMatches('ghe.corp.example/team/*', ghe));
  assert.ok(!globMatches('github.com/team/*', ghe));
  assert.ok(globMatches('team/svc', ghe));
});

test('deny wins over allow and over a stored decision; stored beats allow; allow pre-answers with allowLevel', () => {
  const subject = { kind: 'repository' as const, ref: ref('https://github.com/acme/app') };
  const store = new MemoryConsentStore();
  assert.equal(decide(subject, policy(), store), undefined, 'nothing decided: ask');
  assert.equal(decide(subject, policy({ allow: ['acme/*'], allowLevel: 'user' }), store), 'user');
  assert.equal(decide(subject, policy({ allow: ['acme/*'], deny: ['*/app'] }), store), 'none');
  void store.set(subjectKey(subject), { level: 'repo_and_user', label: 'acme/app', decidedAt: '' });
  assert.equal(decide(subject, policy({ allow: ['acme/*'], allowLevel: 'local' }), store), 'repo_and_user');
  assert.equal(decide(subject, policy({ deny: ['acme/app'] }), store), 'none');
});

test('decisions are per repository and per host: the same owner/repo on GHE is a different repository', () => {
  const a = subjectKey({ kind: 'repository', ref: ref('https://github.com/acme/app') });
  const b = subjectKey({ kind: 'repository', ref: ref('https://ghe.corp.example/acme/app', ['ghe.corp.example']) });
  const c = subjectKey({ kind: 'repository', ref: ref('git@github.com:ACME/App.git') });
  assert.notEqual(a, b);
  assert.equal(a, c);
});

test('a folder without a GitHub repository can only be local, and is never offered remote levels', () => {
  const folder = { kind: 'folder' as const, folder: 'file:///w', name: 'w' };
  const store = new MemoryConsentStore({ [subjectKey(folder)]: { level: 'repo_and_user', label: 'w', decidedAt: '' } });
  assert.equal(decide(folder, policy({ remoteAvailable: true }), store), 'local');
  assert.deepEqual(promptChoices(folder, policy({ remoteAvailable: true })), ['local', 'none']);
  const repo = { kind: 'repository' as const, ref: ref('https://github.com/a/b') };
  assert.deepEqual(promptChoices(repo, policy()), ['local', 'none'], 'no endpoint: no remote buttons');
  assert.deepEqual(promptChoices(repo, policy({ remoteAvailable: true })), ['local', 'user', 'repo_and_user', 'none']);
});

function gateWith(workspace: WorkspaceRepository = { state: 'ready', folder: { uri: 'file:///w', name: 'w' } }, p: ConsentPolicy = policy()) {
  const prompts: Array<{ request: ConsentPromptRequest; answer: (l: ConsentLevel | undefined) => void }> = [];
  let ws = workspace;
  const store = new MemoryConsentStore();
  const gate = new ConsentGate({
    store,
    policy: () => p,
    enterpriseHosts: () => ['ghe.corp.example'],
    workspaceRepository: () => ws,
    prompt: (request) => new Promise((resolve) => prompts.push({ request, answer: resolve })),
    logger: silentLogger,
  });
  let changes = 0;
  gate.onDidChange(() => changes++);
  return { gate, prompts, store, changes: () => changes, setWorkspace: (w: WorkspaceRepository) => (ws = w) };
}

const settle = () => new Promise((r) => setImmediate(r));

test('one prompt per repository at a time; the answer is stored and announced', async () => {
  const { gate, prompts, store, changes } = gateWith();
  const ctx = (sessionId: string, repository: string) => ({ sessionId, repository, branch: null });
  assert.equal(gate.levelFor(ctx('s1', 'https://github.com/o/a')), undefined);
  assert.equal(gate.levelFor(ctx('s1', 'https://github.com/o/a')), undefined);
  assert.equal(gate.levelFor(ctx('s2', 'git@github.com:o/a.git')), undefined);
  assert.equal(gate.levelFor(ctx('s3', 'https://github.com/o/b')), undefined);
  assert.deepEqual(prompts.map((p) => p.request.label), ['o/a', 'o/b'], 'a second repository prompts separately');
  assert.deepEqual(gate.waitingFor.sort(), ['o/a', 'o/b']);
  prompts[0].answer('local');
  await settle();
  assert.equal(changes(), 1);
  assert.equal(gate.levelFor(ctx('s1', 'https://github.com/o/a')), 'local');
  assert.equal(store.get('repo:github.com/o/a')?.level, 'local');
  assert.equal(store.get('repo:github.com/o/a')?.label, 'o/a');
  assert.deepEqual(gate.waitingFor, ['o/b']);
});

test('dismissed: the same session does not ask again, the next session does', async () => {
  const { gate, prompts } = gateWith();
  const ctx = (sessionId: string) => ({ sessionId, repository: 'https://github.com/o/a', branch: null });
  gate.levelFor(ctx('s1'));
  prompts[0].answer(undefined);
  await settle();
  assert.equal(gate.levelFor(ctx('s1')), undefined);
  assert.equal(prompts.length, 1);
  gate.levelFor(ctx('s2'));
  assert.equal(prompts.length, 2);
  prompts[1].answer('none');
  await settle();
  assert.equal(gate.levelFor(ctx('s1')), 'none', 'the answer applies to the earlier session too');
});

test('no repository in the spans: the workspace git decides; while git initialises the session waits', async () => {
  const { gate, prompts, setWorkspace } = gateWith({ state: 'pending' });
  const ctx = { sessionId: 's1', repository: null, branch: null };
  assert.equal(gate.levelFor(ctx), undefined);
  assert.equal(prompts.length, 0, 'no prompt before the repository is known');
  setWorkspace({ state: 'ready', remoteUrl: 'git@ghe.corp.example:team/svc.git', folder: { uri: 'file:///w', name: 'w' } });
  gate.levelFor(ctx);
  assert.equal(prompts[0].request.label, 'ghe.corp.example/team/svc');
  assert.equal(subjectKey(prompts[0].request.subject), 'repo:ghe.corp.example/team/svc');
});

test('no GitHub remote: a one-time prompt for the workspace folder with local and never only', async () => {
  const { gate, prompts } = gateWith({ state: 'ready', remoteUrl: 'https://gitlab.com/o/a.git', folder: { uri: 'file:///w', name: 'w' } }, policy({ remoteAvailable: true }));
  gate.levelFor({ sessionId: 's1', repository: null, branch: null });
  assert.equal(prompts[0].request.subject.kind, 'folder');
  assert.deepEqual(prompts[0].request.choices, ['local', 'none']);
  prompts[0].answer('local');
  await settle();
  assert.equal(gate.levelFor({ sessionId: 's2', repository: 'https://gitlab.com/o/a.git', branch: null }), 'local');
  assert.equal(prompts.length, 1);
});

test('Manage Repository Consent: changing and forgetting a decision apply at once', async () => {
  const { gate, prompts, changes } = gateWith();
  const ctx = { sessionId: 's1', repository: 'https://github.com/o/a', branch: null };
  await gate.setDecision('repo:github.com/o/a', 'o/a', 'user');
  assert.equal(gate.levelFor(ctx), 'user');
  await gate.setDecision('repo:github.com/o/a', 'o/a', 'none');
  assert.equal(gate.levelFor(ctx), 'none');
  assert.deepEqual(gate.decisions().map((d) => [d.key, d.decision.level]), [['repo:github.com/o/a', 'none']]);
  await gate.forget('repo:github.com/o/a');
  assert.equal(gate.levelFor(ctx), undefined);
  assert.equal(prompts.length, 1, 'forgotten: asks again');
  assert.equal(changes(), 3);
});
