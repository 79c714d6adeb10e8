import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import { RECEIVER_TOKEN_KEY } from './secrets';

const COPILOT_CHAT_ID = 'GitHub.copilot-chat';
const OTEL = 'github.copilot.chat.otel';

/** What "Connect Copilot Chat" writes to the user settings (the header value is shown masked). */
export function copilotSettings(port: number, token: string): Record<string, unknown> {
  return {
    enabled: true,
    exporterType: 'otlp-http',
    otlpEndpoint: `http://127.0.0.1:${port}`,
    protocol: 'http/json',
    captureContent: true,
    headers: { Authorization: `Bearer ${token}` },
  };
}

function describe(port: number): string {
  return Object.entries(copilotSettings(port, '<new token>'))
    .map(([k, v]) => `${OTEL}.${k}: ${JSON.stringify(v)}`)
    .join('\n');
}

/**
 * "Session Relay: Connect Copilot Chat" (SPEC §10): after an explicit confirmation, points Copilot
 * Chat's OpenTelemetry export at our receiver with a fresh token, stored in SecretStorage and
 * required by the receiver from then on. Without Copilot Chat it says so, and what it would change.
 */
export async function connectCopilotChat(deps: {
  secrets: vscode.SecretStorage;
  port: number;
  logger: Logger;
  /** Called with the new token before settings are written, so the receiver requires it. */
  applyToken: (token: string) => Promise<void>;
}): Promise<boolean> {
  // Copilot Chat's settings are registered when it is present in any form (installed, or built
  // into newer VS Code); unregistered settings cannot be written, so that is the test.
  const known = vscode.workspace.getConfiguration(OTEL).inspect('enabled')?.defaultValue !== undefined;
  if (!known && !vscode.extensions.getExtension(COPILOT_CHAT_ID)) {
    await vscode.window.showWarningMessage(
      'Copilot Chat is not installed, so Session Relay cannot connect it.',
      {
        modal: true,
        detail: `Install GitHub Copilot Chat and run this command again. It would set these user settings:\n\n${describe(deps.port)}\n\nand store the new token in VS Code's secret storage.`,
      },
    );
    return false;
  }
  const confirm = await vscode.window.showInformationMessage(
    'Connect Copilot Chat to Session Relay?',
    {
      modal: true,
      detail: `Copilot Chat will send its chat spans (including message content) to Session Relay's receiver on this machine. These user settings are written:\n\n${describe(deps.port)}\n\nThe token is new; the receiver refuses requests without it.`,
    },
    'Connect',
  );
  if (confirm !== 'Connect') {
    return false;
  }
  const token = randomBytes(32).toString('base64url');
  await deps.secrets.store(RECEIVER_TOKEN_KEY, token);
  await deps.applyToken(token);
  const config = vscode.workspace.getConfiguration(OTEL);
  for (const [key, value] of Object.entries(copilotSettings(deps.port, token))) {
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
  deps.logger.info(`Copilot Chat connected to 127.0.0.1:${deps.port} (new receiver token stored)`);
  void vscode.window.showInformationMessage('Session Relay: Copilot Chat is connected. Its next chat turns are exported after you allow the repository.');
  return true;
}
