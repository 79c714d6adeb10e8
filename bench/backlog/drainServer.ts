/**
 * The destination coming back: a lean Sessions API service (the protocol of SPEC §9.2, as in
 * test/support/sessionsApiServer.ts, minus its disk writes and fault injection) in its own process,
 * so its work does not slow the relay it measures. It counts distinct event ids, checks each
 * session's parent chain (in order, nothing skipped) and exits once it has seen `expected` ids.
 */
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface DrainServerResult {
  readonly listeningAt: number;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  readonly distinct: number;
  readonly duplicates: number;
  /** Events whose parentId is not the session's previous event. */
  readonly outOfOrder: number;
  readonly requests: number;
  readonly sessions: number;
  readonly complete: boolean;
}

interface WireEvent {
  readonly id: string;
  readonly parentId: string | null;
}

/** Worker entry: `[port, expected, timeoutMs]`. */
export async function drainServerMain(args: readonly string[]): Promise<DrainServerResult> {
  const [port, expected, timeoutMs] = args.map(Number) as [number, number, number];
  const ids = new Set<string>();
  const lastOfSession = new Map<string, string>();
  const remoteIds = new Map<string, string>();
  let duplicates = 0;
  let outOfOrder = 0;
  let requests = 0;
  let firstEventAt = 0;
  let lastEventAt = 0;
  let finish: (complete: boolean) => void = () => {};
  const finished = new Promise<boolean>((resolve) => (finish = resolve));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const body = JSON.parse(raw.toString('utf8') || '{}') as { agent_task_id?: string; events?: WireEvent[] };
      const events = /^\/agents\/sessions\/([^/]+)\/events$/.exec(req.url ?? '');
      if (req.method === 'POST' && req.url === '/agents/sessions') {
        const task = String(body.agent_task_id);
        const id = remoteIds.get(task) ?? `rs-${remoteIds.size + 1}`;
        remoteIds.set(task, id);
        return reply(res, 201, { id, task_id: task });
      }
      if (req.method !== 'POST' || !events || !Array.isArray(body.events)) return reply(res, 404, { message: 'not found' });
      const session = events[1] as string;
      let fresh = 0;
      for (const event of body.events) {
        if (ids.has(event.id)) {
          duplicates++;
          continue;
        }
        if (event.parentId !== (lastOfSession.get(session) ?? null)) outOfOrder++;
        ids.add(event.id);
        lastOfSession.set(session, event.id);
        fresh++;
      }
      const now = Date.now();
      if (fresh > 0) {
        firstEventAt ||= now;
        lastEventAt = now;
      }
      reply(res, 200, { stored: fresh, duplicates: body.events.length - fresh });
      if (ids.size >= expected) res.once('finish', () => finish(true));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const listeningAt = Date.now();
  const deadline = setTimeout(() => finish(false), timeoutMs);
  const complete = await finished;
  clearTimeout(deadline);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { listeningAt, firstEventAt, lastEventAt, distinct: ids.size, duplicates, outOfOrder, requests, sessions: remoteIds.size, complete };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
