/** A GitHub (or GitHub Enterprise) repository named by a git remote URL. */
export interface RepositoryRef {
  /** Lowercase host, without port: `github.com` or a GitHub Enterprise host. */
  readonly host: string;
  readonly owner: string;
  readonly repo: string;
  /** `owner/repo` as written in the URL (GitHub names are case-insensitive; compare with `key`). */
  readonly slug: string;
  /** Stable identity for storage and comparison: `host/owner/repo`, lowercase. */
  readonly key: string;
}

export interface RemoteUrlOptions {
  /** Hosts of GitHub Enterprise servers (from `github-enterprise.uri`), besides github.com. */
  readonly enterpriseHosts?: readonly string[];
}

/**
 * Parses the remote URL forms git accepts (SPEC §5.1): `https://host/owner/repo(.git)`,
 * `git@host:owner/repo(.git)`, `ssh://git@host[:port]/owner/repo`, `git://…`, with trailing slashes,
 * `.git` suffixes, credentials and any case. Returns undefined for anything that is not a GitHub or
 * known GitHub Enterprise repository — such sessions can only be exported locally.
 */
export function parseRemoteUrl(url: string, options: RemoteUrlOptions = {}): RepositoryRef | undefined {
  const text = url.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol)) {
      return undefined;
    }
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else if (scp) {
    host = scp[1];
    path = scp[2];
  } else {
    return undefined;
  }
  host = host.toLowerCase().replace(/^www\./, '');
  const known = new Set(['github.com', ...(options.enterpriseHosts ?? []).map(hostOf).filter((h): h is string => !!h)]);
  if (!known.has(host)) {
    return undefined;
  }
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .split('/')
    .filter(Boolean);
  if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9._-]+$/.test(p)) || parts[1] === '.' || parts[1] === '..') {
    return undefined;
  }
  const [owner, repo] = parts;
  return { host, owner, repo, slug: `${owner}/${repo}`, key: `${host}/${owner}/${repo}`.toLowerCase() };
}

/** `https://ghe.example.com/` or `ghe.example.com` → `ghe.example.com`. */
function hostOf(uriOrHost: string): string | undefined {
  const value = uriOrHost.trim();
  if (!value) {
    return undefined;
  }
  try {
    return new URL(/^[a-z]+:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
