/**
 * The baseline extension: `yo code`'s hello world, registering one command. Bundled and activated
 * exactly like Session Relay, it is the floor any extension pays for loading and activating.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('helloWorld.helloWorld', () => vscode.window.showInformationMessage('Hello World!')));
}

export function deactivate(): void {}
