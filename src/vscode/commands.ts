import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { totalDropped } from '../delivery/accounting';
import type { ConsentContribution } from './consentContribution';
import { connectCopilotChat } from './copilotConnect';
import type { ExporterContribution } from './exporterContribution';
import type { ReceiverContribution } from './receiverContribution';
import { API_TOKEN_KEY } from './secrets';
import { readSettings, SECTION } from './settings';

export interface CommandDeps {
  readonly exporter: ExporterContribution;
  readonly receiver: ReceiverContribution;
  readonly consent: ConsentContribution;
  readonly log: vscode.LogOutputChannel;
  readonly secrets: vscode.SecretStorage;
  /** Makes the receiver require a new token and redacts it (Connect Copilot Chat). */
  readonly applyReceiverToken: (token: string) => Promise<void>;
  readonly onApiTokenChanged: () => void;
}

/** The command palette surface (SPEC §10). */
export function registerCommands({ exporter, receiver, consent, log, secrets, applyReceiverToken, onApiTokenChanged }: CommandDeps): vscode.Disposable {
  const setEnabled = (value: boolean) => async () => {
    await vscode.workspace.getConfiguration(SECTION).update('enabled', value, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(value ? 'Session Relay is on.' : 'Session Relay is off: the receiver is closed and nothing is exported.');
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('sessionRelay.enable', setEnabled(true)),
    vscode.commands.registerCommand('sessionRelay.disable', setEnabled(false)),
    vscode.commands.registerCommand('sessionRelay.showLog', () => log.show(true)),
    vscode.commands.registerCommand('sessionRelay.manageConsent', () => consent.manage()),
    vscode.commands.registerCommand('sessionRelay.connectCopilotChat', () => {
      const port = receiver.state.kind === 'listening' ? receiver.state.port : readSettings().receiverPort;
      return connectCopilotChat({ secrets, port, logger: { trace: (m) => log.trace(m), info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) }, applyToken: applyReceiverToken });
    }),
    vscode.commands.registerCommand('sessionRelay.setApiToken', async () => {
      const token = await vscode.window.showInputBox({
        title: 'Session Relay: API token for the Sessions API',
        prompt: 'Stored in VS Code secret storage; used when sessionRelay.auth is "token".',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim().length < 8 ? 'The token looks too short.' : undefined),
      });
      if (!token) {
        return;
      }
      await secrets.store(API_TOKEN_KEY, token.trim());
      onApiTokenChanged();
      log.info('API token stored in secret storage');
      void vscode.window.showInformationMessage('Session Relay: API token stored.');
    }),
    vscode.commands.registerCommand('sessionRelay.clearApiToken', async () => {
      await secrets.delete(API_TOKEN_KEY);
      onApiTokenChanged();
      log.info('API token removed from secret storage');
      void vscode.window.showInformationMessage('Session Relay: API token removed.');
    }),
    vscode.commands.registerCommand('sessionRelay.flushNow', async () => {
      try {
        await exporter.flush();
        const pending = exporter.status().destinations.reduce((n, d) => n + d.pending, 0);
        void vscode.window.showInformationMessage(pending === 0 ? 'Session Relay: everything is delivered.' : `Session Relay: ${pending} events still pending.`);
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Relay: flush failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    vscode.commands.registerCommand('sessionRelay.showStatus', () => {
      const status = exporter.status();
      const r = receiver.state;
      const receiverLine =
        r.kind === 'listening'
          ? `Receiver: listening on 127.0.0.1:${r.port}`
          : r.kind === 'port-busy'
            ? `Receiver: port ${r.port} is used by another window (retrying)`
            : r.kind === 'error'
              ? `Receiver: error — ${r.message}`
              : 'Receiver: off';
      const lines = [
        receiverLine,
        `Open sessions: ${status.openSessions}; spans waiting for their turn: ${status.spansWaitingForTurn}`,
        ...status.destinations.map(
          (d) =>
            `${d.destination}: received ${d.received} = delivered ${d.delivered} + pending ${d.pending} + dropped ${totalDropped(d)}` +
            (d.truncated ? ` (truncated ${d.truncated})` : ''),
        ),
      ];
      if (status.destinations.length === 0) {
        lines.push('No destination is on (sessionRelay.localExport.enabled is false).');
      }
      for (const d of status.destinations) {
        if (d.state && d.state !== 'ok') {
          lines.push(`${d.destination}: ${d.state === 'circuit-open' ? 'circuit open (unreachable; retrying)' : d.state}`);
        }
      }
      if (status.pendingSessions.length > 0) {
        lines.push('Pending per session:');
        for (const p of status.pendingSessions.slice(0, 10)) {
          lines.push(`  ${p.destination} · ${p.sessionId}: ${p.pending}`);
        }
      }
      const waiting = consent.gate.waitingFor;
      lines.push(
        status.awaitingConsent > 0
          ? `Waiting for consent: ${status.awaitingConsent} events${waiting.length ? ` (${waiting.join(', ')})` : ''}`
          : 'Waiting for consent: nothing',
      );
      if (status.withheld.noConsent + status.withheld.unanswered > 0) {
        lines.push(`Not exported: ${status.withheld.noConsent} without consent, ${status.withheld.unanswered} never answered`);
      }
      log.info(`status: ${lines.join(' | ')}`);
      void vscode.window.showInformationMessage('Session Relay status', { modal: true, detail: lines.join('\n') });
    }),
    vscode.commands.registerCommand('sessionRelay.openExportFolder', async () => {
      const dir = exporter.exportDirectory;
      await fs.promises.mkdir(dir, { recursive: true });
      await vscode.env.openExternal(vscode.Uri.file(dir));
    }),
    vscode.commands.registerCommand('sessionRelay.importFromFile', async (uris?: vscode.Uri[]) => {
      const picked =
        uris ??
        (await vscode.window.showOpenDialog({
          canSelectMany: true,
          openLabel: 'Import sessions',
          filters: { 'Span files (JSON lines, OTLP JSON)': ['jsonl', 'json', 'ndjson', 'log'], 'All files': ['*'] },
        }));
      if (!picked || picked.length === 0) {
        return;
      }
      const files = picked.map((u) => u.fsPath);
      const results = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Session Relay: importing sessions', cancellable: false },
        (progress) => exporter.importFiles(files, (done) => progress.report({ message: `${done}/${files.length} files`, increment: 100 / files.length })),
      );
      const spans = results.reduce((n, r) => n + r.spans, 0);
      const problems = results.flatMap((r) => r.problems);
      for (const p of problems) {
        log.warn(`import: ${p.file}:${p.line}: ${p.message}`);
      }
      const message = `Session Relay: imported ${spans} spans from ${files.length} file(s).`;
      if (problems.length > 0) {
        const choice = await vscode.window.showWarningMessage(`${message} ${problems.length} line(s) could not be read.`, 'Show Log');
        if (choice === 'Show Log') {
          log.show(true);
        }
      } else {
        void vscode.window.showInformationMessage(message);
      }
    }),
  );
}
