import * as vscode from 'vscode';
import type { SessionRelayApi } from './intake/api';
import { registerCommands } from './vscode/commands';
import { ConsentContribution } from './vscode/consentContribution';
import { ExporterContribution } from './vscode/exporterContribution';
import { createLogChannel } from './vscode/logChannel';
import { ReceiverContribution } from './vscode/receiverContribution';
import { API_TOKEN_KEY, RECEIVER_TOKEN_KEY, TokenProvider } from './vscode/secrets';
import { StatusBar } from './vscode/statusBar';
import { HealthTelemetry } from './vscode/telemetry';

/**
 * The composition root: wires the contributions and nothing else. The pieces that must outlive
 * `activate` (to flush in `deactivate`) live in this closure, not in module-level variables.
 */
function createExtension() {
  let shutdown: (() => Promise<void>) | undefined;

  async function activate(context: vscode.ExtensionContext): Promise<SessionRelayApi> {
    const { channel, logger } = createLogChannel();
    // Secret storage is local; no prompt, no network, no disk scan: activation stays cheap (§10).
    // Both reads at once: each is a round trip to VS Code's main process.
    const [storedReceiverToken, storedApiToken] = await Promise.all([context.secrets.get(RECEIVER_TOKEN_KEY), context.secrets.get(API_TOKEN_KEY)]);
    let receiverToken = storedReceiverToken || undefined;
    let apiToken = storedApiToken || undefined;
    const tokens = new TokenProvider(context.secrets);
    const telemetry = new HealthTelemetry(context);
    const consent = new ConsentContribution(context, logger);
    const exporter = new ExporterContribution(context, logger, consent.gate, tokens);
    const knownSecrets = () => [receiverToken, apiToken].filter((t): t is string => !!t);
    exporter.setDynamicSecrets(knownSecrets());
    const receiver = new ReceiverContribution((spans) => exporter.acceptDurably(spans), logger, () => receiverToken);
    context.subscriptions.push(
      channel,
      telemetry,
      consent,
      exporter,
      receiver,
      new StatusBar({
        receiver,
        pipeline: () => exporter.status(),
        waitingForConsent: () => consent.gate.waitingFor,
        onDidChangeConsent: (listener: () => void) => consent.gate.onDidChange(listener),
      }),
      registerCommands({
        exporter,
        receiver,
        consent,
        log: channel,
        secrets: context.secrets,
        applyReceiverToken: async (token) => {
          receiverToken = token;
          exporter.setDynamicSecrets(knownSecrets());
          await receiver.restart();
        },
        onApiTokenChanged: () => {
          void context.secrets.get(API_TOKEN_KEY).then((t) => {
            apiToken = t || undefined;
            exporter.setDynamicSecrets(knownSecrets());
          });
        },
      }),
    );
    // Activation only wires things up. What costs — opening the port, compiling the redactor,
    // replaying what a crashed window had acknowledged but not exported (it reads the disk) —
    // starts right after it, so VS Code's start-up never waits on it.
    const startUp = setImmediate(() => {
      void receiver.reconcile();
      exporter.warmUp();
      void exporter.openJournal();
    });
    telemetry.send('activated');
    shutdown = async () => {
      clearImmediate(startUp);
      const s = exporter.status();
      telemetry.send('health', {
        openSessions: s.openSessions,
        delivered: s.destinations.reduce((n, d) => n + d.delivered, 0),
        pending: s.destinations.reduce((n, d) => n + d.pending, 0),
        awaitingConsent: s.awaitingConsent,
        withheld: s.withheld.noConsent + s.withheld.unanswered,
      });
      await receiver.close();
      await exporter.shutdown();
    };
    // The token provider stays inside: the public API never hands tokens to other extensions.
    return exporter.publicApi;
  }

  async function deactivate(): Promise<void> {
    await shutdown?.();
    shutdown = undefined;
  }

  return { activate, deactivate };
}

export const { activate, deactivate } = createExtension();
