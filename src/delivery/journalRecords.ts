import { promises as fs } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * The on-disk record format shared by the event spool and the span journal:
 * `[u32 LE payload length][u32 LE crc32(payload)][payload: UTF-8 JSON]`. The checksum tells a
 * record torn by a crash (or a flipped bit) from a good one, so recovery can cut there.
 */
export const HEADER_BYTES = 8;
/** Anything longer is a corrupt length field, not a record (events are capped at 100 KiB). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export function encodeRecord(payload: unknown): Buffer {
  const json = JSON.stringify(payload);
  const bodyBytes = Buffer.byteLength(json, 'utf8');
  const record = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  encodeRecordInto(record, 0, json, bodyBytes);
  return record;
}

/**
 * Writes one record (`json`, `bodyBytes` long in UTF-8) at `at` of `target`, which must have room
 * for `HEADER_BYTES + bodyBytes`. Lets a journal encode straight into a reused buffer instead of
 * allocating two buffers per record.
 */
export function encodeRecordInto(target: Buffer, at: number, json: string, bodyBytes: number): void {
  const body = at + HEADER_BYTES;
  target.write(json, body, bodyBytes, 'utf8');
  target.writeUInt32LE(bodyBytes, at);
  target.writeUInt32LE(crc32(target.subarray(body, body + bodyBytes)), at + 4);
}

/**
 * Like `encodeRecordInto` for a payload whose JSON is `parts` joined (`partBytes[i]` the UTF-8
 * length of each, `bodyBytes` their sum), written one after the other: the joined string is never
 * made. Joining a record around an event's JSON, or serialising the whole record at once, costs a
 * second copy of the text on the heap for every event journaled.
 */
export function encodePartsInto(target: Buffer, at: number, parts: readonly string[], partBytes: ArrayLike<number>, bodyBytes: number): void {
  const body = at + HEADER_BYTES;
  let end = body;
  for (let i = 0; i < parts.length; i++) {
    target.write(parts[i], end, partBytes[i], 'utf8');
    end += partBytes[i];
  }
  target.writeUInt32LE(bodyBytes, at);
  target.writeUInt32LE(crc32(target.subarray(body, body + bodyBytes)), at + 4);
}

export interface DecodedRecord {
  readonly offset: number;
  readonly length: number;
  readonly payload: unknown;
}

/** Decodes records from the start; `validBytes` is where the first bad or incomplete one begins. */
export function decodeRecords(data: Buffer): { records: DecodedRecord[]; validBytes: number } {
  const records: DecodedRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    if (length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) break;
    const body = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(body) !== data.readUInt32LE(offset + 4)) break;
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      break;
    }
    records.push({ offset, length: HEADER_BYTES + length, payload });
    offset += HEADER_BYTES + length;
  }
  return { records, validBytes: offset };
}

/**
 * Reads a journal file and cuts a torn tail (a crash mid-write): the good prefix survives, the
 * broken rest is truncated away so new records never follow garbage. Returns what was cut.
 */
export async function readAndRepair(file: string): Promise<{ records: DecodedRecord[]; cutBytes: number }> {
  const data = await fs.readFile(file);
  const { records, validBytes } = decodeRecords(data);
  if (validBytes < data.length) {
    await fs.truncate(file, validBytes);
  }
  return { records, cutBytes: data.length - validBytes };
}

/**
 * The payload of the one record `data[at, at + length)` should hold, checked but not parsed: a
 * reader that knows the payload's layout takes what it needs of the bytes. Undefined when those
 * bytes are not exactly one good record: a checksum that does not match, a torn record (cut short
 * by the end of the file) or garbage.
 */
export function recordPayloadAt(data: Buffer, at: number, length: number): Buffer | undefined {
  if (length < HEADER_BYTES || at + length > data.length || data.readUInt32LE(at) !== length - HEADER_BYTES) return undefined;
  const payload = data.subarray(at + HEADER_BYTES, at + length);
  return crc32(payload) === data.readUInt32LE(at + 4) ? payload : undefined;
}

/**
 * Fills `buf` from `position` of the file, as far as the file goes: one `read` may return less
 * than asked (a large one, or at the end). Returns the bytes read; fewer than `buf.length` only at
 * the end of the file.
 */
export async function readFully(handle: fs.FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** Writes a small file atomically and durably: temp file, fsync, rename, fsync of the directory. */
export async function writeFileDurably(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  await syncDirectory(file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))));
}

export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic there.
  }
}

/** True when a process with this pid runs (EPERM: it runs, as someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
