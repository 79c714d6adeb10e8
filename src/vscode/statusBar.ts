import * as vscode from 'vscode';
import type { PipelineStatus } from '../relayPipeline';
import type { ReceiverContribution, ReceiverState } from './receiverContribution';

export interface StatusSources {
  readonly receiver: ReceiverContribution;
  readonly pipeline: () => PipelineStatus;
  /** Repositories (labels) whose sessions wait for a consent answer. */
  readonly waitingForConsent: () => readonly string[];
  readonly onDidChangeConsent: vscode.Event<void> | ((listener: () => void) => { dispose(): void });
}

/**
 * Reading the pipeline's counters costs nothing, so the item re-reads them every second instead of
 * threading change events through every stage of the core.
 */
const REFRESH_MS = 1_000;

/** What the status bar says, in order of what matters most (SPEC §10). */
export function statusView(receiver: ReceiverState, pipeline: PipelineStatus, waiting: readonly string[]): { text: string; tooltip: string } {
  if (receiver.kind === 'off') {
    return { text: '$(circle-slash) Relay: off', tooltip: 'Session Relay is off: the receiver is closed and nothing is exported. Click for status.' };
  }
  if (receiver.kind === 'error') {
    return { text: '$(error) Relay: error', tooltip: `Session Relay receiver error: ${receiver.message}. Click for status.` };
  }
  const broken = pipeline.destinations.filter((d) => d.state === 'circuit-open');
  if (broken.length > 0) {
    return { text: '$(debug-disconnect) Relay: circuit open', tooltip: `${broken.map((d) => d.destination).join(', ')} unreachable; events wait and are retried. Click for status.` };
  }
  if (pipeline.awaitingConsent > 0) {
    return { text: '$(question) Relay: waiting for consent', tooltip: `Sessions wait for your answer${waiting.length ? ` for ${waiting.join(', ')}` : ''}. Click for status.` };
  }
  const pending = pipeline.destinations.reduce((n, d) => n + d.pending, 0);
  if (pending > 0) {
    return { text: `$(sync~spin) Relay: ${pending} pending`, tooltip: `${pending} events are being exported. Click for status.` };
  }
  if (receiver.kind === 'port-busy') {
    return { text: '$(radio-tower) Relay: other window', tooltip: `Port ${receiver.port} is owned by another window; this one takes over when it closes.` };
  }
  return { text: '$(radio-tower) Relay', tooltip: `Session Relay is receiving on 127.0.0.1:${receiver.port}; everything is exported. Click for status.` };
}

/** State at a glance; a click opens Show Status. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sessionRelay.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: Array<{ dispose(): void }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sources: StatusSources) {
    this.item.name = 'Session Relay';
    this.item.command = 'sessionRelay.showStatus';
    this.subscriptions.push(sources.receiver.onDidChangeState(() => this.render()), sources.onDidChangeConsent(() => this.render()));
    this.timer = setInterval(() => this.render(), REFRESH_MS);
    this.render();
    this.item.show();
  }

  render(): void {
    const view = statusView(this.sources.receiver.state, this.sources.pipeline(), this.sources.waitingForConsent());
    if (this.item.text !== view.text) {
      this.item.text = view.text;
    }
    this.item.tooltip = view.tooltip;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.item.dispose();
  }
}
