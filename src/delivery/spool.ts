import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import type { SessionEvent } from '../sessions/sessionEvent';
import { HEADER_BYTES, readAndRepair, readFully, recordPayloadAt } from './journalRecords';
import { claimOwnedDirectory, segmentFiles, type OwnedDirectory } from './ownerDirectory';
import { RecordChunks, type Chunk } from './recordChunks';
import { eventIn } from './spooledEventText';

export interface SpoolOptions {
  /** `sessionRelay.spool.maxSizeMB` in bytes. Only at this bound are the oldest events dropped. */
  readonly maxBytes: number;
  /** Segment size; a segment is deleted once every event in it is acknowledged. */
  readonly segmentBytes?: number;
  readonly logger: Logger;
  /** Called when the bound forces the oldest segment out, with the seqs of every pending event it held (ascending). */
  readonly onOverflow?: (seqs: number[]) => void;
}

/**
 * A pending event as the destination sends it: its id, and its JSON text exactly as it was
 * journaled — the text goes into the request as it is, never parsed and serialised again.
 */
export interface SpooledEvent {
  readonly id: string;
  readonly json: string;
  /** The UTF-8 length of `json`: known from writing or reading it, it need not be measured again. */
  readonly bytes: number;
}

/**
 * An event a previous process left pending, as `open` hands it back (re-journaled here). Events
 * appended by this process are known only by their seq (`appendSeq`, `readSeq`, `ackSeqs`): the
 * spool keeps 8 bytes per pending event, not an object.
 */
export interface SpoolEntry extends SpooledEvent {
  readonly seq: number;
  readonly sessionId: string;
  /** What the destination needs to send it after a restart (repository, consent level). */
  readonly meta?: Readonly<Record<string, string>>;
}

/**
 * An event record. Written with `e` last (`store`), so the event's text is the end of the record
 * and `eventIn` finds it after a short head without parsing the event.
 */
interface EventRecord {
  k: 'e';
  q: number;
  s: string;
  m?: Record<string, string>;
  e: SessionEvent;
}
interface AckRecord {
  k: 'a';
  q: readonly number[];
}

interface Segment {
  readonly index: number;
  readonly file: string;
  /** Bytes appended, and of those, bytes already handed to the file (readable back). */
  bytes: number;
  written: number;
  /**
   * Where each record is, by `seq - firstSeq` (seqs in a segment are consecutive): its offset and
   * length, the length 0 once acknowledged. Typed arrays: 8 bytes per pending event, where an entry
   * object with its id string cost ~150 — a backlog of a million events is 8 MB, not 150.
   */
  firstSeq: number;
  count: number;
  offsets: Uint32Array;
  lengths: Uint32Array;
  live: number;
  handle?: Promise<fs.FileHandle>;
}

/** A record `readSeqs` wants: where it is, and where its event goes in the answer. */
interface Wanted {
  readonly index: number;
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
}

/** One read of `readSeqs`: bytes [start, end) of a segment's file, holding `records`. */
interface ReadRange {
  readonly segment: Segment;
  readonly start: number;
  end: number;
  readonly records: Wanted[];
}

const PREFIX = 'spool-';
/**
 * Bounds of one read of `readSeqs`. A session's records lie in runs (a turn's events are appended
 * together) between other sessions' records: reading over a small gap costs a copy from the page
 * cache, less than another system call and its promise; a large one only wastes memory, and does
 * not pay off (the export bench measured the same CPU with gaps of 0, 16 and 128 KiB). The buffer
 * is transient; a read stays a few MiB at most.
 */
const MAX_READ_BYTES = 4 * 1024 * 1024;
const MAX_READ_GAP = 32 * 1024;
const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Slots a new segment starts with; they double as it fills. */
const INITIAL_SLOTS = 1024;

/**
 * Spooled records that no longer match their checksum (the disk changed under us): their events
 * cannot be read back, ever. `seqs` ascending, so the caller can tell which of a batch are gone.
 */
export class DamagedRecords extends Error {
  constructor(readonly seqs: readonly number[]) {
    super(`${seqs.length} spooled record(s) damaged on disk`);
    this.name = 'DamagedRecords';
  }
}

