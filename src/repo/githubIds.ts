import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import { systemClock, type Clock } from '../delivery/clock';
import { writeFileDurably } from '../delivery/journalRecords';
import { header, HttpClient } from '../sinks/httpClient';
import type { RepositoryRef } from './remoteUrl';

export interface RepositoryIds {
  readonly ownerId: number;
  readonly repoId: number;
}

export type IdLookup =
  | { readonly kind: 'ok'; readonly ids: RepositoryIds }
  /** 404: not a GitHub repository this token can see; its sessions stay local. */
  | { readonly kind: 'not-found' }
  /** 401 (or no token at all): the user must sign in again. */
  | { readonly kind: 'unauthorized' }
  /** 403/429 with rate-limit headers: try again at `untilMs`; events wait in the spool. */
  | { readonly kind: 'rate-limited'; readonly untilMs: number }
  /** Network trouble or a 5xx: try again later. */
  | { readonly kind: 'unavailable' };

export interface GithubIdsOptions {
  /** `https://api.github.com` by default; for a GitHub Enterprise host, `https://HOST/api/v3`. */
  readonly apiBaseUrl?: string;
  readonly tokenProvider: (host: string) => Promise<string | undefined>;
  /** Where the 24 h cache is persisted; in memory only without one. */
  readonly cacheFile?: string;
  /** Injected in tests; the system clock otherwise. */
  readonly clock?: Clock;
  readonly logger: Logger;
  readonly http?: HttpClient;
  readonly ttlMs?: number;
  readonly timeoutMs?: number;
}

interface CacheEntry {
  readonly ownerId?: number;
  readonly repoId?: number;
  readonly notFound?: boolean;
  readonly at: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A "not found" is re-checked sooner: access may be granted, or the token replaced. */
const NOT_FOUND_TTL_MS = 60 * 60 * 1000;

/**
 * Numeric owner and repository ids of a GitHub repository (SPEC §5.1), which the Sessions API needs:
 * `GET {api}/repos/{owner}/{repo}` with the user's token, cached 24 h on disk so a restart costs no
 * request. One lookup per repository at a time; rate limits are waited out, never retried hot.
 */
export class GithubIds {
  private cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<IdLookup>>();
  private loaded: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly http: HttpClient;
  private readonly ownsHttp: boolean;

  constructor(private readonly options: GithubIdsOptions) {
    this.http = options.http ?? new HttpClient(2);
    this.ownsHttp = !options.http;
  }

  apiBaseFor(host: string): string {
    if (this.options.apiBaseUrl) return this.options.apiBaseUrl.replace(/\/+$/, '');
    return host === 'github.com' ? 'https://api.github.com' : `https://${host}/api/v3`;
  }

  async resolve(ref: RepositoryRef): Promise<IdLookup> {
    await (this.loaded ??= this.load());
    const cached = this.cache.get(ref.key);
    const now = (this.options.clock ?? systemClock).now();
    if (cached && now - cached.at < (cached.notFound ? NOT_FOUND_TTL_MS : (this.options.ttlMs ?? DAY_MS))) {
      return cached.notFound ? { kind: 'not-found' } : { kind: 'ok', ids: { ownerId: cached.ownerId!, repoId: cached.repoId! } };
    }
    let running = this.inFlight.get(ref.key);
    if (!running) {
      running = this.fetch(ref).finally(() => this.inFlight.delete(ref.key));
      this.inFlight.set(ref.key, running);
    }
    return running;
  }

  async dispose(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private async fetch(ref: RepositoryRef): Promise<IdLookup> {
    const token = await this.options.tokenProvider(ref.host);
    if (!token) return { kind: 'unauthorized' };
    const url = `${this.apiBaseFor(ref.host)}/repos/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}`;
    let response;
    try {
      response = await this.http.request({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}`, 'x-github-api-version': '2022-11-28', 'user-agent': 'session-relay' },
        timeoutMs: this.options.timeoutMs ?? 10_000,
      });
    } catch (err) {
      this.options.logger.warn(`GitHub API: repository lookup failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`);
      return { kind: 'unavailable' };
    }
    const now = (this.options.clock ?? systemClock).now();
    if (response.status === 200) {
      const body = JSON.parse(response.body) as { id?: number; owner?: { id?: number } };
      if (typeof body.id !== 'number' || typeof body.owner?.id !== 'number') return { kind: 'unavailable' };
      await this.store(ref.key, { ownerId: body.owner.id, repoId: body.id, at: now });
      return { kind: 'ok', ids: { ownerId: body.owner.id, repoId: body.id } };
    }
    if (response.status === 404) {
      await this.store(ref.key, { notFound: true, at: now });
      return { kind: 'not-found' };
    }
    if (response.status === 401) return { kind: 'unauthorized' };
    const remaining = header(response, 'x-ratelimit-remaining');
    const reset = header(response, 'x-ratelimit-reset');
    const retryAfter = header(response, 'retry-after');
    if (response.status === 429 || (response.status === 403 && (remaining === '0' || retryAfter !== undefined))) {
      const untilMs =
        retryAfter !== undefined && /^\d+$/.test(retryAfter)
          ? now + Number(retryAfter) * 1000
          : reset !== undefined && /^\d+$/.test(reset)
            ? Number(reset) * 1000
            : now + 60_000;
      this.options.logger.warn(`GitHub API: rate limited until ${new Date(untilMs).toISOString()}`);
      return { kind: 'rate-limited', untilMs: Math.max(untilMs, now + 1000) };
    }
    if (response.status === 403) {
      // A 403 without rate-limit headers: the token may not see the repository, like a 404.
      return { kind: 'not-found' };
    }
    return { kind: 'unavailable' };
  }

  private async load(): Promise<void> {
    if (!this.options.cacheFile) return;
    try {
      const data = JSON.parse(await fs.readFile(this.options.cacheFile, 'utf8')) as Record<string, CacheEntry>;
      this.cache = new Map(Object.entries(data));
    } catch {
      // No cache yet, or a damaged one: start empty.
    }
  }

  private async store(key: string, entry: CacheEntry): Promise<void> {
    this.cache.set(key, entry);
    if (!this.options.cacheFile) return;
    const file = this.options.cacheFile;
    // One write at a time: concurrent lookups must not race on the temp file.
    this.saving = this.saving.then(async () => {
      try {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await writeFileDurably(file, JSON.stringify(Object.fromEntries(this.cache)));
      } catch (err) {
        this.options.logger.warn(`GitHub API: could not persist the repository id cache (${(err as NodeJS.ErrnoException).code ?? ''})`);
      }
    });
    await this.saving;
  }
}
