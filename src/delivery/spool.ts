import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import type { SessionEvent } from '../sessions/sessionEvent';
import { HEADER_BYTES, readAndRepair, readRecordAt } from './journalRecords';
import { claimOwnedDirectory, segmentFiles, type OwnedDirectory } from './ownerDirectory';
import { RecordChunks, writeAll, type Chunk } from './recordChunks';

export interface SpoolOptions {
  /** `sessionRelay.spool.maxSizeMB` in bytes. Only at this bound are the oldest events dropped. */
  readonly maxBytes: number;
  /** Segment size; a segment is deleted once every event in it is acknowledged. */
  readonly segmentBytes?: number;
  readonly logger: Logger;
  /** Called with the pending entries of the oldest segment when the bound forces it out. */
  readonly onOverflow?: (entries: SpoolEntry[]) => void;
}

/** One event held durably until delivered. `event` is dropped from memory past the hard cap. */
export interface SpoolEntry {
  readonly seq: number;
  /** The event's id, kept when its body leaves memory. */
  readonly id: string;
  readonly sessionId: string;
  event: SessionEvent | undefined;
  /** What the destination needs to send it after a restart (repository, consent level). */
  readonly meta?: Readonly<Record<string, string>>;
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
}

interface EventRecord {
  k: 'e';
  q: number;
  s: string;
  e: SessionEvent;
  m?: Record<string, string>;
}
interface AckRecord {
  k: 'a';
  q: number[];
}

interface Segment {
  readonly index: number;
  readonly file: string;
  /** Bytes appended, and of those, bytes already handed to the file (readable back). */
  bytes: number;
  written: number;
  /**
   * The segment's entries by `seq - firstSeq` (seqs in a segment are consecutive), `undefined` once
   * acknowledged. An array slot is 8 bytes where a Map entry was ~50: a backlog of a million events
   * is a million slots.
   */
  firstSeq: number;
  readonly entries: Array<SpoolEntry | undefined>;
  live: number;
  handle?: Promise<fs.FileHandle>;
}

const PREFIX = 'spool-';
const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

/**
 * The durable event journal of one destination (SPEC §8): every event accepted for the destination
 * is appended (checksummed records, group-committed with fsync) and acknowledged once delivered or
 * dropped, so nothing accepted lives only in memory. Segments whose events are all acknowledged are
 * deleted. A process that dies leaves its directory behind; the next one adopts it, cutting a torn
 * tail, and re-journals what was still pending.
 */
export class Spool {
  private readonly segments = new Map<number, Segment>();
  private active!: Segment;
  private seq = 0;
  private totalBytes = 0;
  private readonly chunks = new RecordChunks<Segment>();
  private writing: Promise<void> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private failed: Error | undefined;
  private closed = false;

  private constructor(
    private readonly owned: OwnedDirectory,
    private readonly options: SpoolOptions,
  ) {}

  /**
   * Opens a fresh spool under `root` and adopts the spools of processes that are gone. The events
   * they still held come back in `recovered`, in their original order, already re-journaled here.
   */
  static async open(root: string, options: SpoolOptions): Promise<{ spool: Spool; recovered: SpoolEntry[] }> {
    const owned = await claimOwnedDirectory(root);
    const spool = new Spool(owned, options);
    spool.active = spool.newSegment(0);
    const recovered: SpoolEntry[] = [];
    for (const dir of owned.adopted) {
      const events = await readPending(dir, options.logger);
      for (const { sessionId, event, meta } of events) {
        recovered.push(spool.append(sessionId, event, meta));
      }
    }
    await spool.sync();
    for (const dir of owned.adopted) {
      await fs.rm(dir, { recursive: true, force: true });
    }
    if (recovered.length > 0) {
      options.logger.info(`spool: resumed ${recovered.length} undelivered events from a previous run`);
    }
    return { spool, recovered };
  }

