import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import type { ConsentLevel, ExportGate, SessionContext } from '../delivery/exportGate';
import { parseRemoteUrl, type RepositoryRef } from './remoteUrl';

export type { ConsentLevel } from '../delivery/exportGate';

/** The levels a person can choose, from least to most shared (SPEC §5.2). */
export const CONSENT_LEVELS: readonly ConsentLevel[] = ['none', 'local', 'user', 'repo_and_user'];

export function isConsentLevel(value: unknown): value is ConsentLevel {
  return typeof value === 'string' && (CONSENT_LEVELS as readonly string[]).includes(value);
}

/**
 * What a decision is about: a GitHub (or GitHub Enterprise) repository, or — when a session has no
 * GitHub repository — the workspace folder it ran in, where only the local level can apply.
 */
export type ConsentSubject =
  | { readonly kind: 'repository'; readonly ref: RepositoryRef }
  | { readonly kind: 'folder'; readonly folder: string; readonly name: string };

/** The storage key: per repository including its host (GHE), or per workspace folder. */
export function subjectKey(subject: ConsentSubject): string {
  return subject.kind === 'repository' ? `repo:${subject.ref.key}` : `folder:${subject.folder}`;
}

/** What people read: `owner/repo` on github.com, `host/owner/repo` on GitHub Enterprise. */
export function subjectLabel(subject: ConsentSubject): string {
  if (subject.kind === 'folder') {
    return subject.name;
  }
  return subject.ref.host === 'github.com' ? subject.ref.slug : `${subject.ref.host}/${subject.ref.slug}`;
}

export interface ConsentDecision {
  readonly level: ConsentLevel;
  /** The label at the time of the decision, for listing (keys are lowercase). */
  readonly label: string;
  readonly decidedAt: string;
}

/** Where decisions live (the VS Code adapter: extension global state). Reads are synchronous. */
export interface ConsentStore {
  get(key: string): ConsentDecision | undefined;
  set(key: string, decision: ConsentDecision): Promise<void>;
  delete(key: string): Promise<void>;
  entries(): Array<[string, ConsentDecision]>;
}

export class MemoryConsentStore implements ConsentStore {
  private readonly map = new Map<string, ConsentDecision>();
  constructor(initial: Record<string, ConsentDecision> = {}) {
    for (const [k, v] of Object.entries(initial)) {
      this.map.set(k, v);
    }
  }
  get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, decision: ConsentDecision) {
    this.map.set(key, decision);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
  entries() {
    return [...this.map];
  }
  toJSON(): Record<string, ConsentDecision> {
    return Object.fromEntries(this.map);
  }
}

/** `sessionRelay.repositories.*` plus whether any remote destination is configured. */
export interface ConsentPolicy {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly allowLevel: ConsentLevel;
  /** An endpoint (Sessions API or OTLP forward) is configured: remote levels can be offered. */
  readonly remoteAvailable: boolean;
}

/**
 * Glob on `owner/repo` (case-insensitive, as GitHub names are): `*` matches within one path
 * segment, `**` across segments, `?` one character. A pattern with two slashes is matched against
 * `host/owner/repo`, so GitHub Enterprise repositories can be named precisely.
 */
