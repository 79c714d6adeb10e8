import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A Sessions API service for the tests (SPEC §9.2) on 127.0.0.1: creates sessions (the same one
 * again for the same `agent_task_id`), stores events deduplicated by id and persisted to disk,
 * answers a fake GitHub `GET /repos/{owner}/{repo}`, and injects faults on request.
 */

export type Fault =
  /** Answer with this status (and Retry-After, if given) without storing anything. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly headers?: Record<string, string> }
  /** Destroy the connection without an answer. */
  | { readonly kind: 'reset' }
  /** Answer only after `delayMs` (longer than the client's timeout). */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Store the events, then answer 502 — the client must retry, and the retry is a duplicate. */
  | { readonly kind: 'stored-then-502' };

export type RequestKind = 'create' | 'events' | 'repo';

export interface ServerRequestInfo {
  readonly kind: RequestKind;
  readonly eventIds: readonly string[];
  readonly idempotencyKey?: string;
}

export interface StoredSession {
  readonly id: string;
  readonly taskId: string;
  readonly ownerId: number;
  readonly repoId: number;
  readonly indexingLevel: string;
  readonly events: Array<{ id: string; parentId: string | null; type: string; [k: string]: unknown }>;
}

export interface SessionsApiServerOptions {
  /** Where stored events are persisted (`<remote id>.jsonl`, `sessions.json`). */
  readonly dataDir: string;
  /** Repositories the fake GitHub API knows: `owner/repo` → ids. */
  readonly repos?: Record<string, { ownerId: number; repoId: number }>;
  /** Required bearer token for the Sessions API; none means any. */
  readonly token?: string;
  /** Required bearer token for the fake GitHub API; none means any. */
  readonly githubToken?: string;
}

export class SessionsApiServer {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Map<string, StoredSession>();
  private readonly byTask = new Map<string, string>();
  private readonly eventIds = new Set<string>();
  private readonly completedKeys = new Set<string>();
  private port = 0;
  private down = false;
  private nextId = 1;

  /** Faults for the next Sessions API requests, in order (deterministic tests). */
  readonly queue: Fault[] = [];
  /** Faults for the next GitHub API requests, in order. */
  readonly repoQueue: Fault[] = [];
  /** Picks a fault for a request (chaos tests); consulted when the queue is empty. */
  picker: ((info: ServerRequestInfo) => Fault | undefined) | undefined;
  /** Events with these ids are refused with 400 (dead-letter tests). */
  readonly poison = new Set<string>();
  /** Batches with more events than this are refused with 413. */
  maxEventsPerBatch = Infinity;
  /** Every request as it arrived (kind, ids, key). */
  readonly log: ServerRequestInfo[] = [];
  readonly stats = {
    requests: 0,
    faults: {} as Record<string, number>,
    stored: 0,
    /** Events sent again after being stored (retries the service had to deduplicate). */
    duplicates: 0,
    conflicts: 0,
    sessionsCreated: 0,
    refusedWhileDown: 0,
  };

