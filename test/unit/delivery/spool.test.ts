import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import { decodeRecords, encodeRecord } from '../../../src/delivery/journalRecords';
import { DamagedRecords, Spool } from '../../../src/delivery/spool';
import { flipBitInRecord, spooledRecords } from '../../support/spoolDamage';
import { eventChain } from '../../support/remoteEvents';

/** The durable journal on a real disk: recovery, torn tails, the size bound, owner locks. */

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'relay-spool-'));
}

/** Simulates a crash: the lock's pid is one that cannot be running. */
function orphan(root: string): void {
  for (const dir of fs.readdirSync(root)) {
    const lock = path.join(root, dir, 'owner.json');
    if (fs.existsSync(lock)) fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 31 - 1 }));
  }
}

test('records are checksummed: a flipped bit or a cut record ends the valid prefix', () => {
  const a = encodeRecord({ n: 1 });
  const b = encodeRecord({ n: 2 });
  assert.equal(decodeRecords(Buffer.concat([a, b])).records.length, 2);
  const flipped = Buffer.concat([a, b]);
  flipped[a.length + 10] ^= 0x01;
  assert.deepEqual(decodeRecords(flipped).records.map((r) => r.payload), [{ n: 1 }]);
  const cut = Buffer.concat([a, b.subarray(0, b.length - 3)]);
  assert.equal(decodeRecords(cut).validBytes, a.length);
});

test('a dead process spool is adopted: pending events come back in order, acknowledged ones do not', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  const seqs = eventChain('s1', 5).map((e) => spool.appendSeq(e.sessionId, e.event, { r: 'https://github.com/a/b' }));
  spool.ackSeqs(seqs.slice(0, 2));
  await spool.sync();
  orphan(root); // crash: no close
  const { spool: next, recovered } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  assert.deepEqual(recovered.map((e) => e.event?.id), ['s1-2', 's1-3', 's1-4']);
  assert.deepEqual(recovered[0].meta, { r: 'https://github.com/a/b' });
  assert.equal(fs.readdirSync(root).length, 1, 'the adopted directory is gone, re-journaled in ours');
  await next.close();
});

test('torn tail: a record cut by a crash is truncated, the rest recovers', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  for (const e of eventChain('s2', 3)) spool.appendSeq(e.sessionId, e.event);
  await spool.sync();
  const dir = spool.directory;
  orphan(root);
  const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
  const file = path.join(dir, segment);
  const whole = fs.readFileSync(file);
  // Half a record at the end, as a kill in the middle of a write leaves it.
  const extra = encodeRecord({ k: 'e', q: 99, s: 's2', e: eventChain('s2', 1, 3)[0].event });
  fs.writeFileSync(file, Buffer.concat([whole, extra.subarray(0, extra.length - 5)]));
  const { spool: next, recovered } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  assert.deepEqual(recovered.map((e) => e.event?.id), ['s2-0', 's2-1', 's2-2']);
  await next.close();
});

test('a live owner keeps its spool; a clean close with nothing pending leaves nothing', async () => {
  const root = tmp();
  const { spool: a } = await Spool.open(root, { maxBytes: 1024 * 1024, logger: silentLogger });
  a.appendSeq('s', eventChain('s', 1)[0].event);
  await a.sync();
  const { spool: b, recovered } = await Spool.open(root, { maxBytes: 1024 * 1024, logger: silentLogger });
  assert.equal(recovered.length, 0, 'the other process is alive (this one): not adopted');
  await b.close();
  assert.equal(fs.existsSync(b.directory), false);
  await a.close();
  assert.equal(fs.existsSync(a.directory), true, 'a pending event keeps the spool for the next start');
  const { spool: c, recovered: back } = await Spool.open(root, { maxBytes: 1024 * 1024, logger: silentLogger });
  assert.equal(back.length, 1, 'an unlocked spool left by a clean shutdown is resumed');
  c.ackSeqs(back.map((e) => e.seq));
  await c.close();
  assert.deepEqual(fs.readdirSync(root), []);
});

test('the size bound drops the oldest events, counted, and only at the bound', async () => {
  const root = tmp();
  const lost: number[] = [];
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024, segmentBytes: 16 * 1024, logger: silentLogger, onOverflow: (seqs) => lost.push(...seqs) });
  const big = 'x'.repeat(1_000);
  const chain = eventChain('s3', 200, 0, big);
  const seqs = chain.map((e) => spool.appendSeq(e.sessionId, e.event));
  await spool.sync();
  assert.ok(lost.length > 0, 'some were dropped');
  assert.ok(spool.sizeBytes <= 64 * 1024, `within the bound: ${spool.sizeBytes}`);
  assert.deepEqual(lost, seqs.slice(0, lost.length), 'the oldest go first');
  assert.equal(spool.pendingCount, 200 - lost.length);
  // Nothing of a pending event stays in memory but its place: it is read back from disk.
  assert.deepEqual(await spool.readSeq(seqs[199]), chain[199].event);
  await spool.close();
});