export function globMatches(pattern: string, ref: RepositoryRef): boolean {
  const p = pattern.trim().toLowerCase();
  if (!p) {
    return false;
  }
  const target = (p.split('/').length >= 3 ? `${ref.host}/${ref.owner}/${ref.repo}` : `${ref.owner}/${ref.repo}`).toLowerCase();
  let source = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`).test(target);
}

/**
 * The decision for a subject, or undefined when the person has to be asked. Deny patterns win
 * over everything, stored decisions included; then the stored decision; then allow patterns. A
 * folder without a GitHub repository can only ever be exported locally.
 */
export function decide(subject: ConsentSubject, policy: ConsentPolicy, store: ConsentStore): ConsentLevel | undefined {
  if (subject.kind === 'folder') {
    const stored = store.get(subjectKey(subject))?.level;
    return stored === undefined ? undefined : stored === 'none' ? 'none' : 'local';
  }
  if (policy.deny.some((p) => globMatches(p, subject.ref))) {
    return 'none';
  }
  const stored = store.get(subjectKey(subject));
  if (stored) {
    return stored.level;
  }
  if (policy.allow.some((p) => globMatches(p, subject.ref))) {
    return policy.allowLevel;
  }
  return undefined;
}

/** The choices the prompt offers for a subject, in the order of SPEC §5.2. */
export function promptChoices(subject: ConsentSubject, policy: ConsentPolicy): ConsentLevel[] {
  if (subject.kind === 'folder') {
    return ['local', 'none'];
  }
  return policy.remoteAvailable ? ['local', 'user', 'repo_and_user', 'none'] : ['local', 'none'];
}

/** Where a session's repository comes from when its spans do not say (the workspace's git). */
export type WorkspaceRepository =
  | { readonly state: 'pending' }
  | { readonly state: 'ready'; readonly remoteUrl?: string; readonly folder?: { readonly uri: string; readonly name: string } };

export interface ConsentPromptRequest {
  readonly subject: ConsentSubject;
  readonly label: string;
  readonly choices: readonly ConsentLevel[];
}

export interface ConsentGateDeps {
  readonly store: ConsentStore;
  readonly policy: () => ConsentPolicy;
  readonly enterpriseHosts: () => readonly string[];
  /** The workspace's repository (git extension API), for sessions whose spans carry none. */
  readonly workspaceRepository: () => WorkspaceRepository;
  /** Shows the prompt; resolves to the chosen level, or undefined when it was dismissed. */
  readonly prompt: (request: ConsentPromptRequest) => Promise<ConsentLevel | undefined>;
  readonly logger: Logger;
}

/**
 * The consent gate of the extension (SPEC §5.2). The pipeline asks it per session; an unanswered
 * repository gets one prompt (never two at a time), the session's events wait meanwhile, and an
 * answer or any change of decisions, settings or the workspace's repository is announced so the
 * pipeline releases or discards what waits. A dismissed prompt is not shown again for the sessions
 * that already triggered it — the next session in that repository asks again.
 */
export class ConsentGate implements ExportGate, Disposable {
  private readonly listeners = new Set<() => void>();
  private readonly open = new Map<string, Promise<void>>();
  /** Per subject key, the sessions whose prompt was dismissed. */
  private readonly dismissed = new Map<string, Set<string>>();
  /** Sessions currently waiting for a decision, per subject key (for the status bar). */
  private readonly waiting = new Map<string, Set<string>>();
  private disposed = false;

  constructor(private readonly deps: ConsentGateDeps) {}

  levelFor(session: SessionContext): ConsentLevel | undefined {
    const subject = this.subjectOf(session);
    if (!subject) {
      // The workspace's git is still initialising: wait, `changed()` follows when it is known.
      return undefined;
    }
    const key = subjectKey(subject);
    const level = decide(subject, this.deps.policy(), this.deps.store);
    if (level !== undefined) {
      this.waiting.delete(key);
      return level;
    }
    let sessions = this.waiting.get(key);
    if (!sessions) {
      this.waiting.set(key, (sessions = new Set()));
    }
    sessions.add(session.sessionId);
    if (!this.open.has(key) && !this.dismissed.get(key)?.has(session.sessionId)) {
      this.ask(subject, key);
    }
    return undefined;
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Labels of the repositories and folders whose sessions wait for an answer. */
  get waitingFor(): string[] {
    return [...this.waiting.keys()].map((k) => this.labels.get(k) ?? k);
  }

  /** Records a decision (prompt or Manage Repository Consent) and applies it at once. */
  async setDecision(key: string, label: string, level: ConsentLevel): Promise<void> {
    await this.deps.store.set(key, { level, label, decidedAt: new Date().toISOString() });
    this.dismissed.delete(key);
    this.changed();
  }

  /** Forgets a decision: the next session there asks again. */
  async forget(key: string): Promise<void> {
    await this.deps.store.delete(key);
    this.dismissed.delete(key);
    this.changed();
  }

  decisions(): Array<{ key: string; decision: ConsentDecision }> {
    return this.deps.store
      .entries()
      .map(([key, decision]) => ({ key, decision }))
      .sort((a, b) => a.decision.label.localeCompare(b.decision.label));
  }

  /** Settings, the workspace's repository or stored decisions changed. */
  changed(): void {
    if (this.disposed) {
      return;
    }
    for (const l of [...this.listeners]) {
      l();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  private readonly labels = new Map<string, string>();

  private subjectOf(session: SessionContext): ConsentSubject | undefined {
    const hosts = { enterpriseHosts: this.deps.enterpriseHosts() };
    // Span attributes first (SPEC §5.1): they name the repository the chat actually ran in.
    const fromSpans = session.repository ? parseRemoteUrl(session.repository, hosts) : undefined;
    if (fromSpans) {
      return this.remember({ kind: 'repository', ref: fromSpans });
    }
    const workspace = this.deps.workspaceRepository();
    if (workspace.state === 'pending') {
      return undefined;
    }
    const fromGit = workspace.remoteUrl ? parseRemoteUrl(workspace.remoteUrl, hosts) : undefined;
    if (fromGit && !session.repository) {
      return this.remember({ kind: 'repository', ref: fromGit });
    }
    // No GitHub repository: the workspace folder is what the person decides on (local only).
    const folder = workspace.folder ?? { uri: '(no folder)', name: 'this window (no folder open)' };
    return this.remember({ kind: 'folder', folder: folder.uri, name: folder.name });
  }

  private remember(subject: ConsentSubject): ConsentSubject {
    this.labels.set(subjectKey(subject), subjectLabel(subject));
    return subject;
  }

  private ask(subject: ConsentSubject, key: string): void {
    const label = subjectLabel(subject);
    const asked = new Set(this.waiting.get(key));
    const request: ConsentPromptRequest = { subject, label, choices: promptChoices(subject, this.deps.policy()) };
    this.deps.logger.info(`consent: asking for a ${subject.kind === 'repository' ? 'repository' : 'folder without a GitHub repository'}`);
    const done = this.deps
      .prompt(request)
      .then(async (level) => {
        this.open.delete(key);
        if (this.disposed) {
          return;
        }
        if (level === undefined) {
          // Dismissed: these sessions keep waiting without asking again; the next session asks.
          const set = this.dismissed.get(key) ?? new Set<string>();
          for (const s of asked) {
            set.add(s);
          }
          for (const s of this.waiting.get(key) ?? []) {
            set.add(s);
          }
          this.dismissed.set(key, set);
          this.deps.logger.info('consent: prompt dismissed; events wait until the next session asks again');
          return;
        }
        this.deps.logger.info(`consent: decided ${level}`);
        await this.setDecision(key, label, level);
      })
      .catch((err) => {
        this.open.delete(key);
        this.deps.logger.error(`consent prompt failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    this.open.set(key, done);
  }
}
