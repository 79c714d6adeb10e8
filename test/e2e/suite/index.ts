import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import { post, portAccepts, until } from '../probes';
import { ui } from './uiBridge';

/**
 * The extension-host tests: they run inside the real VS Code (code-server) with the real `vscode`
 * API, and ask the harness (Playwright) for what only a person can do — clicking a notification,
 * a dialog or a quick pick. Each test depends on the state the previous ones left, like a user's
 * day: connect, chat in one repository, a second one, revoke, switch off and on.
 */

interface EmitResult {
  code: number;
  error?: string;
  spans: number;
}

const env = {
  exportDir: process.env.E2E_EXPORT_DIR!,
  port: Number(process.env.E2E_RECEIVER_PORT),
  results: process.env.E2E_RESULTS!,
};

function exported(sessionId: string): { lines: Array<{ type: string; data: Record<string, unknown> }>; md: string } | undefined {
  const jsonl = path.join(env.exportDir, `${sessionId}.jsonl`);
  const md = path.join(env.exportDir, `${sessionId}.md`);
  if (!fs.existsSync(jsonl) || !fs.existsSync(md)) {
    return undefined;
  }
  const text = fs.readFileSync(jsonl, 'utf8').trim();
  return { lines: text ? text.split('\n').map((l) => JSON.parse(l)) : [], md: fs.readFileSync(md, 'utf8') };
}

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode: typeof vscodeTypes = require('vscode');
  const relay = () => vscode.workspace.getConfiguration('sessionRelay');
  const emit = (args: { sessionId: string; repository?: string; turn?: number; withoutHeaders?: boolean }) =>
    vscode.commands.executeCommand<EmitResult>('copilotFixture.emitTurn', args);

  const tests: Array<[string, () => Promise<void>]> = [
    [
      'activates on startup and the receiver listens on the configured port',
      async () => {
        const ext = vscode.extensions.getExtension('session-relay.session-relay');
        assert.ok(ext, 'Session Relay is installed');
        await ext.activate();
        await until('the receiver port', () => portAccepts(env.port));
        await ui({ op: 'statusbar', expect: 'Relay', exact: true, screenshot: 'status-bar-development-host' });
      },
    ],
    [
      "a workspace's .vscode/settings.json cannot set the endpoint, the OTLP target, the export folder or the auth mode",
      async () => {
        const inspectEndpoint = relay().inspect<string>('endpoint');
        assert.equal(relay().get('endpoint'), '', `the workspace value is ignored (${JSON.stringify(inspectEndpoint)})`);
        assert.equal(relay().get('otlp.endpoint'), '');
        assert.equal(relay().get('auth'), 'github');
        assert.equal(relay().get('localExport.directory'), env.exportDir, 'the user value stands');
      },
    ],
    [
      'after Connect Copilot Chat (phase 1), the fixture exports with the token and a request without it is refused',
      async () => {
        const otel = vscode.workspace.getConfiguration('github.copilot.chat.otel');
        assert.equal(otel.get('enabled'), true);
        assert.equal(otel.get('otlpEndpoint'), `http://127.0.0.1:${env.port}`);
        const authorization = otel.get<Record<string, string>>('headers', {}).Authorization ?? '';
        assert.match(authorization, /^Bearer [A-Za-z0-9_-]{40,}$/);
        assert.equal(await post(env.port, {}), 401, 'no token: refused');
        assert.equal(await post(env.port, { authorization: 'Bearer wrong-token-value' }), 401, 'wrong token: refused');
        assert.equal(await post(env.port, { authorization }), 200, 'with the token: accepted');
        const refused = await emit({ sessionId: 'e2e-no-token', withoutHeaders: true });
        assert.equal(refused.code, 1, 'the OTLP exporter without the token is refused');
      },
    ],
    [
      'the first session in a repository asks once and exports nothing until "Only on this device"',
      async () => {
        // No repository attribute: the repository comes from the workspace's git (origin).
        const sent = await emit({ sessionId: 'e2e-alpha-1' });
        assert.equal(sent.code, 0, sent.error);
        const prompt = await ui({ op: 'notification', text: 'Export Copilot chat sessions for e2e-owner/alpha?', screenshot: 'consent-prompt' });
        assert.deepEqual(prompt.buttons, ['Only on this device', 'Never for this repository'], 'no endpoint configured: no remote buttons');
        await ui({ op: 'statusbar', expect: 'waiting for consent', screenshot: 'status-bar-waiting-for-consent' });
        assert.equal(exported('e2e-alpha-1'), undefined, 'nothing exported before the answer');
        assert.deepEqual(fs.readdirSync(env.exportDir).filter((f) => f.startsWith('e2e-alpha')), []);
        await ui({ op: 'notification', text: 'Export Copilot chat sessions for e2e-owner/alpha?', click: 'Only on this device' });
        const files = await until('the transcripts of e2e-alpha-1', () => {
          const e = exported('e2e-alpha-1');
          return e && e.lines.some((l) => l.type === 'assistant.message') ? e : undefined;
        });
        assert.equal(files.lines[0].type, 'session.start');
        assert.ok(files.lines.some((l) => l.type === 'user.message'));
        assert.doesNotMatch(JSON.stringify(files.lines) + files.md, /ghp_[A-Za-z0-9]{36}/, 'the planted token is redacted');
        await ui({ op: 'statusbar', expect: 'Relay', exact: true, screenshot: 'status-bar-exported' });
      },
    ],
    [
      'a second repository prompts separately; "Never for this repository" exports nothing of it',
      async () => {
        const sent = await emit({ sessionId: 'e2e-beta-1', repository: 'https://github.com/e2e-owner/beta.git' });
        assert.equal(sent.code, 0, sent.error);
        await ui({ op: 'notification', text: 'Export Copilot chat sessions for e2e-owner/beta?', click: 'Never for this repository' });
        // A barrier: a later turn of the allowed repository is exported, so beta's went past.
        const before = exported('e2e-alpha-1')!.lines.length;
        assert.equal((await emit({ sessionId: 'e2e-alpha-1', turn: 2 })).code, 0);
        await until('turn 2 of e2e-alpha-1', () => (exported('e2e-alpha-1')!.lines.length > before ? true : undefined));
        assert.equal(exported('e2e-beta-1'), undefined);
        assert.deepEqual(fs.readdirSync(env.exportDir).filter((f) => f.includes('beta')), []);
      },
    ],
    [
      'allow and deny globs in user settings answer without a prompt, and deny wins',
      async () => {
        // User settings of this run: allow e2e-owner/gamma*, deny e2e-owner/gamma-secret.
        assert.equal((await emit({ sessionId: 'e2e-gamma-secret-1', repository: 'git@github.com:e2e-owner/gamma-secret.git' })).code, 0);
        assert.equal((await emit({ sessionId: 'e2e-gamma-1', repository: 'git@github.com:e2e-owner/gamma.git' })).code, 0);
        await until('the transcripts of e2e-gamma-1', () => exported('e2e-gamma-1'));
        assert.equal(exported('e2e-gamma-secret-1'), undefined, 'deny wins over allow');
      },
    ],
    [
      'Manage Repository Consent revokes a repository and its next turn is not exported',
      async () => {
        const done = vscode.commands.executeCommand('sessionRelay.manageConsent');
        await ui({ op: 'quickpick', select: 'e2e-owner/alpha', screenshot: 'manage-consent' });
        await ui({ op: 'quickpick', select: 'Never for this repository (revoke)' });
        await done;
        const before = exported('e2e-alpha-1')!.lines.length;
        assert.equal((await emit({ sessionId: 'e2e-alpha-1', turn: 3 })).code, 0);
        // Barrier: a session of an allowed repository sent afterwards has been exported.
        assert.equal((await emit({ sessionId: 'e2e-gamma-2', repository: 'https://github.com/e2e-owner/gamma' })).code, 0);
        await until('the transcripts of e2e-gamma-2', () => exported('e2e-gamma-2'));
        assert.equal(exported('e2e-alpha-1')!.lines.length, before, 'nothing of the revoked repository was exported');
      },
    ],
    [
      'turning sessionRelay.enabled off closes the port at once; on reopens it',
      async () => {
        await relay().update('enabled', false, vscode.ConfigurationTarget.Global);
        await until('the port to refuse connections', async () => ((await portAccepts(env.port)) ? undefined : true));
        await ui({ op: 'statusbar', expect: 'Relay: off', screenshot: 'status-bar-off' });
        await relay().update('enabled', true, vscode.ConfigurationTarget.Global);
        await until('the port to accept connections', () => portAccepts(env.port));
        await ui({ op: 'statusbar', expect: 'Relay', exact: true });
      },
    ],
  ];

  const results: Array<{ name: string; ok: boolean; ms: number; error?: string }> = [];
  for (const [name, fn] of tests) {
    const started = Date.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (err) {
      results.push({ name, ok: false, ms: Date.now() - started, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      // Later tests build on this one's state: stop instead of reporting a cascade.
      break;
    }
  }
  fs.writeFileSync(env.results, JSON.stringify({ total: tests.length, results }, null, 2));
  if (results.length !== tests.length || results.some((r) => !r.ok)) {
    throw new Error('extension-host tests failed');
  }
}