  get directory(): string {
    return this.owned.dir;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  get pendingCount(): number {
    let n = 0;
    for (const s of this.segments.values()) n += s.live;
    return n;
  }

  /** True while appended records still wait for their fsync. */
  get unsynced(): boolean {
    return this.chunks.pending || this.writing !== undefined;
  }

  /** Journals one event; durable once `sync()` resolves. */
  append(sessionId: string, event: SessionEvent, meta?: Record<string, string>): SpoolEntry {
    const seq = ++this.seq;
    const json = JSON.stringify({ k: 'e', q: seq, s: sessionId, e: event, ...(meta ? { m: meta } : {}) } satisfies EventRecord);
    const bodyBytes = Buffer.byteLength(json, 'utf8');
    const length = HEADER_BYTES + bodyBytes;
    this.makeRoom(length);
    const segment = this.active;
    const offset = segment.bytes;
    this.write(segment, json, bodyBytes);
    // The id outlives the event's body (dropped from memory past the hard cap): keep a flat copy.
    // An id built by concatenation may be held as a tree of its pieces (up to ~370 bytes for a
    // UUID made of slices) where the flat string is ~60.
    const entry: SpoolEntry = { seq, id: flatString(event.id), sessionId, event, meta, segment: segment.index, offset, length };
    if (segment.entries.length === 0) segment.firstSeq = seq;
    segment.entries.push(entry);
    segment.live++;
    return entry;
  }

  /** Marks entries delivered (or dropped): they will not come back after a restart. */
  ack(entries: readonly SpoolEntry[]): void {
    if (entries.length === 0) return;
    const emptied: Segment[] = [];
    for (const entry of entries) {
      const segment = this.segments.get(entry.segment);
      if (!segment) continue;
      const slot = entry.seq - segment.firstSeq;
      if (segment.entries[slot]?.seq !== entry.seq) continue;
      segment.entries[slot] = undefined;
      if (--segment.live === 0 && segment !== this.active) emptied.push(segment);
    }
    const json = JSON.stringify({ k: 'a', q: entries.map((e) => e.seq) } satisfies AckRecord);
    this.write(this.active, json, Buffer.byteLength(json, 'utf8'));
    for (const segment of emptied) void this.removeSegment(segment);
  }

  /** Reads an event whose body was let go from memory. */
  async read(entry: SpoolEntry): Promise<SessionEvent> {
    if (entry.event) return entry.event;
    const segment = this.segments.get(entry.segment);
    if (!segment) throw new Error('spool entry no longer on disk');
    // Only a record still waiting in a chunk needs the write; one the file has is readable now,
    // without waiting for the fsync of whatever (acks, new events) is being committed meanwhile.
    if (segment.written < entry.offset + entry.length) await this.sync();
    const record = (await readRecordAt(await this.handleOf(segment), entry.offset, entry.length)) as EventRecord;
    return record.e;
  }

  /** Resolves once everything appended so far is on disk (fsync). */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.chunks.pending && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Flushes and closes. With nothing pending the directory goes; otherwise it stays, unlocked,
   * for the next start to resume.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync().catch(() => undefined);
    this.closed = true;
    for (const segment of this.segments.values()) {
      if (segment.handle) await (await segment.handle).close().catch(() => undefined);
      segment.handle = undefined;
    }
    await this.owned.release(this.pendingCount === 0);
  }

  private newSegment(index: number): Segment {
    const segment: Segment = {
      index,
      file: path.join(this.owned.dir, `${PREFIX}${String(index).padStart(6, '0')}.log`),
      bytes: 0,
      written: 0,
      firstSeq: 0,
      entries: [],
      live: 0,
    };
    this.segments.set(index, segment);
    return segment;
  }