test('an event record is written as the JSON of the whole record would be, whatever its text holds', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  const tricky = { id: 'e-1', timestamp: '2026-01-01T00:00:00.000Z', parentId: null, type: 'user.message' as const, data: { content: 'naïve "quotes" \\ \n 😀 \ud800 done' } };
  const session = 'sess "ión"';
  const meta = { r: 'https://github.com/a/b', l: 'user' };
  spool.appendSeq(session, tricky, meta);
  spool.appendSeq(session, { ...tricky, id: 'e-2' });
  spool.appendSeq('other', { ...tricky, id: 'e-3' }, meta);
  await spool.sync();
  const [segment] = fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log'));
  const { records, validBytes } = decodeRecords(fs.readFileSync(path.join(spool.directory, segment)));
  const bytes = fs.readFileSync(path.join(spool.directory, segment)).subarray(0, validBytes);
  const expected = Buffer.concat([
    encodeRecord({ k: 'e', q: 1, s: session, e: tricky, m: meta }),
    encodeRecord({ k: 'e', q: 2, s: session, e: { ...tricky, id: 'e-2' } }),
    encodeRecord({ k: 'e', q: 3, s: 'other', e: { ...tricky, id: 'e-3' }, m: meta }),
  ]);
  assert.equal(records.length, 3);
  assert.deepEqual(bytes, expected);
  assert.deepEqual(await spool.readSeq(1), tricky);
  await spool.close();
});

/** The records of a spool's segment files, with where each is (file, offset, length) by seq. */
/** Counts the `read` calls on every file handle while `body` runs. */
async function countingReads<T>(body: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const probe = await fs.promises.open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<unknown> };
  await probe.close();
  const original = proto.read;
  let reads = 0;
  proto.read = function (this: unknown, ...args: unknown[]) {
    reads++;
    return original.apply(this, args);
  };
  try {
    return { result: await body(), reads };
  } finally {
    proto.read = original;
  }
}

/** Two sessions' events interleaved, as concurrent sessions append them. */
function interleaved(count: number, content = 'hello'): ReturnType<typeof eventChain> {
  const a = eventChain('a', count, 0, content);
  const b = eventChain('b', count, 0, content);
  return a.flatMap((e, i) => [e, b[i]]);
}

test('readSeqs reads a batch of records back with a few large reads, in the order asked', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, logger: silentLogger });
  const events = interleaved(300);
  const seqs = events.map((e) => spool.appendSeq(e.sessionId, e.event));
  await spool.sync();
  // Session a's records, every other one in the file; asked in an order of their own.
  const wanted = seqs.filter((_, i) => i % 2 === 0);
  const order = [...wanted.slice(100), ...wanted.slice(0, 100)];
  const { result, reads } = await countingReads(() => spool.readSeqs(order));
  const bySeq = new Map(seqs.map((q, i) => [q, events[i].event]));
  assert.deepEqual(result, order.map((q) => bySeq.get(q)));
  assert.equal(reads, 1, 'one read covers records near each other');
  assert.deepEqual(await spool.readSeqs([]), []);
  await spool.close();
});

test('readSeqs: records over several write chunks and past the size of one read all come back', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 256 * 1024 * 1024, segmentBytes: 32 * 1024 * 1024, logger: silentLogger });
  // ~10 MB in one segment: dozens of 256 KiB write chunks, and more than two 4 MiB reads.
  const events = eventChain('big', 1_000, 0, 'y'.repeat(10_000));
  const seqs = events.map((e) => spool.appendSeq(e.sessionId, e.event));
  await spool.sync();
  assert.equal(fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log')).length, 1);
  const { result, reads } = await countingReads(() => spool.readSeqs(seqs));
  assert.deepEqual(result, events.map((e) => e.event));
  assert.ok(reads >= 3 && reads <= 4, `reads stay ≤ 4 MiB each: ${reads}`);
  await spool.close();
});

test('readSeqs: records of several segments, and one asked before its write, come back', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, segmentBytes: 16 * 1024, logger: silentLogger });
  const events = interleaved(100, 'z'.repeat(200));
  const seqs = events.map((e) => spool.appendSeq(e.sessionId, e.event));
  assert.ok(spool.unsynced);
  // Not synced yet: the read waits for the write of what it needs.
  const result = await spool.readSeqs([seqs[199], ...seqs.slice(0, 150)]);
  assert.deepEqual(result, [events[199].event, ...events.slice(0, 150).map((e) => e.event)]);
  assert.ok(fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log')).length > 3, 'spread over segments');
  await spool.close();
});

test('readSeqs: a corrupt record inside a batched range fails the read; the records around it still read', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, logger: silentLogger });
  const events = interleaved(50);
  const seqs = events.map((e) => spool.appendSeq(e.sessionId, e.event));
  await spool.sync();
  flipBitInRecord(spooledRecords(spool.directory).get(seqs[41])!);
  await assert.rejects(spool.readSeqs(seqs.slice(30, 60)), (err: unknown) => err instanceof DamagedRecords && err.seqs.length === 1 && err.seqs[0] === seqs[41]);
  await assert.rejects(spool.readSeq(seqs[41]), /damaged/);
  // Its neighbours (the range read over the damaged bytes) are fine.
  const around = [...seqs.slice(30, 41), ...seqs.slice(42, 60)];
  const bySeq = new Map(seqs.map((q, i) => [q, events[i].event]));
  assert.deepEqual(await spool.readSeqs(around), around.map((q) => bySeq.get(q)));
  await spool.close();
});

test('readSeqs: a torn last record fails the read; an acknowledged one is no longer on disk', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, logger: silentLogger });
  const events = interleaved(20);
  const seqs = events.map((e) => spool.appendSeq(e.sessionId, e.event));
  await spool.sync();
  const last = spooledRecords(spool.directory).get(seqs[39])!;
  // Cut in the middle of the last record, as a crash mid-write would leave the file.
  fs.truncateSync(last.file, last.offset + last.length - 7);
  await assert.rejects(spool.readSeqs(seqs.slice(20)), /damaged/);
  assert.deepEqual(await spool.readSeqs(seqs.slice(20, 39)), events.slice(20, 39).map((e) => e.event));
  spool.ackSeqs([seqs[25]]);
  await assert.rejects(spool.readSeqs(seqs.slice(20, 30)), /no longer on disk/);
  await spool.close();
});
