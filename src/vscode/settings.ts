import * as vscode from 'vscode';

/**
 * Typed access to `sessionRelay.*`. The destination settings are declared with `application` or
 * `machine` scope in package.json, so VS Code itself ignores them in a workspace's
 * `.vscode/settings.json`: a cloned repository cannot redirect where sessions go.
 */
export interface RelaySettings {
  readonly enabled: boolean;
  readonly receiverPort: number;
  readonly localExportEnabled: boolean;
  readonly localExportDirectory: string;
  readonly extraPatterns: readonly string[];
  readonly sessionIdleMinutes: number;
  /** `sessionRelay.endpoint` (application scope: never from a workspace). Empty = no remote export. */
  readonly endpoint: string;
  readonly auth: 'github' | 'token';
  readonly spoolMaxBytes: number;
}

export const SECTION = 'sessionRelay';

export function readSettings(): RelaySettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    enabled: c.get<boolean>('enabled', true),
    receiverPort: clampInt(c.get<number>('receiver.port', 4318), 1, 65535, 4318),
    localExportEnabled: c.get<boolean>('localExport.enabled', true),
    localExportDirectory: c.get<string>('localExport.directory', '').trim(),
    extraPatterns: untrustedSafe(c, 'redaction.extraPatterns'),
    sessionIdleMinutes: Math.max(1, c.get<number>('sessionIdleMinutes', 30)),
    endpoint: c.get<string>('endpoint', '').trim(),
    auth: c.get<string>('auth', 'github') === 'token' ? 'token' : 'github',
    spoolMaxBytes: Math.max(1, c.get<number>('spool.maxSizeMB', 100)) * 1024 * 1024,
  };
}

/** In an untrusted workspace only the user's own value counts (SPEC §10, workspace trust). */
function untrustedSafe(c: vscode.WorkspaceConfiguration, key: string): readonly string[] {
  const value = vscode.workspace.isTrusted ? c.get<string[]>(key, []) : (c.inspect<string[]>(key)?.globalValue ?? []);
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

export function affects(event: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((k) => event.affectsConfiguration(`${SECTION}.${k}`));
}
