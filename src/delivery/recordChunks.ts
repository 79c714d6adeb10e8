import type { FileHandle } from 'node:fs/promises';
import { encodePartsInto, encodeRecordInto, HEADER_BYTES } from './journalRecords';

/** Records waiting for the next group commit, encoded back to back into one reused buffer. */
export interface Chunk<T> {
  readonly target: T;
  readonly buffer: Buffer;
  used: number;
}

const CHUNK_BYTES = 256 * 1024;
/** Chunks kept for reuse: enough for what arrives during one fsync at a high event rate. */
const KEEP = 8;

/**
 * The write side of a journal: records are encoded straight into large buffers that are recycled
 * once written, rather than two fresh buffers per record. Under a burst (a long outage fills the
 * spool at intake speed) per-record buffers are the bulk of the process's allocations, and the
 * allocator does not give their memory back to the system promptly: resident memory grows with the
 * burst. `T` tells the records of different files apart (a chunk holds one file's records).
 */
export class RecordChunks<T> {
  private open: Chunk<T>[] = [];
  private readonly free: Buffer[] = [];

  /** True while records wait to be written. */
  get pending(): boolean {
    return this.open.length > 0;
  }

  /** Appends one record for `target`: `json`, `bodyBytes` long in UTF-8. */
  append(target: T, json: string, bodyBytes: number): void {
    const chunk = this.chunkFor(target, HEADER_BYTES + bodyBytes);
    encodeRecordInto(chunk.buffer, chunk.used, json, bodyBytes);
    chunk.used += HEADER_BYTES + bodyBytes;
  }

  /** Appends one record whose JSON is `parts` joined (see `encodePartsInto`). */
  appendParts(target: T, parts: readonly string[], partBytes: ArrayLike<number>, bodyBytes: number): void {
    const chunk = this.chunkFor(target, HEADER_BYTES + bodyBytes);
    encodePartsInto(chunk.buffer, chunk.used, parts, partBytes, bodyBytes);
    chunk.used += HEADER_BYTES + bodyBytes;
  }

  /** The open chunk of `target` if `length` more bytes fit in it, else a new one. */
  private chunkFor(target: T, length: number): Chunk<T> {
    let chunk = this.open[this.open.length - 1];
    if (!chunk || chunk.target !== target || chunk.used + length > chunk.buffer.length) {
      chunk = { target, buffer: this.take(length), used: 0 };
      this.open.push(chunk);
    }
    return chunk;
  }

  /** Hands the waiting chunks to a writer; give them back with `recycle` once written. */
  takeAll(): Chunk<T>[] {
    const out = this.open;
    this.open = [];
    return out;
  }

  recycle(chunks: readonly Chunk<T>[]): void {
    for (const c of chunks) {
      if (c.buffer.length === CHUNK_BYTES && this.free.length < KEEP) this.free.push(c.buffer);
    }
  }

  private take(minBytes: number): Buffer {
    if (minBytes > CHUNK_BYTES) return Buffer.allocUnsafeSlow(minBytes);
    return this.free.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  }
}

/** Writes all of `buffer[0, length)` (a write may be short). */
export async function writeAll(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await handle.write(buffer, done, length - done);
    done += bytesWritten;
  }
}
