import { TelemetryReporter } from '@vscode/extension-telemetry';
import * as vscode from 'vscode';

/**
 * Health telemetry (SPEC §10): counts and states only — never content, repository names, session
 * ids or tokens. Sent only when a connection string is configured for the build
 * (`telemetryConnectionString` in package.json) and the user allows telemetry
 * (`vscode.env.isTelemetryEnabled`, which the reporter also follows when it changes).
 */
export class HealthTelemetry implements vscode.Disposable {
  private readonly reporter: TelemetryReporter | undefined;

  constructor(context: vscode.ExtensionContext) {
    const connectionString = (context.extension.packageJSON as { telemetryConnectionString?: string }).telemetryConnectionString ?? '';
    // No connection string, no reporter: nothing is ever sent from a build without one.
    this.reporter = connectionString ? new TelemetryReporter(connectionString) : undefined;
  }

  /** Only numbers: measurements cannot carry names or content. */
  send(event: 'activated' | 'health', measurements: Record<string, number> = {}): void {
    if (!this.reporter || !vscode.env.isTelemetryEnabled) {
      return;
    }
    this.reporter.sendTelemetryEvent(event, {}, measurements);
  }

  dispose(): void {
    void this.reporter?.dispose();
  }
}
