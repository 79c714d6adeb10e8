import * as vscode from 'vscode';
import type { ReceiverContribution, ReceiverState } from './receiverContribution';

/** State at a glance (SPEC §10); a click opens Show Status. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sessionRelay.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(receiver: ReceiverContribution) {
    this.item.name = 'Session Relay';
    this.item.command = 'sessionRelay.showStatus';
    this.subscription = receiver.onDidChangeState((s) => this.render(s));
    this.render(receiver.state);
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private render(state: ReceiverState): void {
    switch (state.kind) {
      case 'off':
        this.item.text = '$(circle-slash) Relay: off';
        this.item.tooltip = 'Session Relay is off. Click for status.';
        break;
      case 'listening':
        this.item.text = '$(radio-tower) Relay';
        this.item.tooltip = `Session Relay is receiving on 127.0.0.1:${state.port}. Click for status.`;
        break;
      case 'port-busy':
        this.item.text = '$(radio-tower) Relay: other window';
        this.item.tooltip = `Port ${state.port} is owned by another window; this one takes over when it closes.`;
        break;
      case 'error':
        this.item.text = '$(error) Relay: error';
        this.item.tooltip = `Session Relay receiver error: ${state.message}`;
        break;
    }
  }
}
