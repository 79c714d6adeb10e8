import * as vscode from 'vscode';
import type { Logger } from '../common/logger';

/** The one "Session Relay" log (SPEC §10). Messages carry counts and states, never content or tokens. */
export function createLogChannel(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('Session Relay', { log: true });
  const logger: Logger = {
    trace: (m) => channel.trace(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, logger };
}
