/**
 * A lean Sessions API service (SPEC §9.2) for the export bench: the protocol of
 * test/support/sessionsApiServer.ts — sessions created once per `agent_task_id`, event batches
 * (gzip or not) deduplicated by id, a fake GitHub `GET /repos/{owner}/{repo}` — without its fault
 * injection, request log and fsync per batch, which would make the service the bottleneck and hide
 * the difference between the senders. Ours and baseline (b) post to the same code.
 */
import type * as http from 'node:http';
import { CountWaiter } from '../lib/countWaiter';
import { readBody } from '../lib/httpBody';
import { LocalHttpServer } from '../lib/localHttpServer';

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)$/;
const EVENTS_PATH = /^\/agents\/sessions\/([^/]+)\/events$/;

export class BenchSessionsApi {
  private readonly server: LocalHttpServer;
  private readonly byTask = new Map<string, string>();
  private readonly sessions = new Set<string>();
  private ids = new Set<string>();
  private readonly arrivals = new CountWaiter(
    () => this.ids.size,
    (count, ms) => `the Sessions API has ${this.ids.size} of ${count} events after ${ms} ms`,
  );
  /** Batches that were not 2xx-worthy (unknown session, bad body): a correct sender makes none. */
  refused = 0;

  constructor(private readonly repos: Readonly<Record<string, { ownerId: number; repoId: number }>>) {
    this.server = new LocalHttpServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.refused++;
        if (!res.headersSent) reply(res, 500, { message: err instanceof Error ? err.message : String(err) });
      });
    });
  }

  async start(): Promise<string> {
    await this.server.listen();
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Distinct events stored so far. */
  get stored(): number {
    return this.ids.size;
  }

  /** Forgets every session and event: the next sender starts from an empty service. */
  reset(): void {
    this.byTask.clear();
    this.sessions.clear();
    this.ids = new Set();
    this.refused = 0;
  }

  /** Resolves once `count` distinct events are stored; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs: number): Promise<void> {
    return this.arrivals.wait(count, timeoutMs);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const repo = REPO_PATH.exec(pathname);
    if (req.method === 'GET' && repo) {
      const ids = this.repos[`${repo[1]}/${repo[2]}`.toLowerCase()];
      if (!ids) return reply(res, 404, { message: 'Not Found' });
      return reply(res, 200, { id: ids.repoId, full_name: `${repo[1]}/${repo[2]}`, owner: { id: ids.ownerId } });
    }
    if (req.method !== 'POST') return reply(res, 404, { message: 'not found' });
    const body = JSON.parse(raw.toString('utf8')) as { agent_task_id?: unknown; events?: Array<{ id: string }> };
    if (pathname === '/agents/sessions') {
      const taskId = String(body.agent_task_id ?? '');
      let id = this.byTask.get(taskId);
      if (!id) {
        id = `rs-${this.byTask.size + 1}`;
        this.byTask.set(taskId, id);
        this.sessions.add(id);
      }
      return reply(res, 201, { id, task_id: taskId });
    }
    const events = EVENTS_PATH.exec(pathname);
    if (!events || !this.sessions.has(decodeURIComponent(events[1] as string)) || !Array.isArray(body.events)) {
      this.refused++;
      return reply(res, 404, { message: 'no such session' });
    }
    let fresh = 0;
    for (const event of body.events) {
      if (this.ids.has(event.id)) continue;
      this.ids.add(event.id);
      fresh++;
    }
    reply(res, 200, { stored: fresh, duplicates: body.events.length - fresh });
    this.arrivals.update();
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