  /** Rotates the active segment when full, and enforces the size bound by dropping the oldest. */
  private makeRoom(bytes: number): void {
    const segmentBytes = this.options.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.max(64 * 1024, Math.floor(this.options.maxBytes / 4)));
    if (this.active.bytes + bytes > segmentBytes && this.active.bytes > 0) {
      const previous = this.active;
      this.active = this.newSegment(previous.index + 1);
      if (previous.live === 0) void this.removeSegment(previous);
    }
    while (this.totalBytes + bytes > this.options.maxBytes) {
      const oldest = [...this.segments.values()].find((s) => s !== this.active);
      if (!oldest) break;
      const lost = oldest.entries.filter((e): e is SpoolEntry => e !== undefined);
      oldest.entries.length = 0;
      oldest.live = 0;
      void this.removeSegment(oldest);
      if (lost.length > 0) {
        this.options.logger.warn(`spool: full (${this.options.maxBytes} bytes): dropped the ${lost.length} oldest undelivered events`);
        this.options.onOverflow?.(lost);
      }
    }
  }

  private write(segment: Segment, json: string, bodyBytes: number): void {
    this.chunks.append(segment, json, bodyBytes);
    segment.bytes += HEADER_BYTES + bodyBytes;
    this.totalBytes += HEADER_BYTES + bodyBytes;
    this.kick();
  }

  /** Group commit: everything queued while one write+fsync runs goes out in the next one. */
  private kick(): void {
    if (this.writing || !this.chunks.pending) return;
    const batch = this.chunks.takeAll();
    const waiters = this.waiters;
    this.waiters = [];
    this.writing = this.flushBatch(batch).then(
      () => {
        this.writing = undefined;
        for (const w of waiters) w.resolve();
        this.kick();
        if (!this.writing && this.waiters.length > 0) {
          const ready = this.waiters;
          this.waiters = [];
          for (const w of ready) w.resolve();
        }
      },
      (err: Error) => {
        this.writing = undefined;
        this.failed = err;
        this.options.logger.error(`spool: write failed (${(err as NodeJS.ErrnoException).code ?? err.message})`);
        for (const w of [...waiters, ...this.waiters]) w.reject(err);
        this.waiters = [];
      },
    );
  }

  private async flushBatch(batch: Array<Chunk<Segment>>): Promise<void> {
    try {
      const touched = new Set<Segment>();
      for (const { target: segment, buffer, used } of batch) {
        if (!this.segments.has(segment.index)) continue; // dropped at the bound meanwhile
        await writeAll(await this.handleOf(segment), buffer, used);
        segment.written += used;
        touched.add(segment);
      }
      for (const segment of touched) {
        if (segment.handle) await (await segment.handle).datasync();
      }
    } finally {
      this.chunks.recycle(batch);
    }
  }

  private handleOf(segment: Segment): Promise<fs.FileHandle> {
    return (segment.handle ??= fs.open(segment.file, 'a+', 0o600));
  }

  private async removeSegment(segment: Segment): Promise<void> {
    this.segments.delete(segment.index);
    this.totalBytes -= segment.bytes;
    // Let queued writes to it finish first so the handle is not closed under them.
    while (this.writing) await this.writing.catch(() => undefined);
    if (segment.handle) await (await segment.handle).close().catch(() => undefined);
    await fs.rm(segment.file, { force: true });
  }
}

/**
 * A copy of `s` stored in one piece. V8 keeps a string built by concatenation (as event ids are)
 * as a tree of its pieces; a JSON round trip yields a flat string of the same value.
 */
function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** The events a (dead) spool directory still held, in journal order; torn tails are cut. */
export async function readPending(dir: string, logger: Logger): Promise<Array<{ sessionId: string; event: SessionEvent; meta?: Record<string, string> }>> {
  const pending = new Map<number, { sessionId: string; event: SessionEvent; meta?: Record<string, string> }>();
  for (const file of await segmentFiles(dir, PREFIX)) {
    const { records, cutBytes } = await readAndRepair(file);
    if (cutBytes > 0) logger.warn(`spool: cut a torn tail of ${cutBytes} bytes from ${path.basename(file)}`);
    for (const { payload } of records) {
      const record = payload as EventRecord | AckRecord;
      if (record.k === 'e') pending.set(record.q, { sessionId: record.s, event: record.e, meta: record.m });
      else if (record.k === 'a') for (const q of record.q) pending.delete(q);
    }
  }
  return [...pending.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}
