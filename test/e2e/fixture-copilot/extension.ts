import type * as vscodeTypes from 'vscode';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { generateCopilotSpans } from '../../support/copilotSpans';

/**
 * The stand-in for GitHub Copilot Chat (Copilot Chat cannot be installed here): it reads the
 * `github.copilot.chat.otel.*` settings like Copilot does and, on `copilotFixture.emitTurn`, sends
 * one Copilot-shaped turn (SPEC §3.4) with the real OpenTelemetry OTLP/HTTP JSON exporter to the
 * endpoint and with the headers those settings name. Bundled with esbuild by the e2e harness.
 */
export interface EmitArgs {
  sessionId: string;
  /** The `github.copilot.git.repository` attribute; omitted = the receiver has to find it. */
  repository?: string;
  /** 1-based turn number within the session. */
  turn?: number;
  /** Leave out the configured headers (the token), to check the receiver refuses that. */
  withoutHeaders?: boolean;
}

export interface EmitResult {
  /** 0 = the receiver accepted the spans (ExportResultCode.SUCCESS), 1 = refused or failed. */
  code: number;
  error?: string;
  spans: number;
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) {
    h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  }
  return h >>> 0;
}

export function activate(context: vscodeTypes.ExtensionContext): void {
  // Loaded lazily: this file is also compiled with the Node tests, where `vscode` does not exist.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode: typeof vscodeTypes = require('vscode');
  context.subscriptions.push(
    vscode.commands.registerCommand('copilotFixture.emitTurn', async (args?: EmitArgs): Promise<EmitResult> => {
      const otel = vscode.workspace.getConfiguration('github.copilot.chat.otel');
      if (!otel.get<boolean>('enabled') || otel.get<string>('exporterType') !== 'otlp-http') {
        return { code: 1, error: 'OpenTelemetry export is not enabled', spans: 0 };
      }
      const sessionId = args?.sessionId ?? `fixture-${Date.now()}`;
      const turn = Math.max(1, args?.turn ?? 1);
      const { spans } = generateCopilotSpans([{ sessionId, turns: turn, startMs: Date.now() - 60_000, repository: args?.repository }], seedOf(sessionId));
      // Each turn is a trace of its own; the last span to end is the last turn's root.
      const lastTrace = spans[spans.length - 1].spanContext().traceId;
      const turnSpans = spans.filter((s) => s.spanContext().traceId === lastTrace);
      const endpoint = otel.get<string>('otlpEndpoint', 'http://localhost:4318').replace(/\/+$/, '');
      const exporter = new OTLPTraceExporter({
        url: `${endpoint}/v1/traces`,
        headers: args?.withoutHeaders ? {} : otel.get<Record<string, string>>('headers', {}),
      });
      try {
        const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(turnSpans, resolve));
        return { code: result.code, error: result.error?.message, spans: turnSpans.length };
      } finally {
        await exporter.shutdown();
      }
    }),
  );
}

export function deactivate(): void {}
