import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeRecords } from '../../src/delivery/journalRecords';

/** Where each spooled event record (by seq) lies in the `.log` files under `dir`, at any depth. */
export function spooledRecords(dir: string): Map<number, { file: string; offset: number; length: number; id: string | undefined }> {
  const out = new Map<number, { file: string; offset: number; length: number; id: string | undefined }>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) continue;
    const file = path.join(entry.parentPath, entry.name);
    for (const r of decodeRecords(fs.readFileSync(file)).records) {
      const payload = r.payload as { k: string; q: number; e?: { id?: string } };
      if (payload.k === 'e') out.set(payload.q, { file, offset: r.offset, length: r.length, id: payload.e?.id });
    }
  }
  return out;
}

/** Flips one bit in the middle of a record, as a failing disk might: only its checksum tells. */
export function flipBitInRecord(record: { file: string; offset: number; length: number }): void {
  const fd = fs.openSync(record.file, 'r+');
  try {
    const at = record.offset + Math.floor(record.length / 2);
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, at);
    byte[0] ^= 0x01;
    fs.writeSync(fd, byte, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
}
