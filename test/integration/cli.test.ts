import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { standardExport, type PlantedSecrets } from '../support/copilotSpans';
import { within } from '../support/deadline';

/**
 * The command-line tool as a user runs it: the built `dist/cli.js` in a child process, real files,
 * a real HTTP receiver fed by the OpenTelemetry SDK's own protobuf exporter.
 */

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(root, 'test', 'fixtures', 'copilot-export.jsonl');
const SESSION_IDS = ['a3c1e5b0-1f2d-4c6e-9a8b-0d1e2f3a4b5c', 'b7d2f6c1-2e3f-4d7a-8b9c-1e2f3a4b5c6d', 'c9e3a7d2-3f4a-4e8b-9cad-2f3a4b5c6d7e'];

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `relay-cli-${name}-`));
}

function runCli(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: tmp('state') } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readSession(dir: string, sessionId: string): SessionEvent[] {
  return fs
    .readFileSync(path.join(dir, `${sessionId}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SessionEvent);
}

/** Every file of the folder, with Markdown escapes undone so an escaped `ghp\_` still counts. */
function allText(dir: string): string {
  return fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n')
    .replace(/\\([\\`*_[\]<>#])/g, '$1');
}

/** Not the whole secret, and not its first 16 characters either: a cut secret is still a leak. */
function assertNoSecrets(text: string, secrets: PlantedSecrets): void {
  // The webhook's secret is its path; its scheme and host may stay readable.
  const cores = { ...secrets, slackWebhook: secrets.slackWebhook.slice('https://hooks.slack.com/services/'.length) };
  for (const [kind, value] of Object.entries(cores)) {
    assert.ok(!text.includes(value.slice(0, 16)), `the planted ${kind} (or its head) must not appear`);
  }
}

const { secrets } = standardExport();

test('import turns a multi-session Copilot export into one .jsonl and one .md per session', () => {
  const out = tmp('import');
  const r = runCli(['import', fixture, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /imported 34 spans from 1 file/);
  assert.deepEqual(fs.readdirSync(out).sort(), SESSION_IDS.flatMap((id) => [`${id}.jsonl`, `${id}.md`]).sort());

  for (const id of SESSION_IDS) {
    const events = readSession(out, id);
    assert.equal(events[0].type, 'session.start');
    assert.equal(events.at(-1)?.type, 'session.shutdown');
    assert.equal(events.at(-1)?.data.reason, 'import-end');
    events.forEach((e, i) => assert.equal(e.parentId, i === 0 ? null : events[i - 1].id, 'parentId chains the session'));
    // Causal order within every turn: the user's message, then the assistant's message with tool
    // requests, then the tool results.
    const types = events.map((e) => e.type);
    let lastUser = -1;
    types.forEach((t, i) => {
      if (t === 'user.message') {
        lastUser = i;
      }
      if (t === 'tool.execution_complete') {
        assert.ok(lastUser >= 0 && lastUser < i, 'a tool result never precedes its turn’s user message');
        const requestedBefore = events.slice(lastUser, i).some((e) => e.type === 'assistant.message' && Array.isArray(e.data.toolRequests));
        assert.ok(requestedBefore, 'a tool result follows the assistant message that requested it');
      }
    });
  }

  const first = readSession(out, SESSION_IDS[0]);
  assert.equal(first[0].data.sessionId, SESSION_IDS[0]);
  assert.deepEqual(first[0].data.context, { repository: 'https://github.com/octo-org/hello-world.git', branch: 'main', headCommit: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' });
  const sub = first.filter((e) => e.agentId);
  assert.ok(sub.length >= 4, 'sub-agent events are folded into the parent session');
  assert.ok(sub.every((e) => /^Explore#/.test(e.agentId!)));
  const failing = first.filter((e) => e.type === 'tool.execution_complete' && e.data.toolName === 'runInTerminal');
  assert.equal(failing.length, 3);
  assert.ok(failing.every((e) => e.data.success === false));

  // The non-secret parts survive redaction.
  const md = fs.readFileSync(path.join(out, `${SESSION_IDS[0]}.md`), 'utf8');
  assert.match(md, /^# Why does the build fail\?/);
  assert.match(md, /postgres:\/\/localhost\/dev/, 'a database URL without credentials stays');
  assert.match(md, /\[REDACTED:[a-z-]+\]/);
  assertNoSecrets(allText(out), secrets);
});

test('importing again writes no line twice; a fresh folder gets identical event ids', () => {
  const a = tmp('again');
  const b = tmp('fresh');
  assert.equal(runCli(['import', fixture, '--out', a]).code, 0);
  const before = Object.fromEntries(SESSION_IDS.map((id) => [id, fs.readFileSync(path.join(a, `${id}.jsonl`), 'utf8')]));
  assert.equal(runCli(['import', fixture, '--out', a]).code, 0);
  assert.equal(runCli(['import', fixture, '--out', b]).code, 0);
  for (const id of SESSION_IDS) {
    assert.equal(fs.readFileSync(path.join(a, `${id}.jsonl`), 'utf8'), before[id], 'the second import added nothing');
    assert.deepEqual(
      readSession(b, id).map((e) => e.id),
      readSession(a, id).map((e) => e.id),
    );
  }
});

test('a bad file names the file and line, and the good lines are still exported', () => {
  const out = tmp('bad');
  const dir = tmp('input');
  const lines = fs.readFileSync(fixture, 'utf8').split('\n').filter(Boolean);
  const broken = path.join(dir, 'broken.jsonl');
  fs.writeFileSync(broken, [...lines.slice(0, 3), '{"not json', ...lines.slice(3, 6), '{"hello":"world"}', ...lines.slice(6)].join('\n') + '\n');
  const missing = path.join(dir, 'missing.jsonl');
  const r = runCli(['import', missing, broken, '--out', out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing\.jsonl: no such file/);
  assert.match(r.stderr, /broken\.jsonl:4: /);
  assert.match(r.stderr, /broken\.jsonl:8: /);
  assert.doesNotMatch(r.stderr, /hello|world/, 'bad lines are described, never echoed');
  for (const id of SESSION_IDS) {
    assert.ok(readSession(out, id).length > 3, `session ${id} was still exported`);
  }
});

test('usage errors exit 2 with a one-line reason; --help and --version exit 0', () => {
  for (const args of [[], ['frobnicate'], ['import'], ['import', 'x', '--bogus'], ['serve', '--port', 'abc'], ['serve', '--port', '99999']]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `args ${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${JSON.stringify(args)}`);
    assert.match(r.stderr, /^session-relay: /);
  }
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /session-relay import <file…>/);
  const version = runCli(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
});

test('redact filters standard input the same way the pipeline filters events', () => {
  const out = tmp('redact');
  assert.equal(runCli(['import', fixture, '--out', out]).code, 0);
  const toolResult = JSON.parse(
    fs
      .readFileSync(fixture, 'utf8')
      .split('\n')
      .find((l) => l.includes('"execute_tool readFile"'))!,
  ).attributes['gen_ai.tool.call.result'] as string;
  const r = runCli(['redact'], toolResult);
  assert.equal(r.code, 0, r.stderr);
  assertNoSecrets(r.stdout, secrets);
  const exported = readSession(out, SESSION_IDS[0]).find((e) => e.type === 'tool.execution_complete' && e.data.toolName === 'readFile');
  assert.equal(r.stdout, exported?.data.result);
});

for (const [encoding, Exporter] of [
  ['protobuf', ProtoExporter],
  ['JSON', JsonExporter],
] as const) {
test(`serve fed the same spans as ${encoding} over HTTP produces the same events, and stops cleanly on SIGTERM`, async () => {
  const out = tmp('serve');
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--out', out], { env: { ...process.env, XDG_STATE_HOME: tmp('state') } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) {
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
    }),
    20_000,
    'the receiver to listen',
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // Small batches, so turns are split across requests as Copilot's batching does.
  const exporter = new Exporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const spans = standardExport().spans;
  for (let i = 0; i < spans.length; i += 5) {
    const batch: ReadableSpan[] = spans.slice(i, i + 5);
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(batch, resolve));
    assert.equal(result.code, ExportResultCode.SUCCESS, result.error?.message);
  }
  await exporter.shutdown();

  child.kill('SIGTERM');
  assert.equal(await within(exited, 20_000, 'serve to exit'), 0, stderr);

  const imported = tmp('compare');
  assert.equal(runCli(['import', fixture, '--out', imported]).code, 0);
  for (const id of SESSION_IDS) {
    const served = readSession(out, id);
    const viaFile = readSession(imported, id);
    // Same events, ids and order; only the reason the session ended differs.
    const comparable = (events: SessionEvent[]) => events.map((e) => (e.type === 'session.shutdown' ? { ...e, data: { ...e.data, reason: '-' } } : e));
    assert.deepEqual(comparable(served), comparable(viaFile));
    assert.equal(served.at(-1)?.data.reason, 'closed');
  }
  assertNoSecrets(allText(out), secrets);
});
}

test('a remote destination needs --consent, a safe URL, and its options need --endpoint', () => {
  for (const args of [
    ['import', fixture, '--endpoint', 'https://sessions.example.com'],
    ['import', fixture, '--endpoint', 'https://sessions.example.com', '--consent', 'everyone'],
    ['import', fixture, '--endpoint', 'http://sessions.example.com', '--consent', 'user'],
    ['import', fixture, '--consent', 'user'],
    ['serve', '--token', 'abcdefghij'],
    ['import', fixture, '--endpoint', 'not a url', '--consent', 'user'],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `args ${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${JSON.stringify(args)}`);
  }
});

test('import --endpoint sends the sessions with a GitHub repository to a Sessions API, and --out as well', async () => {
  const { SessionsApiServer } = await import('../support/sessionsApiServer');
  const server = new SessionsApiServer({
    dataDir: tmp('service'),
    repos: { 'octo-org/hello-world': { ownerId: 9, repoId: 90 }, 'octo-org/api-server': { ownerId: 9, repoId: 91 } },
    token: 'cli-service-token-123',
    githubToken: 'cli-github-token-456',
  });
  await server.start();
  try {
    const out = tmp('both');
    const state = tmp('remote-state');
    const args = ['import', fixture, '--out', out, '--endpoint', server.url, '--token', 'cli-service-token-123', '--consent', 'repo_and_user', '--state', state, '--github-api', server.url, '--github-token', 'cli-github-token-456'];
    // Asynchronous spawn: the service runs in this process and must keep answering.
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, XDG_STATE_HOME: tmp('xdg') } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (stderr += c));
    const code = await within(new Promise<number | null>((resolve) => child.once('exit', resolve)), 30_000, 'import to finish');
    assert.equal(code, 0, stderr);
    assert.match(stderr, /sessions-api: \d+ received, \d+ delivered, 0 pending/);
    for (const id of SESSION_IDS.slice(0, 2)) {
      const local = readSession(out, id).map((e) => e.id);
      const remote = server.sessionByTask(id);
      assert.ok(remote, `session ${id} at the service`);
      assert.equal(remote.indexingLevel, 'repo_and_user');
      assert.deepEqual(remote.events.map((e) => e.id), local, 'the same events, in order');
    }
    // The third session has no repository: transcripts only.
    assert.equal(server.sessionByTask(SESSION_IDS[2]), undefined);
    assert.ok(fs.existsSync(path.join(out, `${SESSION_IDS[2]}.jsonl`)));
    const sent = JSON.stringify(server.allSessions());
    assertNoSecrets(sent, secrets);
    assert.ok(!sent.includes('cli-service-token-123') && !sent.includes('cli-github-token-456'));
  } finally {
    await server.close();
  }
});
