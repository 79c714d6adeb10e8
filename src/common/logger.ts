/**
 * The narrow logging port every core piece receives. The VS Code adapter backs it with a
 * LogOutputChannel, the CLI with stderr. Callers pass counts, ids of spans and file positions —
 * never chat content, tokens or secrets.
 */
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace() {},
  info() {},
  warn() {},
  error() {},
};
