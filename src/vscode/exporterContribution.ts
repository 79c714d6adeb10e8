import * as path from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import { createRelayApi, type SessionRelayApi } from '../intake/api';
import { importSpanFile, type ImportResult } from '../intake/fileImport';
import { secretValuesFromEnv } from '../redact/dynamicSecrets';
import type { Redactor } from '../redact/redactor';
import { createRedactor } from '../redact/secretRedactor';
import { RelayPipeline, type PipelineStatus } from '../relayPipeline';
import { FileSink } from '../sinks/fileSink';
import type { EventSink } from '../sinks/eventSink';
import { PRODUCT_VERSION } from '../version';
import { affects, readSettings, type RelaySettings } from './settings';

/** How long `deactivate` may spend delivering before the rest is left (SPEC §8). */
const SHUTDOWN_BUDGET_MS = 2_000;

/**
 * The exporter: one RelayPipeline fed by every intake, writing to the destinations the settings
 * name. Rebuilt when a destination setting changes; the span door (`accept`) stays the same.
 */
export class ExporterContribution implements vscode.Disposable {
  private pipeline: RelayPipeline;
  private settings: RelaySettings;
  private redactor: Redactor;
  private readonly api: ReturnType<typeof createRelayApi>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private dynamicSecrets: string[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: Logger,
  ) {
    this.settings = readSettings();
    this.redactor = this.buildRedactor();
    this.pipeline = this.buildPipeline();
    // Other extensions' spans enter through the same processor door as received ones.
    this.api = createRelayApi(
      {
        onStart: () => {},
        onEnd: (span) => this.accept([span]),
        forceFlush: () => this.pipeline.processor.forceFlush(),
        shutdown: () => Promise.resolve(),
      },
      PRODUCT_VERSION,
    );
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'redaction.extraPatterns')) {
          this.settings = readSettings();
          this.redactor = this.buildRedactor();
        }
        if (affects(e, 'localExport.enabled', 'localExport.directory', 'sessionIdleMinutes', 'enabled')) {
          void this.rebuild();
        }
      }),
    );
  }

  get publicApi(): SessionRelayApi {
    return { version: this.api.version, tracerProvider: this.api.tracerProvider, getTracer: this.api.getTracer };
  }

  get exportDirectory(): string {
    return this.settings.localExportDirectory || path.join(this.context.globalStorageUri.fsPath, 'sessions');
  }

  /** The door every intake uses. Nothing enters while Session Relay is disabled. */
  accept(spans: readonly ReadableSpan[]): void {
    if (!this.settings.enabled) {
      return;
    }
    for (const span of spans) {
      this.pipeline.processor.onEnd(span);
    }
  }

  /** Secrets known by value (the receiver token, …) are redacted wherever they appear. */
  setDynamicSecrets(values: string[]): void {
    this.dynamicSecrets = values;
    this.redactor = this.buildRedactor();
  }

  status(): PipelineStatus {
    return this.pipeline.status();
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /**
   * Imports span files into their own pipeline, so ending the imported sessions (`import-end`)
   * never ends a live chat session.
   */
  async importFiles(files: string[], progress?: (done: number) => void): Promise<ImportResult[]> {
    const pipeline = new RelayPipeline(
      { sinks: this.buildSinks(), redactor: this.switchableRedactor, logger: this.logger },
      { producerVersion: PRODUCT_VERSION, idleMs: this.settings.sessionIdleMinutes * 60_000 },
    );
    const results: ImportResult[] = [];
    try {
      for (const [i, file] of files.entries()) {
        results.push(await importSpanFile(file, (spans) => pipeline.acceptSpans(spans)));
        progress?.(i + 1);
      }
      pipeline.endSessions('import-end');
      await pipeline.flush();
    } finally {
      await pipeline.close(10_000);
    }
    return results;
  }

  async shutdown(): Promise<void> {
    await this.api.shutdown();
    await this.pipeline.close(SHUTDOWN_BUDGET_MS);
  }

  dispose(): void {
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.pipeline.dispose();
  }

  private readonly switchableRedactor: Redactor = { redact: (text) => this.redactor.redact(text) };

  private buildRedactor(): Redactor {
    return createRedactor({
      dynamicSecrets: [...secretValuesFromEnv(process.env), ...this.dynamicSecrets],
      extraPatterns: this.settings.extraPatterns,
      onProblem: (message) => {
        this.logger.warn(message);
        void vscode.window.showWarningMessage(`Session Relay: ${message}`);
      },
    });
  }

  private buildSinks(): EventSink[] {
    return this.settings.localExportEnabled ? [new FileSink(this.exportDirectory, this.logger)] : [];
  }

  private buildPipeline(): RelayPipeline {
    return new RelayPipeline(
      { sinks: this.buildSinks(), redactor: this.switchableRedactor, logger: this.logger },
      { producerVersion: PRODUCT_VERSION, idleMs: this.settings.sessionIdleMinutes * 60_000 },
    );
  }

  private async rebuild(): Promise<void> {
    const old = this.pipeline;
    this.settings = readSettings();
    this.pipeline = this.buildPipeline();
    this.logger.info(
      this.settings.enabled
        ? `settings changed: local export ${this.settings.localExportEnabled ? 'on' : 'off'}; open sessions were ended and flushed`
        : 'Session Relay disabled: open sessions were ended and flushed; nothing more is exported',
    );
    await old.close(SHUTDOWN_BUDGET_MS);
  }
}
