import * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import type { WorkspaceRepository } from '../repo/consent';
import { parseRemoteUrl } from '../repo/remoteUrl';

/** The slice of the built-in git extension's API (`vscode.git`, `getAPI(1)`) that is used here. */
interface GitRemote {
  readonly name: string;
  readonly fetchUrl?: string;
  readonly pushUrl?: string;
}
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly remotes: readonly GitRemote[]; readonly onDidChange: vscode.Event<void> };
}
interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: readonly GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  getRepository(uri: vscode.Uri): GitRepository | null;
}

/** Where GitHub Enterprise lives (`github-enterprise.uri`, set by VS Code's GitHub extensions). */
export function enterpriseHosts(): string[] {
  const uri = vscode.workspace.getConfiguration('github-enterprise').get<string>('uri', '');
  return uri ? [uri] : [];
}

/**
 * The workspace's repository from the git extension (SPEC §5.1), for sessions whose spans carry no
 * repository: the repository containing the first workspace folder, remote `origin` first, then
 * any GitHub remote. Nothing is looked up at activation: the git extension is asked the first time
 * a session needs it, and `onDidChange` fires once it has initialised.
 */
export class WorkspaceGit implements vscode.Disposable {
  private api: GitApi | undefined;
  private started = false;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly logger: Logger) {
    this.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.emitter.fire()));
  }

  current(): WorkspaceRepository {
    if (!this.started) {
      this.started = true;
      void this.start();
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const folderInfo = folder ? { uri: folder.uri.toString(), name: folder.name } : undefined;
    if (!this.ready) {
      return { state: 'pending' };
    }
    if (!this.api || !folder) {
      return { state: 'ready', folder: folderInfo };
    }
    const repo = this.api.getRepository(folder.uri) ?? this.api.repositories.find((r) => folder.uri.fsPath.startsWith(r.rootUri.fsPath));
    return { state: 'ready', remoteUrl: repo ? pickRemote(repo.state.remotes) : undefined, folder: folderInfo };
  }

  dispose(): void {
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.emitter.dispose();
  }

  private async start(): Promise<void> {
    try {
      const extension = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>('vscode.git');
      if (extension && vscode.workspace.workspaceFolders?.length) {
        const exports = extension.isActive ? extension.exports : await extension.activate();
        const api = exports.getAPI(1);
        this.api = api;
        if (api.state !== 'initialized') {
          await new Promise<void>((resolve) => {
            const sub = api.onDidChangeState((s) => {
              if (s === 'initialized') {
                sub.dispose();
                resolve();
              }
            });
          });
        }
        // Repositories open (and their remotes load) after initialisation too.
        this.subscriptions.push(
          api.onDidOpenRepository((repo) => {
            this.subscriptions.push(repo.state.onDidChange(() => this.emitter.fire()));
            this.emitter.fire();
          }),
        );
        for (const repo of api.repositories) {
          this.subscriptions.push(repo.state.onDidChange(() => this.emitter.fire()));
        }
      }
    } catch (err) {
      this.logger.warn(`git extension unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.ready = true;
    this.emitter.fire();
  }
}

function pickRemote(remotes: readonly GitRemote[]): string | undefined {
  const url = (r: GitRemote) => r.fetchUrl ?? r.pushUrl;
  const origin = remotes.find((r) => r.name === 'origin' && url(r));
  if (origin && parseRemoteUrl(url(origin)!, { enterpriseHosts: enterpriseHosts() })) {
    return url(origin);
  }
  const github = remotes.find((r) => url(r) && parseRemoteUrl(url(r)!, { enterpriseHosts: enterpriseHosts() }));
  return github ? url(github) : origin ? url(origin) : undefined;
}
