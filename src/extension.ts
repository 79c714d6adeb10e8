import * as vscode from 'vscode';
import type { SessionRelayApi } from './intake/api';
import { registerCommands } from './vscode/commands';
import { ExporterContribution } from './vscode/exporterContribution';
import { createLogChannel } from './vscode/logChannel';
import { ReceiverContribution } from './vscode/receiverContribution';
import { StatusBar } from './vscode/statusBar';

/** The SecretStorage key of the receiver token (written by "Connect Copilot Chat"). */
const RECEIVER_TOKEN_KEY = 'sessionRelay.receiverToken';

/**
 * The composition root: wires the contributions and nothing else. The pieces that must outlive
 * `activate` (to flush in `deactivate`) live in this closure, not in module-level variables.
 */
function createExtension() {
  let shutdown: (() => Promise<void>) | undefined;

  async function activate(context: vscode.ExtensionContext): Promise<SessionRelayApi> {
    const { channel, logger } = createLogChannel();
    // Read without a prompt or a network call: activation stays cheap (SPEC §10).
    const token = (await context.secrets.get(RECEIVER_TOKEN_KEY)) || undefined;
    const exporter = new ExporterContribution(context, logger);
    exporter.setDynamicSecrets(token ? [token] : []);
    const receiver = new ReceiverContribution((spans) => exporter.accept(spans), logger, () => token);
    context.subscriptions.push(channel, exporter, receiver, new StatusBar(receiver), registerCommands(exporter, receiver, channel));
    void receiver.reconcile();
    shutdown = async () => {
      await receiver.close();
      await exporter.shutdown();
    };
    return exporter.publicApi;
  }

  async function deactivate(): Promise<void> {
    await shutdown?.();
    shutdown = undefined;
  }

  return { activate, deactivate };
}

export const { activate, deactivate } = createExtension();
