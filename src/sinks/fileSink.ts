import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import type { RoutedEvent, SessionEvent } from '../sessions/sessionEvent';
import type { EventSink } from './eventSink';
import { renderTranscript } from './markdownTranscript';

interface SessionFiles {
  readonly jsonlPath: string;
  readonly mdPath: string;
  readonly ids: Set<string>;
  readonly events: SessionEvent[];
}

/**
 * The embedded default destination (SPEC §9.1): per session an append-only `<sessionId>.jsonl`
 * (one SessionEvent per line) and a readable `<sessionId>.md`, replaced atomically. Event ids
 * already in a session's file are never written again — re-imports and replays are idempotent.
 */
export class FileSink implements EventSink {
  readonly name = 'file';
  readonly scope = 'local' as const;
  private readonly sessions = new Map<string, SessionFiles>();
  private dirReady: Promise<void> | undefined;

  constructor(
    readonly directory: string,
    private readonly logger: Logger,
  ) {}

  async deliver(batch: readonly RoutedEvent[]): Promise<void> {
    await (this.dirReady ??= fs.mkdir(this.directory, { recursive: true, mode: 0o700 }).then(() => undefined));
    const bySession = new Map<string, SessionEvent[]>();
    for (const { sessionId, event } of batch) {
      const list = bySession.get(sessionId) ?? [];
      list.push(event);
      bySession.set(sessionId, list);
    }
    for (const [sessionId, events] of bySession) {
      await this.write(sessionId, events);
    }
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }

  /** The files of a session, for "open transcript" style commands and tests. */
  pathsOf(sessionId: string): { jsonl: string; markdown: string } {
    const base = path.join(this.directory, fileNameOf(sessionId));
    return { jsonl: `${base}.jsonl`, markdown: `${base}.md` };
  }

  private async write(sessionId: string, events: SessionEvent[]): Promise<void> {
    const files = this.sessions.get(sessionId) ?? (await this.load(sessionId));
    const fresh: SessionEvent[] = [];
    for (const event of events) {
      if (!files.ids.has(event.id)) {
        files.ids.add(event.id);
        fresh.push(event);
      }
    }
    const ended = events.some((e) => e.type === 'session.shutdown');
    if (fresh.length > 0) {
      const handle = await fs.open(files.jsonlPath, 'a', 0o600);
      try {
        await handle.appendFile(fresh.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
        if (ended) {
          await handle.sync();
        }
      } finally {
        await handle.close();
      }
      files.events.push(...fresh);
      await this.writeTranscript(files);
    }
    if (ended) {
      // A session that ended holds no memory here; a late tail reloads it from disk.
      this.sessions.delete(sessionId);
    }
  }

  private async load(sessionId: string): Promise<SessionFiles> {
    const { jsonl, markdown } = this.pathsOf(sessionId);
    const files: SessionFiles = { jsonlPath: jsonl, mdPath: markdown, ids: new Set(), events: [] };
    let data: Buffer;
    try {
      data = await fs.readFile(jsonl);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
      data = Buffer.alloc(0);
    }
    let offset = 0;
    let badLines = 0;
    while (offset < data.length) {
      const newline = data.indexOf(0x0a, offset);
      const end = newline === -1 ? data.length : newline;
      const event = parseEvent(data.toString('utf8', offset, end));
      if (event) {
        files.ids.add(event.id);
        files.events.push(event);
      }
      if (newline === -1) {
        if (event) {
          await fs.appendFile(jsonl, '\n');
        } else {
          // A last line without its newline is a write torn by a crash. It was never acknowledged,
          // so it will be delivered again: cut it rather than append after half a record.
          await fs.truncate(jsonl, offset);
          this.logger.warn(`file: cut a torn last record from ${path.basename(jsonl)}`);
        }
        break;
      }
      if (!event && end > offset) {
        badLines++;
      }
      offset = newline + 1;
    }
    if (badLines > 0) {
      this.logger.warn(`file: ${badLines} unreadable lines kept as they are in ${path.basename(jsonl)}`);
    }
    this.sessions.set(sessionId, files);
    return files;
  }

  private async writeTranscript(files: SessionFiles): Promise<void> {
    // Write-then-rename: a reader (or a crash) never sees half a transcript.
    const tmp = `${files.mdPath}.${process.pid}.tmp`;
    await fs.writeFile(tmp, renderTranscript(files.events), { encoding: 'utf8', mode: 0o600 });
    await fs.rename(tmp, files.mdPath);
  }
}

function parseEvent(line: string): SessionEvent | undefined {
  if (!line.startsWith('{')) {
    return undefined;
  }
  try {
    const value = JSON.parse(line) as SessionEvent;
    return typeof value.id === 'string' && typeof value.type === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Session ids come from the producer: anything that is not a plain file name (path separators,
 * dots first, odd characters) is made safe, with a hash so two such ids never share a file.
 */
export function fileNameOf(sessionId: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(sessionId)) {
    return sessionId;
  }
  const readable = sessionId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80);
  const hash = createHash('sha256').update(sessionId).digest('hex').slice(0, 12);
  return `${readable || 'session'}-${hash}`;
}
