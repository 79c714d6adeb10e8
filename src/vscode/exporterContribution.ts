import * as path from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import { systemClock } from '../delivery/clock';
import type { Destination } from '../delivery/destination';
import type { ExportGate } from '../delivery/exportGate';
import type { GithubIds } from '../repo/githubIds';
import type { SessionsApiDestination } from '../sinks/sessionsApiSink';
import { createRelayApi, type SessionRelayApi } from '../intake/api';
import { DurableIntake } from '../intake/durableIntake';
import { importSpanFile, type ImportResult } from '../intake/fileImport';
import { secretValuesFromEnv } from '../redact/dynamicSecrets';
import type { Redactor } from '../redact/redactor';
import { createRedactor } from '../redact/secretRedactor';
import { RelayPipeline, type PipelineStatus } from '../relayPipeline';
import { FileSink } from '../sinks/fileSink';
import type { EventSink } from '../sinks/eventSink';
import { PRODUCT_VERSION } from '../version';
import { enterpriseHosts } from './gitRepository';
import type { TokenProvider } from './secrets';
import { loadSessionsApi } from './sessionsApiLoader';
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
  /**
   * Built on first use (or by `warmUp` right after activation): compiling the detectors is the
   * costliest step of start-up, and activation must stay cheap (SPEC §10).
   */
  private redactor: Redactor | undefined;
  private readonly api: ReturnType<typeof createRelayApi>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private dynamicSecrets: string[] = [];
  private intake: Promise<DurableIntake | undefined> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: Logger,
    /** Consent per repository (SPEC §5.2): nothing of a session is exported before it answers. */
    private readonly gate?: ExportGate,
    private readonly tokens?: TokenProvider,
  ) {
    this.settings = readSettings();
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
        if (affects(e, 'localExport.enabled', 'localExport.directory', 'sessionIdleMinutes', 'enabled', 'endpoint', 'auth', 'spool.maxSizeMB')) {
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

  /**
   * The receiver's door: the spans are redacted and fsynced in the span journal before this
   * resolves, so the OTLP 200 means "durable" (SPEC §8). Falls back to the plain door (and says
   * so in the log) if the journal cannot be opened.
   */
  async acceptDurably(spans: readonly ReadableSpan[]): Promise<void> {
    if (!this.settings.enabled) {
      return;
    }
    const intake = await this.openJournal();
    if (intake) {
      await intake.accept(spans);
    } else {
      this.accept(spans);
    }
  }

  /**
   * Opens this window's span journal and replays the journals of windows that crashed. Called
   * after activation, never during it: it reads the disk.
   */
  openJournal(): Promise<DurableIntake | undefined> {
    this.intake ??= DurableIntake.open(path.join(this.context.globalStorageUri.fsPath, 'journal'), this.switchableRedactor, this.logger, () => ({
      accept: (spans) => this.accept(spans),
      settled: this.pipeline.settled,
    })).catch((err: unknown) => {
      this.logger.warn(`span journal unavailable, received spans are kept in memory only: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    return this.intake;
  }

  /** Secrets known by value (the receiver token, …) are redacted wherever they appear. */
  setDynamicSecrets(values: string[]): void {
    this.dynamicSecrets = values;
    this.refreshRedactor();
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
    // The user chose these files: decisions already made (Never, deny globs) hold, and a
    // repository nobody has decided on yet is imported onto this device only.
    const gate = this.gate;
    const importGate: ExportGate = { levelFor: (session) => (gate ? gate.levelFor(session) ?? 'local' : 'local'), onDidChange: () => ({ dispose() {} }) };
    const pipeline = new RelayPipeline(
      { sinks: this.buildSinks(), redactor: this.switchableRedactor, logger: this.logger, gate: importGate },
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
    await (await this.intake)?.close();
  }

  dispose(): void {
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.pipeline.dispose();
  }

  private readonly switchableRedactor: Redactor = { redact: (text) => (this.redactor ??= this.buildRedactor()).redact(text) };

  /** Builds the redactor now, after activation: the first spans need not wait, problems show at once. */
  warmUp(): void {
    this.redactor ??= this.buildRedactor();
  }

  /** A redactor in use is rebuilt with the current secrets; one not built yet will be built with them. */
  private refreshRedactor(): void {
    if (this.redactor) {
      this.redactor = this.buildRedactor();
    }
  }

  private buildRedactor(): Redactor {
    return createRedactor({
      dynamicSecrets: [...secretValuesFromEnv(process.env), ...this.dynamicSecrets, ...this.remoteSecrets],
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

  private remote: SessionsApiDestination | undefined;
  private githubIds: GithubIds | undefined;

  /** The Sessions API (SPEC §9.2) when `sessionRelay.endpoint` is set in user settings. */
  private buildDestinations(): Destination[] {
    this.remote = undefined;
    if (!this.settings.enabled || !this.settings.endpoint || !this.tokens) {
      return [];
    }
    const tokens = this.tokens;
    const storage = this.context.globalStorageUri.fsPath;
    // Its own bundle (dist/sessionsApi.js, with undici): loaded only now that an endpoint is set.
    let sessionsApi: ReturnType<typeof loadSessionsApi>;
    try {
      sessionsApi = loadSessionsApi();
    } catch (err) {
      // A broken install must not cost the local transcripts: only the remote export is off.
      this.logger.error(`Sessions API destination unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    const { GithubIds, createSessionsApiSink } = sessionsApi;
    this.githubIds ??= new GithubIds({
      // Silent: a sign-in is only asked for when the user acts (the notification below).
      tokenProvider: (host) => tokens.githubToken(false, host),
      cacheFile: path.join(storage, 'github-ids.json'),
      clock: systemClock,
      logger: this.logger,
    });
    this.remote = createSessionsApiSink({
      endpoint: this.settings.endpoint,
      tokenProvider: () => tokens.endpointToken(false),
      stateDir: path.join(storage, 'sessions-api'),
      githubIds: this.githubIds,
      logger: this.logger,
      maxSpoolBytes: this.settings.spoolMaxBytes,
      enterpriseHosts: enterpriseHosts(),
      onStateChange: (state) => {
        if (state === 'paused-auth' || state === 'github-auth') {
          void this.askToSignIn();
        }
      },
    });
    // The tokens used for the service are secrets known by value (SPEC §7): redacted wherever they appear.
    void Promise.all([tokens.endpointToken(false), tokens.githubToken(false)]).then((values) => {
      const fresh = values.filter((v): v is string => !!v && !this.remoteSecrets.includes(v));
      if (fresh.length > 0) {
        this.remoteSecrets.push(...fresh);
        this.refreshRedactor();
      }
    });
    return [this.remote];
  }

  private readonly remoteSecrets: string[] = [];

  private signInShown = false;

  /** 401 from the service or GitHub: remote export pauses until the user signs in again. */
  private async askToSignIn(): Promise<void> {
    if (this.signInShown || !this.tokens) {
      return;
    }
    this.signInShown = true;
    const choice = await vscode.window.showWarningMessage('Session Relay: the Sessions API needs you to sign in again. Remote export is paused; local transcripts continue.', 'Sign in');
    this.signInShown = false;
    if (choice === 'Sign in' && (await this.tokens.endpointToken(true))) {
      this.remote?.resume();
    }
  }

  private buildPipeline(): RelayPipeline {
    return new RelayPipeline(
      { sinks: this.buildSinks(), destinations: this.buildDestinations(), redactor: this.switchableRedactor, logger: this.logger, gate: this.gate },
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
