import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import { ConsentGate, isConsentLevel, type ConsentDecision, type ConsentLevel, type ConsentPolicy, type ConsentPromptRequest, type ConsentStore } from '../repo/consent';
import { enterpriseHosts, WorkspaceGit } from './gitRepository';
import { affects, SECTION } from './settings';

const STATE_KEY = 'sessionRelay.consent';

/** The button labels of SPEC §5.2, per level. */
export const LEVEL_LABELS: Record<ConsentLevel, string> = {
  local: 'Only on this device',
  user: 'Sync to my account',
  repo_and_user: 'Share with repository team',
  none: 'Never for this repository',
};

/** Decisions in the extension's global state: per repository, across workspaces and windows. */
class GlobalStateConsentStore implements ConsentStore {
  constructor(private readonly memento: vscode.Memento) {}
  private all(): Record<string, ConsentDecision> {
    const value = this.memento.get<Record<string, ConsentDecision>>(STATE_KEY, {});
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, d]) => d && isConsentLevel(d.level)));
  }
  get(key: string) {
    return this.all()[key];
  }
  async set(key: string, decision: ConsentDecision) {
    await this.memento.update(STATE_KEY, { ...this.all(), [key]: decision });
  }
  async delete(key: string) {
    const all = this.all();
    delete all[key];
    await this.memento.update(STATE_KEY, all);
  }
  entries() {
    return Object.entries(this.all());
  }
}

/** `sessionRelay.repositories.*` — user scope only (application settings), read live. */
export function readConsentPolicy(): ConsentPolicy {
  const c = vscode.workspace.getConfiguration(SECTION);
  const list = (key: string) => (c.get<unknown[]>(key, []) ?? []).filter((p): p is string => typeof p === 'string');
  const allowLevel = c.get<string>('repositories.allowLevel', 'local');
  return {
    allow: list('repositories.allow'),
    deny: list('repositories.deny'),
    allowLevel: isConsentLevel(allowLevel) && allowLevel !== 'none' ? allowLevel : 'local',
    remoteAvailable: !!c.get<string>('endpoint', '').trim() || !!c.get<string>('otlp.endpoint', '').trim(),
  };
}

/**
 * The consent gate wired to VS Code: decisions in global state, the non-modal prompt, the
 * workspace's git, and the settings. Any change of those is applied at once.
 */
export class ConsentContribution implements vscode.Disposable {
  readonly gate: ConsentGate;
  readonly git: WorkspaceGit;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, logger: Logger) {
    this.git = new WorkspaceGit(logger);
    this.gate = new ConsentGate({
      store: new GlobalStateConsentStore(context.globalState),
      policy: readConsentPolicy,
      enterpriseHosts,
      workspaceRepository: () => this.git.current(),
      prompt: showConsentPrompt,
      logger,
    });
    this.subscriptions.push(
      this.git,
      this.git.onDidChange(() => this.gate.changed()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'repositories', 'endpoint', 'otlp.endpoint') || e.affectsConfiguration('github-enterprise.uri')) {
          this.gate.changed();
        }
      }),
    );
  }

  /** `Session Relay: Manage Repository Consent`: list, change, forget. */
  async manage(): Promise<void> {
    const decisions = this.gate.decisions();
    if (decisions.length === 0) {
      void vscode.window.showInformationMessage('Session Relay: no repository has a consent decision yet. You are asked the first time a chat session runs in a repository.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      decisions.map((d) => ({
        label: d.decision.label,
        description: LEVEL_LABELS[d.decision.level],
        detail: d.key.startsWith('folder:') ? 'Workspace folder without a GitHub repository' : undefined,
        key: d.key,
        isFolder: d.key.startsWith('folder:'),
      })),
      { title: 'Session Relay: Repository Consent', placeHolder: 'Choose a repository to change or revoke its decision' },
    );
    if (!picked) {
      return;
    }
    const levels: ConsentLevel[] = picked.isFolder ? ['local', 'none'] : ['local', 'user', 'repo_and_user', 'none'];
    const choice = await vscode.window.showQuickPick(
      [
        ...levels.map((level) => ({ label: level === 'none' ? `${LEVEL_LABELS.none} (revoke)` : LEVEL_LABELS[level], level: level as ConsentLevel | 'forget' })),
        { label: 'Forget this decision (ask again next session)', level: 'forget' as const },
      ],
      { title: `Session Relay: consent for ${picked.label}`, placeHolder: `Now: ${picked.description}` },
    );
    if (!choice) {
      return;
    }
    if (choice.level === 'forget') {
      await this.gate.forget(picked.key);
    } else {
      await this.gate.setDecision(picked.key, picked.label, choice.level);
    }
    void vscode.window.showInformationMessage(`Session Relay: ${picked.label} — ${choice.level === 'forget' ? 'decision forgotten' : LEVEL_LABELS[choice.level]}.`);
  }

  dispose(): void {
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.gate.dispose();
  }
}

/** The one non-modal prompt per repository (SPEC §5.2). Closing it resolves to undefined. */
async function showConsentPrompt(request: ConsentPromptRequest): Promise<ConsentLevel | undefined> {
  const isFolder = request.subject.kind === 'folder';
  const message = isFolder
    ? `Export Copilot chat sessions for ${request.label}? This folder has no GitHub repository: transcripts can only be kept on this device.`
    : `Export Copilot chat sessions for ${request.label}?`;
  const labels = request.choices.map((level) => (isFolder && level === 'none' ? 'Never for this folder' : LEVEL_LABELS[level]));
  const answer = await vscode.window.showInformationMessage(message, ...labels);
  const index = answer === undefined ? -1 : labels.indexOf(answer);
  return index < 0 ? undefined : request.choices[index];
}
