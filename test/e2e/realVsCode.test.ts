import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { serveUiRequests } from './harness/browserUi';
import { ensureTools, freePort, installExtension, isolatedEnv, startCodeServer } from './harness/codeServer';
import { dialog, runCommand, statusBarText, waitForWorkbench } from './harness/workbench';
import { post, until } from './probes';

/**
 * Session Relay in a real VS Code: code-server from the npm registry, headless Chromium through
 * playwright-core, the built extension loaded as the development extension, a Copilot Chat
 * stand-in (test/e2e/fixture-copilot) installed from a VSIX, and the extension-host tests
 * (test/e2e/suite) started by the workbench's smoke-test driver. Screenshots go to test-results/e2e/.
 */

const root = path.resolve(__dirname, '..', '..', '..');
const RUN_TIMEOUT_MS = 10 * 60_000;

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): void {
  execFileSync('git', args, { cwd, env, stdio: 'ignore' });
}

/** The fixture bundled with the real OTLP/HTTP exporter, packaged offline with vsce. */
async function buildFixtureVsix(work: string): Promise<string> {
  const dir = path.join(work, 'fixture-copilot');
  fs.mkdirSync(dir, { recursive: true });
  const source = path.join(root, 'test', 'e2e', 'fixture-copilot');
  for (const f of ['package.json', 'README.md', 'LICENSE']) {
    fs.copyFileSync(path.join(source, f), path.join(dir, f));
  }
  await esbuild.build({
    entryPoints: [path.join(source, 'extension.ts')],
    outfile: path.join(dir, 'extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const vsix = path.join(work, 'copilot-chat-fixture.vsix');
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: dir, stdio: 'pipe' });
  return vsix;
}

test('Session Relay in a real VS Code (code-server + headless Chromium)', { timeout: RUN_TIMEOUT_MS + 5 * 60_000 }, async (t) => {
  const started = Date.now();
  const tools = ensureTools(root);
  assert.ok(tools.chromium, 'Chromium is not installed (apt-get install -y chromium); the real-VS Code tests need it');
  assert.ok(fs.existsSync(path.join(root, 'dist', 'extension.js')), 'dist/extension.js is missing: npm test builds it first');
  const suite = path.join(__dirname, 'suite', 'index.js');
  assert.ok(fs.existsSync(suite));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'session-relay-e2e-'));
  // code-server's log and the screenshots are kept in test-results/; the rest goes, pass or fail.
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const shots = path.join(root, 'test-results', 'e2e');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const env = isolatedEnv(path.join(work, 'home'));
  const dirs = {
    userData: path.join(work, 'user-data'),
    extensions: path.join(work, 'extensions'),
    config: path.join(work, 'code-server.yaml'),
    log: path.join(shots, 'code-server.log'),
  };
  const exportDir = path.join(work, 'export');
  const uiDir = path.join(work, 'ui');
  const results = path.join(work, 'results.json');
  for (const d of [dirs.userData, dirs.extensions, exportDir, uiDir]) {
    fs.mkdirSync(d, { recursive: true });
  }

  // A workspace in a git repository with a GitHub remote, whose .vscode/settings.json tries to
  // redirect the export (it must change nothing).
  const workspace = path.join(work, 'alpha');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  git(workspace, env, 'init', '-q');
  git(workspace, env, 'remote', 'add', 'origin', 'https://github.com/e2e-owner/alpha.git');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# alpha\n');
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({
      'sessionRelay.endpoint': 'https://sessions.attacker.example/api',
      'sessionRelay.otlp.endpoint': 'https://collector.attacker.example',
      'sessionRelay.localExport.directory': path.join(work, 'attacker-folder'),
      'sessionRelay.auth': 'token',
    }),
  );

  const receiverPort = await freePort();
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({
      'sessionRelay.receiver.port': receiverPort,
      'sessionRelay.repositories.allow': ['e2e-owner/gamma*'],
      'sessionRelay.repositories.deny': ['e2e-owner/gamma-secret'],
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'git.autoRepositoryDetection': true,
    }),
  );

  // `machine`-scoped settings live in the remote (machine) settings in code-server, which is a
  // remote window: VS Code ignores them in the user settings there, and always in a workspace.
  fs.mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify({ 'sessionRelay.localExport.directory': exportDir }));

  const fixtureVsix = await buildFixtureVsix(work);
  installExtension(tools, dirs, fixtureVsix, env);
  // The UI checks run the packaged extension as a user installs it; the extension-host tests load
  // the same build as the development extension (it takes precedence over the installed one).
  const relayVsix = path.join(work, 'session-relay.vsix');
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', relayVsix], { cwd: root, stdio: 'pipe' });
  installExtension(tools, dirs, relayVsix, env);
  const setupMs = Date.now() - started;
  const log = (m: string) => t.diagnostic(m);
  const screenshots: string[] = [];
  const shot = async (page: Page, name: string) => {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file });
    screenshots.push(path.relative(root, file));
  };

  // One browser profile and one code-server port for all phases: the workbench keeps its state
  // (secret storage included) per origin, like a person's browser does.
  const serverPort = await freePort();
  const browser = await chromium.launch({
    executablePath: tools.chromium!,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const browserContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const workbenchUrl = `http://127.0.0.1:${serverPort}/?folder=${encodeURIComponent(workspace)}`;
  const userSettings = () => JSON.parse(fs.readFileSync(path.join(dirs.userData, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;

  /** Each phase gets its own code-server process, so no extension host of a closed page lingers. */
  const phase = async <T>(name: string, body: (page: Page) => Promise<T>): Promise<T> => {
    const server = await startCodeServer(tools, dirs, workspace, env, serverPort);
    const page = await browserContext.newPage();
    try {
      return await body(page);
    } catch (err) {
      await shot(page, `failure-${name}`).catch(() => {});
      throw err;
    } finally {
      await page.close();
      await server.stop();
    }
  };

  let exitCode: number | undefined;
  let uiServer: ReturnType<typeof serveUiRequests> | undefined;
  try {
    // Phase 1, as a person: the status bar, then Connect Copilot Chat with its confirmation
    // (modal dialogs cannot be shown while extension tests run, so this part clicks for real).
    await phase('connect', async (page) => {
      await page.goto(workbenchUrl);
      await waitForWorkbench(page);
      await t.test('installed from the VSIX, it activates after startup and the status bar shows the receiver', async () => {
        assert.equal(await statusBarText(page, (s) => s === 'Relay'), 'Relay');
        await shot(page, 'status-bar-listening');
      });
      await t.test('Connect Copilot Chat shows what it changes, writes the settings after "Connect", and the receiver then requires the token', async () => {
        await runCommand(page, 'Session Relay: Connect Copilot Chat');
        const confirm = await dialog(page, 'Connect Copilot Chat to Session Relay?').catch(async (err) => {
          await shot(page, 'failure-connect');
          throw err;
        });
        await shot(page, 'connect-copilot-dialog');
        assert.match(confirm.text, /github\.copilot\.chat\.otel\.otlpEndpoint: "http:\/\/127\.0\.0\.1:\d+"/);
        assert.ok(confirm.buttons.includes('Connect'), String(confirm.buttons));
        assert.equal(userSettings()['github.copilot.chat.otel.enabled'], undefined, 'nothing is written before the confirmation');
        await confirm.click('Connect');
        const settings = await until('the Copilot settings', () => (userSettings()['github.copilot.chat.otel.headers'] ? userSettings() : undefined));
        assert.equal(settings['github.copilot.chat.otel.enabled'], true);
        assert.equal(settings['github.copilot.chat.otel.exporterType'], 'otlp-http');
        assert.equal(settings['github.copilot.chat.otel.otlpEndpoint'], `http://127.0.0.1:${receiverPort}`);
        assert.equal(settings['github.copilot.chat.otel.protocol'], 'http/json');
        assert.equal(settings['github.copilot.chat.otel.captureContent'], true);
        const authorization = (settings['github.copilot.chat.otel.headers'] as Record<string, string>).Authorization;
        assert.match(authorization, /^Bearer [A-Za-z0-9_-]{40,}$/);
        assert.equal(await until('the receiver to require the token', async () => ((await post(receiverPort, {})) === 401 ? 401 : undefined)), 401);
        assert.equal(await post(receiverPort, { authorization }), 200);
      });
    });

    // Phase 2: the extension-host tests (real vscode API), clicking notifications and quick picks
    // through the UI bridge.
    exitCode = await phase('extension-host', async (page) => {
      const exit = new Promise<number>((resolve) => {
        void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      });
      const remote = (p: string) => `vscode-remote://127.0.0.1:${serverPort}${p}`;
      const payload = [
        ['extensionDevelopmentPath', remote(root)],
        ['extensionTestsPath', remote(suite)],
        ['skipWelcome', 'true'],
        ['extensionEnvironment', JSON.stringify({ E2E_EXPORT_DIR: exportDir, E2E_UI_DIR: uiDir, E2E_RESULTS: results, E2E_RECEIVER_PORT: String(receiverPort) })],
      ];
      uiServer = serveUiRequests(page, uiDir, shots, log);
      try {
        await page.goto(`${workbenchUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
        const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), RUN_TIMEOUT_MS).unref());
        return await Promise.race([exit, timeout]);
      } finally {
        await uiServer.stop();
      }
    });
    screenshots.push(...(uiServer?.screenshots ?? []).map((s) => path.relative(root, s)));
    assert.ok(fs.existsSync(results), `the extension-host tests did not report (exit ${exitCode}; see ${dirs.log})`);
    const report = JSON.parse(fs.readFileSync(results, 'utf8')) as { total: number; results: Array<{ name: string; ok: boolean; ms: number; error?: string }> };
    for (const r of report.results) {
      await t.test(r.name, () => {
        if (!r.ok) {
          assert.fail(r.error);
        }
      });
    }
    assert.equal(report.results.length, report.total, 'every extension-host test ran');
    assert.equal(exitCode, 0, 'the workbench reported success');

    // Phase 3, as a person again: a chat turn in the revoked repository, then Show Status.
    await phase('status', async (page) => {
      await page.goto(workbenchUrl);
      await waitForWorkbench(page);
      await t.test('Show Status shows the accounting per destination and the turn withheld for the revoked repository', async () => {
        await statusBarText(page, (s) => s === 'Relay');
        await runCommand(page, 'Copilot Fixture: Emit a Chat Turn');
        const deadline = Date.now() + 30_000;
        let text = '';
        for (;;) {
          await runCommand(page, 'Session Relay: Show Status');
          const status = await dialog(page, 'Session Relay status');
          text = status.text;
          if (/Not exported: [1-9]/.test(text) || Date.now() > deadline) {
            await shot(page, 'show-status');
            await status.click('OK');
            break;
          }
          await status.click('OK');
        }
        assert.match(text, /Receiver: listening on 127\.0\.0\.1:\d+/);
        assert.match(text, /file: received \d+ = delivered \d+ \+ pending \d+ \+ dropped \d+/);
        assert.match(text, /Not exported: [1-9]\d* without consent/);
        assert.match(text, /Waiting for consent: nothing/);
        await shot(page, 'status-bar');
      });
    });
  } finally {
    await browser.close();
  }
  const runMs = Date.now() - started - setupMs;
  t.diagnostic(`real VS Code: setup ${(setupMs / 1000).toFixed(1)} s, phases ${(runMs / 1000).toFixed(1)} s; screenshots: ${screenshots.join(', ')}`);
  for (const name of ['consent-prompt', 'status-bar-waiting-for-consent', 'status-bar-off', 'show-status', 'connect-copilot-dialog']) {
    assert.ok(fs.existsSync(path.join(shots, `${name}.png`)), `screenshot ${name}.png`);
  }
});
