import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import { OtlpReceiver } from '../intake/otlpReceiver';
import { affects, readSettings } from './settings';

/**
 * Only one VS Code window can own the port. A window that finds it taken runs without a receiver
 * and tries again at this interval, so when the owning window closes another one takes over.
 */
const PORT_RETRY_MS = 15_000;

export type ReceiverState = { kind: 'off' } | { kind: 'listening'; port: number } | { kind: 'port-busy'; port: number } | { kind: 'error'; message: string };

/**
 * Runs the OTLP/HTTP receiver while `sessionRelay.enabled` is true, and closes or reopens it live
 * when the setting (or the port) changes.
 */
export class ReceiverContribution implements vscode.Disposable {
  private receiver: OtlpReceiver | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private current: ReceiverState = { kind: 'off' };
  private transition: Promise<void> = Promise.resolve();
  private readonly stateEmitter = new vscode.EventEmitter<ReceiverState>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    /** Awaited before the 200: the exporter journals the spans durably first. */
    private readonly deliver: (spans: ReadableSpan[]) => void | Promise<void>,
    private readonly logger: Logger,
    private readonly token: () => string | undefined,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'enabled', 'receiver.port')) {
        void this.reconcile();
      }
    });
  }

  get state(): ReceiverState {
    return this.current;
  }

  /** Brings the receiver in line with the settings; calls are serialised. */
  reconcile(): Promise<void> {
    this.transition = this.transition.then(() => this.apply()).catch((err) => this.logger.error(`receiver: ${String(err)}`));
    return this.transition;
  }

  /** Reopens the receiver so a new token (Connect Copilot Chat) is required from now on. */
  restart(): Promise<void> {
    this.transition = this.transition
      .then(async () => {
        if (this.receiver) {
          await this.receiver.close();
          this.receiver = undefined;
          this.setState({ kind: 'off' });
        }
        await this.apply();
      })
      .catch((err) => this.logger.error(`receiver: ${String(err)}`));
    return this.transition;
  }

  dispose(): void {
    this.subscription.dispose();
    clearTimeout(this.retryTimer);
    void this.receiver?.close();
    this.receiver = undefined;
    this.stateEmitter.dispose();
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    const receiver = this.receiver;
    this.receiver = undefined;
    await receiver?.close();
    this.setState({ kind: 'off' });
  }

  private async apply(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const { enabled, receiverPort } = readSettings();
    if (!enabled) {
      await this.close();
      this.logger.info('receiver closed: Session Relay is disabled');
      return;
    }
    if (this.receiver && this.current.kind === 'listening' && this.current.port === receiverPort) {
      return;
    }
    await this.receiver?.close();
    const receiver = new OtlpReceiver({
      port: receiverPort,
      host: '127.0.0.1',
      token: this.token(),
      logger: this.logger,
      onSpans: (spans) => this.deliver(spans),
    });
    try {
      const port = await receiver.start();
      this.receiver = receiver;
      this.setState({ kind: 'listening', port });
      this.logger.info(`receiver listening on 127.0.0.1:${port}`);
    } catch (err) {
      this.receiver = undefined;
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        this.setState({ kind: 'port-busy', port: receiverPort });
        this.logger.info(`port ${receiverPort} is owned by another window or program; retrying every ${PORT_RETRY_MS / 1000} s`);
        this.retryTimer = setTimeout(() => void this.reconcile(), PORT_RETRY_MS);
      } else {
        this.setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        this.logger.error(`receiver could not start on port ${receiverPort}: ${String(err)}`);
      }
    }
  }

  private setState(state: ReceiverState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }
}