  constructor(private readonly options: SessionsApiServerOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (this.down) {
        this.stats.refusedWhileDown++;
        socket.destroy();
      }
    });
  }

  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A full outage: every open connection is cut and new ones are dropped until `restore()`. */
  outage(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  get isDown(): boolean {
    return this.down;
  }

  sessionByTask(taskId: string): StoredSession | undefined {
    const id = this.byTask.get(taskId);
    return id ? this.sessions.get(id) : undefined;
  }

  allSessions(): StoredSession[] {
    return [...this.sessions.values()];
  }

  /** Forgets a session (its events stay counted as stored) — to provoke a 404 and a re-creation. */
  forget(taskId: string): void {
    const id = this.byTask.get(taskId);
    if (id) this.sessions.delete(id);
    this.byTask.delete(taskId);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const eventsMatch = /^\/agents\/sessions\/([^/]+)\/events$/.exec(url.pathname);
    const kind: RequestKind | undefined =
      req.method === 'GET' && repoMatch ? 'repo' : req.method === 'POST' && url.pathname === '/agents/sessions' ? 'create' : req.method === 'POST' && eventsMatch ? 'events' : undefined;
    if (!kind) return this.json(res, 404, { message: 'not found' });
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.json(res, 400, { message: 'invalid JSON' });
      }
    }
    const events = kind === 'events' && Array.isArray(body.events) ? (body.events as StoredSession['events']) : [];
    const key = req.headers['idempotency-key'] as string | undefined;
    const info: ServerRequestInfo = { kind, eventIds: events.map((e) => e.id), idempotencyKey: key };
    this.log.push(info);
    this.stats.requests++;

    const fault = (kind === 'repo' ? this.repoQueue.shift() : this.queue.shift()) ?? this.picker?.(info);
    if (fault) {
      const name = fault.kind === 'status' ? String(fault.status) : fault.kind;
      this.stats.faults[name] = (this.stats.faults[name] ?? 0) + 1;
      switch (fault.kind) {
        case 'status':
          return this.json(res, fault.status, { message: 'injected' }, { ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}), ...fault.headers });
        case 'reset':
          req.socket.destroy();
          return;
        case 'slow':
          await new Promise((r) => setTimeout(r, fault.delayMs));
          if (!res.destroyed) this.json(res, 503, { message: 'too late' });
          return;
        case 'stored-then-502':
          break;
      }
    }

    if (kind === 'repo') {
      const auth = req.headers.authorization;
      if (this.options.githubToken && auth !== `Bearer ${this.options.githubToken}`) return this.json(res, 401, { message: 'Bad credentials' });
      const repo = this.options.repos?.[`${repoMatch![1]}/${repoMatch![2]}`.toLowerCase()];
      if (!repo) return this.json(res, 404, { message: 'Not Found' });
      return this.json(res, 200, { id: repo.repoId, full_name: `${repoMatch![1]}/${repoMatch![2]}`, owner: { id: repo.ownerId } });
    }
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.json(res, 401, { message: 'unauthorized' });
    }
    if (kind === 'create') {
      const taskId = String(body.agent_task_id ?? '');
      if (!taskId || typeof body.owner_id !== 'number' || typeof body.repo_id !== 'number') return this.json(res, 400, { message: 'bad session' });
      let id = this.byTask.get(taskId);
      if (!id) {
        id = `rs-${this.nextId++}`;
        this.sessions.set(id, {
          id,
          taskId,
          ownerId: body.owner_id,
          repoId: body.repo_id,
          indexingLevel: String(body.indexing_level),
          events: [],
        });
        this.byTask.set(taskId, id);
        this.stats.sessionsCreated++;
        this.persistSessions();
      }
      if (fault?.kind === 'stored-then-502') return this.json(res, 502, { message: 'injected after store' });
      return this.json(res, 201, { id, task_id: taskId });
    }
    const session = this.sessions.get(decodeURIComponent(eventsMatch![1]));
    if (!session) return this.json(res, 404, { message: 'no such session' });
    if (!Array.isArray(body.events)) return this.json(res, 400, { message: 'events missing' });
    if (events.length > this.maxEventsPerBatch) return this.json(res, 413, { message: 'batch too large' });
    if (events.some((e) => this.poison.has(e.id))) return this.json(res, 400, { message: 'unacceptable event' });
    if (key && this.completedKeys.has(key)) {
      this.stats.conflicts++;
      this.stats.duplicates += events.length;
      return this.json(res, 409, { message: 'already stored' });
    }
    const fresh = [];
    for (const event of events) {
      if (this.eventIds.has(event.id)) {
        this.stats.duplicates++;
        continue;
      }
      this.eventIds.add(event.id);
      session.events.push(event);
      fresh.push(event);
    }
    if (fresh.length > 0) {
      // Persisted before answering: what the service acknowledges survives it.
      const fd = fs.openSync(path.join(this.options.dataDir, `${session.id}.jsonl`), 'a');
      fs.writeSync(fd, fresh.map((e) => JSON.stringify(e)).join('\n') + '\n');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    this.stats.stored += fresh.length;
    if (key) this.completedKeys.add(key);
    if (fault?.kind === 'stored-then-502') return this.json(res, 502, { message: 'injected after store' });
    return this.json(res, 200, { stored: fresh.length, duplicates: events.length - fresh.length });
  }

  private persistSessions(): void {
    const index = [...this.sessions.values()].map(({ id, taskId, ownerId, repoId, indexingLevel }) => ({ id, taskId, ownerId, repoId, indexingLevel }));
    fs.writeFileSync(path.join(this.options.dataDir, 'sessions.json'), JSON.stringify(index));
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }
}
