import type { Disposable } from '../common/disposable';

/** Consent levels (SPEC §5.2), from nothing to the most shared. */
export type ConsentLevel = 'none' | 'local' | 'user' | 'repo_and_user';

/** What a destination needs: `local` (this device) or `remote` (leaves the machine). */
export type DestinationScope = 'local' | 'remote';

/** What the gate knows of a session when asked: its repository comes from `session.start`. */
export interface SessionContext {
  readonly sessionId: string;
  /** The remote URL from the spans (or the workspace's git), null when there is none. */
  readonly repository: string | null;
  readonly branch: string | null;
}

/**
 * The consent seam of the pipeline. The pipeline asks before any event of a session reaches a
 * destination; `undefined` means nobody has answered yet, and the session's events wait.
 * Implementations: the VS Code consent store and prompt; `fixedLevelGate` for the CLI, where the
 * person running the command gives the level.
 */
export interface ExportGate {
  levelFor(session: SessionContext): ConsentLevel | undefined;
  /** Fires when any decision may have changed, so waiting events move on or go. */
  onDidChange(listener: () => void): Disposable;
}

export function allows(level: ConsentLevel, scope: DestinationScope): boolean {
  return scope === 'local' ? level !== 'none' : level === 'user' || level === 'repo_and_user';
}

export function fixedLevelGate(level: ConsentLevel): ExportGate {
  return { levelFor: () => level, onDidChange: () => ({ dispose() {} }) };
}
