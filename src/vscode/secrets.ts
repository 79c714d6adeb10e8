import * as vscode from 'vscode';

/** SecretStorage keys. Tokens live only there (and, for the receiver token, in Copilot Chat's headers setting). */
export const RECEIVER_TOKEN_KEY = 'sessionRelay.receiverToken';
export const API_TOKEN_KEY = 'sessionRelay.apiToken';

/**
 * Tokens for the remote destinations (SPEC §9.2): the GitHub session (`auth: "github"`, silent
 * unless the user acts) or the token set with `Set API Token` (`auth: "token"`). Also what the
 * core's GitHub id lookups (§5.1) use.
 */
export class TokenProvider {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /**
   * The GitHub session token; asks to sign in only when `interactive` (the user acted). A GitHub
   * Enterprise host uses VS Code's `github-enterprise` provider (configured by `github-enterprise.uri`).
   */
  async githubToken(interactive = false, host = 'github.com'): Promise<string | undefined> {
    const provider = host === 'github.com' ? 'github' : 'github-enterprise';
    try {
      const session = await vscode.authentication.getSession(provider, ['repo'], interactive ? { createIfNone: true } : { silent: true });
      return session?.accessToken;
    } catch {
      return undefined;
    }
  }

  async apiToken(): Promise<string | undefined> {
    return (await this.secrets.get(API_TOKEN_KEY)) || undefined;
  }

  /** The token for `sessionRelay.endpoint` per `sessionRelay.auth`. */
  async endpointToken(interactive = false): Promise<string | undefined> {
    const mode = vscode.workspace.getConfiguration('sessionRelay').get<string>('auth', 'github');
    return mode === 'token' ? this.apiToken() : this.githubToken(interactive);
  }
}