/**
 * The durable event journal of one destination (SPEC §8): every event accepted for the destination
 * is appended (checksummed records, group-committed with fsync) and acknowledged once delivered or
 * dropped, so nothing accepted lives only in memory. Segments whose events are all acknowledged are
 * deleted. A process that dies leaves its directory behind; the next one adopts it, cutting a torn
 * tail, and re-journals what was still pending.
 */
export class Spool {
  private readonly segments = new Map<number, Segment>();
  /** The same segments by ascending index (and so ascending seqs), to find a seq's segment. */
  private readonly ordered: Segment[] = [];
  private active!: Segment;
  private seq = 0;
  private totalBytes = 0;
  private readonly chunks = new RecordChunks<Segment>();
  /** The writer (chunks into the files) and the syncer (fdatasync), each running or not. */
  private writing: Promise<void> | undefined;
  private syncing: Promise<void> | undefined;
  /** Records appended so far; of those, how many the files have, and how many are fsynced. */
  private appended = 0;
  private writtenMark = 0;
  private syncedMark = 0;
  /** Segments written to since the last fdatasync of them began. */
  private readonly dirty = new Set<Segment>();
  private waiters: Array<{ mark: number; resolve: () => void; reject: (err: Error) => void }> = [];
  private failed: Error | undefined;
  private closed = false;
  /** Scratch for `store`: an event record's JSON in parts, and the UTF-8 length of each. */
  private readonly recordParts = ['', '', '', '}'];
  private readonly partBytes = new Uint32Array(4);
  private lastHead: { sessionId: string | undefined; meta: Readonly<Record<string, string>> | undefined; part: string; bytes: number } = {
    sessionId: undefined,
    meta: undefined,
    part: '',
    bytes: 0,
  };

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
        // Not kept by the spool: the caller decides what of them stays in memory. Parsed from the
        // file (acks must be matched), so serialised again here; a restart is rare.
        const json = JSON.stringify(event);
        const bytes = Buffer.byteLength(json, 'utf8');
        recovered.push({ seq: spool.store(sessionId, json, bytes, meta), id: event.id, json, bytes, sessionId, meta });
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
    return this.syncedMark < this.appended;
  }

  /**
   * Journals one event, given as its JSON text (`JSON.stringify` of the event, `bytes` long in
   * UTF-8), and returns only its seq — nothing of it stays in memory here but its place in the file.
   * Durable once `sync()` resolves; `readSeq` gives back the same text.
   */
  appendSeq(sessionId: string, json: string, bytes: number, meta?: Readonly<Record<string, string>>): number {
    return this.store(sessionId, json, bytes, meta);
  }

  /** Marks events delivered (or dropped): they will not come back after a restart. */
  ackSeqs(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    const emptied: Segment[] = [];
    for (const seq of seqs) {
      const segment = this.segmentOf(seq);
      if (!segment) continue;
      const slot = seq - segment.firstSeq;
      if (segment.lengths[slot] === 0) continue;
      segment.lengths[slot] = 0;
      if (--segment.live === 0 && segment !== this.active) emptied.push(segment);
    }
    const json = JSON.stringify({ k: 'a', q: seqs } satisfies AckRecord);
    this.write(this.active, json, Buffer.byteLength(json, 'utf8'));
    for (const segment of emptied) void this.removeSegment(segment);
  }

  /** Reads a pending event back from the file. */
  async readSeq(seq: number): Promise<SpooledEvent> {
    return (await this.readSeqs([seq]))[0];
  }

  /**
   * Reads several pending events back, in the order of `seqs`, with as few reads as possible: the
   * records of each segment are read as a few ranges of the file (≤ `MAX_READ_BYTES` each, split
   * where more than `MAX_READ_GAP` bytes of other records lie between two wanted ones), each
   * checked against its checksum as it is decoded from the range. One `read` per record was the
   * relay's largest cost while it delivered a backlog: a syscall and a promise per event. Each
   * event comes back as the text it was appended with, cut from its record, not parsed. Rejects,
   * as a whole, when one of them is no longer on disk, or with `DamagedRecords` naming every
   * damaged one.
   */
  async readSeqs(seqs: readonly number[]): Promise<SpooledEvent[]> {
    const wanted: Wanted[] = [];
    let unwritten = false;
    for (let i = 0; i < seqs.length; i++) {
      const segment = this.segmentOf(seqs[i]);
      const slot = segment ? seqs[i] - segment.firstSeq : 0;
      if (!segment || segment.lengths[slot] === 0) throw new Error('spool entry no longer on disk');
      const offset = segment.offsets[slot];
      const length = segment.lengths[slot];
      if (segment.written < offset + length) unwritten = true;
      wanted.push({ index: i, segment, offset, length });
    }
    // Only a record still waiting in a chunk needs the write; one the file has is readable now,
    // without waiting for the fsync of whatever (acks, new events) is being committed meanwhile.
    if (unwritten) await this.sync();
    const events = new Array<SpooledEvent>(seqs.length);
    const damaged: number[] = [];
    await Promise.all(
      readRanges(wanted).map(async (range) => {
        const buf = Buffer.allocUnsafe(range.end - range.start);
        const read = await readFully(await this.handleOf(range.segment), buf, range.start);
        const data = buf.subarray(0, read);
        for (const w of range.records) {
          const payload = recordPayloadAt(data, w.offset - range.start, w.length);
          const event = payload && eventIn(payload, seqs[w.index]);
          if (event) events[w.index] = event;
          else damaged.push(seqs[w.index]);
        }
      }),
    );
    if (damaged.length > 0) throw new DamagedRecords(damaged.sort((a, b) => a - b));
    return events;
  }

  /** Resolves once everything appended so far is on disk (fsync). */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.syncedMark >= this.appended) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ mark: this.appended, resolve, reject });
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
    await this.idle();
    this.closed = true;
    for (const segment of this.segments.values()) {
      if (segment.handle) await (await segment.handle).close().catch(() => undefined);
      segment.handle = undefined;
    }
    await this.owned.release(this.pendingCount === 0);
  }

  /**
   * Journals one event into the active segment and indexes it; returns its seq. The record is the
   * JSON of an `EventRecord`, written as parts around the event's own JSON (`json`, the caller's):
   * the head part is reused while session and meta stay the same (a turn's events share both), and
   * no joined copy of the text is made.
   */
  private store(sessionId: string, json: string, bytes: number, meta: Readonly<Record<string, string>> | undefined): number {
    const seq = ++this.seq;
    const parts = this.recordParts;
    const head = this.headPart(sessionId, meta);
    parts[0] = `{"k":"e","q":${seq}`;
    parts[1] = head.part;
    parts[2] = json;
    // ASCII, the first and the last: their length is their size.
    this.partBytes[0] = parts[0].length;
    this.partBytes[1] = head.bytes;
    this.partBytes[2] = bytes;
    this.partBytes[3] = 1;
    const bodyBytes = parts[0].length + head.bytes + bytes + 1;
    const length = HEADER_BYTES + bodyBytes;
    this.makeRoom(length);
    const segment = this.active;
    const offset = segment.bytes;
    this.chunks.appendParts(segment, parts, this.partBytes, bodyBytes);
    // The scratch must not keep the event's text alive until the next append.
    parts[2] = '';
    this.wrote(segment, bodyBytes);
    if (segment.count === 0) segment.firstSeq = seq;
    if (segment.count === segment.lengths.length) {
      segment.offsets = grown(segment.offsets);
      segment.lengths = grown(segment.lengths);
    }
    segment.offsets[segment.count] = offset;
    segment.lengths[segment.count] = length;
    segment.count++;
    segment.live++;
    return seq;
  }

  /** The segment a seq was appended to, while it exists (binary search: segments hold ascending seqs). */
  private segmentOf(seq: number): Segment | undefined {
    let lo = 0;
    let hi = this.ordered.length - 1;
    let found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const segment = this.ordered[mid];
      // A segment without events (acks only) says nothing about seqs: look left of it.
      if (segment.count > 0 && segment.firstSeq <= seq) {
        found = segment;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found && seq < found.firstSeq + found.count ? found : undefined;
  }

  private newSegment(index: number): Segment {
    const segment: Segment = {
      index,
      file: path.join(this.owned.dir, `${PREFIX}${String(index).padStart(6, '0')}.log`),
      bytes: 0,
      written: 0,
      firstSeq: 0,
      count: 0,
      offsets: new Uint32Array(INITIAL_SLOTS),
      lengths: new Uint32Array(INITIAL_SLOTS),
      live: 0,
    };
    this.segments.set(index, segment);
    this.ordered.push(segment);
    return segment;
  }

  /** Rotates the active segment when full, and enforces the size bound by dropping the oldest. */
  private makeRoom(bytes: number): void {
    const segmentBytes = this.options.segmentBytes ?? Math.min(DEFAULT_SEGMENT_BYTES, Math.max(64 * 1024, Math.floor(this.options.maxBytes / 4)));
    if (this.active.bytes + bytes > segmentBytes && this.active.bytes > 0) {
      const previous = this.active;
      // No more events go into it: its slots shrink to what it holds (doubling leaves up to half spare).
      previous.offsets = previous.offsets.slice(0, previous.count);
      previous.lengths = previous.lengths.slice(0, previous.count);
      this.active = this.newSegment(previous.index + 1);
      if (previous.live === 0) void this.removeSegment(previous);
    }
    while (this.totalBytes + bytes > this.options.maxBytes) {
      const oldest = [...this.segments.values()].find((s) => s !== this.active);
      if (!oldest) break;
      const lost: number[] = [];
      for (let i = 0; i < oldest.count; i++) if (oldest.lengths[i] !== 0) lost.push(oldest.firstSeq + i);
      oldest.lengths.fill(0);
      oldest.live = 0;
      void this.removeSegment(oldest);
      if (lost.length > 0) {
        this.options.logger.warn(`spool: full (${this.options.maxBytes} bytes): dropped the ${lost.length} oldest undelivered events`);
        this.options.onOverflow?.(lost);
      }
    }
  }

  /**
   * `,"s":…,"m":…,"e":` of the record (no `m` without meta), as JSON.stringify writes it, and its
   * UTF-8 length; the same for the same session and meta object.
   */
  private headPart(sessionId: string, meta: Readonly<Record<string, string>> | undefined): { part: string; bytes: number } {
    const last = this.lastHead;
    if (sessionId !== last.sessionId || meta !== last.meta) {
      const m = meta ? `,"m":${JSON.stringify(meta)}` : '';
      const part = `,"s":${JSON.stringify(sessionId)}${m},"e":`;
      this.lastHead = { sessionId, meta, part, bytes: Buffer.byteLength(part, 'utf8') };
    }
    return this.lastHead;
  }

  private write(segment: Segment, json: string, bodyBytes: number): void {
    this.chunks.append(segment, json, bodyBytes);
    this.wrote(segment, bodyBytes);
  }

  /** Accounts for a record just appended to `segment`'s chunks and wakes the writer. */
  private wrote(segment: Segment, bodyBytes: number): void {
    segment.bytes += HEADER_BYTES + bodyBytes;
    this.totalBytes += HEADER_BYTES + bodyBytes;
    this.appended++;
    this.kick();
  }

  /**
   * Group commit, with writing and syncing apart: records go to the files as soon as the writer is
   * free, their chunks recycled at once, while one fdatasync at a time covers whatever was written
   * before it began (`sync()` resolves once one has covered its mark). Chunks held until their
   * fsync, written one per event-loop turn (as they once were), fell behind intake at full speed:
   * under the backlog bench a commit held up to 170 chunks (42 MB) for a second or more, each one a
   * fresh 256 KiB buffer beyond the few kept for reuse.
   */
  private kick(): void {
    if (this.failed) return;
    if (!this.writing && this.chunks.pending) {
      this.writing = this.writeBatch().then(
        () => {
          this.writing = undefined;
          this.kick();
        },
        (err: Error) => {
          this.writing = undefined;
          this.fail(err);
        },
      );
    }
    if (!this.syncing && this.syncedMark < this.writtenMark) {
      this.syncing = this.syncOnce().then(
        () => {
          this.syncing = undefined;
          this.kick();
        },
        (err: Error) => {
          this.syncing = undefined;
          this.fail(err);
        },
      );
    }
  }

  /**
   * Writes the chunks waiting now, one `writev` per segment; the next ones go in the next call
   * (`kick` chains them). One system call, not one per chunk: each await is an event-loop turn, and
   * under a burst a turn is a whole batch of intake — a write per chunk and turn fell behind intake.
   */
  private async writeBatch(): Promise<void> {
    const mark = this.appended;
    const batch = this.chunks.takeAll();
    try {
      for (let start = 0; start < batch.length; ) {
        const segment = batch[start].target;
        let end = start + 1;
        while (end < batch.length && batch[end].target === segment) end++;
        const run = batch.slice(start, end);
        start = end;
        if (!this.segments.has(segment.index)) continue; // dropped at the bound, or all acknowledged
        const bytes = await writevAll(await this.handleOf(segment), run);
        segment.written += bytes;
        this.dirty.add(segment);
      }
    } finally {
      this.chunks.recycle(batch);
    }
    this.writtenMark = mark;
  }

  /** One fdatasync of what was written so far; resolves the `sync()` calls it covers. */
  private async syncOnce(): Promise<void> {
    const mark = this.writtenMark;
    const segments = [...this.dirty];
    this.dirty.clear();
    for (const segment of segments) {
      if (this.segments.has(segment.index) && segment.handle) await (await segment.handle).datasync();
    }
    this.syncedMark = mark;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (w.mark <= mark) w.resolve();
      else this.waiters.push(w);
    }
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.options.logger.error(`spool: write failed (${(err as NodeJS.ErrnoException).code ?? err.message})`);
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(err);
  }

  /** Resolves once neither the writer nor the syncer is running. */
  private async idle(): Promise<void> {
    while (this.writing || this.syncing) {
      await this.writing?.catch(() => undefined);
      await this.syncing?.catch(() => undefined);
    }
  }

  private handleOf(segment: Segment): Promise<fs.FileHandle> {
    return (segment.handle ??= fs.open(segment.file, 'a+', 0o600));
  }

  private async removeSegment(segment: Segment): Promise<void> {
    if (!this.segments.delete(segment.index)) return;
    this.ordered.splice(this.ordered.indexOf(segment), 1);
    this.totalBytes -= segment.bytes;
    // Let a write or an fdatasync under way finish first so the handle is not closed under them;
    // those that follow skip a segment no longer in `segments`.
    await this.writing?.catch(() => undefined);
    await this.syncing?.catch(() => undefined);
    if (segment.handle) await (await segment.handle).close().catch(() => undefined);
    await fs.rm(segment.file, { force: true });
  }
}

/** Writes the used part of every chunk, in order (a `writev` may be short); returns the bytes. */
async function writevAll(handle: fs.FileHandle, chunks: ReadonlyArray<Chunk<unknown>>): Promise<number> {
  const buffers = chunks.map((c) => c.buffer.subarray(0, c.used)).filter((b) => b.length > 0);
  let total = 0;
  while (buffers.length > 0) {
    const { bytesWritten } = await handle.writev(buffers);
    total += bytesWritten;
    let skip = bytesWritten;
    while (buffers.length > 0 && skip >= buffers[0].length) skip -= buffers.shift()!.length;
    if (skip > 0) buffers[0] = buffers[0].subarray(skip);
  }
  return total;
}

/**
 * The reads covering `wanted`: by segment, records in file order, a range extended over the next
 * record while the gap to it and the range's size stay within bounds. A record longer than the
 * size bound is a range of its own.
 */
function readRanges(wanted: readonly Wanted[]): ReadRange[] {
  const sorted = [...wanted].sort((a, b) => a.segment.index - b.segment.index || a.offset - b.offset);
  const ranges: ReadRange[] = [];
  let range: ReadRange | undefined;
  for (const w of sorted) {
    const end = w.offset + w.length;
    if (range && range.segment === w.segment && w.offset - range.end <= MAX_READ_GAP && end - range.start <= MAX_READ_BYTES) {
      // The same seq twice (or overlapping records) stays within the range already read.
      range.end = Math.max(range.end, end);
      range.records.push(w);
    } else {
      range = { segment: w.segment, start: w.offset, end, records: [w] };
      ranges.push(range);
    }
  }
  return ranges;
}

/** Twice the slots, the first ones copied. */
function grown(slots: Uint32Array): Uint32Array {
  const next = new Uint32Array(slots.length * 2);
  next.set(slots);
  return next;
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
