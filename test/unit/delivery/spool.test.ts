import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import { decodeRecords, encodeRecord } from '../../../src/delivery/journalRecords';
import { DamagedRecords, Spool, type SpooledEvent } from '../../../src/delivery/spool';
import type { RoutedEvent, SessionEvent } from '../../../src/sessions/sessionEvent';
import { flipBitInRecord, spooledRecords } from '../../support/spoolDamage';
import { eventChain } from '../../support/remoteEvents';

/** The durable journal on a real disk: recovery, torn tails, the size bound, owner locks. */

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'relay-spool-'));
}

/** What `readSeqs` gives back for an event appended as `JSON.stringify(event)`. */
function spooled(event: SessionEvent): SpooledEvent {
  const json = JSON.stringify(event);
  return { id: event.id, json, bytes: Buffer.byteLength(json) };
}

function appendText(spool: Spool, sessionId: string, json: string, meta?: Record<string, string>): number {
  return spool.appendSeq(sessionId, json, Buffer.byteLength(json), meta);
}

function append(spool: Spool, e: RoutedEvent, meta?: Record<string, string>): number {
  return appendText(spool, e.sessionId, JSON.stringify(e.event), meta);
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
  const seqs = eventChain('s1', 5).map((e) => append(spool, e, { r: 'https://github.com/a/b' }));
  spool.ackSeqs(seqs.slice(0, 2));
  await spool.sync();
  orphan(root); // crash: no close
  const { spool: next, recovered } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  assert.deepEqual(recovered.map((e) => e.id), ['s1-2', 's1-3', 's1-4']);
  assert.deepEqual(recovered[0].json, JSON.stringify(eventChain('s1', 1, 2)[0].event));
  assert.deepEqual(recovered[0].meta, { r: 'https://github.com/a/b' });
  assert.equal(fs.readdirSync(root).length, 1, 'the adopted directory is gone, re-journaled in ours');
  await next.close();
});

test('torn tail: a record cut by a crash is truncated, the rest recovers', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  for (const e of eventChain('s2', 3)) append(spool, e);
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
  assert.deepEqual(recovered.map((e) => e.id), ['s2-0', 's2-1', 's2-2']);
  await next.close();
});

test('a live owner keeps its spool; a clean close with nothing pending leaves nothing', async () => {
  const root = tmp();
  const { spool: a } = await Spool.open(root, { maxBytes: 1024 * 1024, logger: silentLogger });
  append(a, eventChain('s', 1)[0]);
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
  const seqs = chain.map((e) => append(spool, e));
  await spool.sync();
  assert.ok(lost.length > 0, 'some were dropped');
  assert.ok(spool.sizeBytes <= 64 * 1024, `within the bound: ${spool.sizeBytes}`);
  assert.deepEqual(lost, seqs.slice(0, lost.length), 'the oldest go first');
  assert.equal(spool.pendingCount, 200 - lost.length);
  // Nothing of a pending event stays in memory but its place: it is read back from disk.
  assert.deepEqual(await spool.readSeq(seqs[199]), spooled(chain[199].event));
  await spool.close();
});

test('an event record is written as the JSON of the whole record would be, with the event last, whatever its text holds', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  const tricky: SessionEvent = { id: 'e-1', timestamp: '2026-01-01T00:00:00.000Z', parentId: null, type: 'user.message', data: { content: 'naïve "quotes" \\ \n 😀 \ud800 done' } };
  const session = 'sess "ión"';
  const meta = { r: 'https://github.com/a/b', l: 'user' };
  appendText(spool, session, JSON.stringify(tricky), meta);
  appendText(spool, session, JSON.stringify({ ...tricky, id: 'e-2' }));
  appendText(spool, 'other', JSON.stringify({ ...tricky, id: 'e-3' }), meta);
  await spool.sync();
  const [segment] = fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log'));
  const { records, validBytes } = decodeRecords(fs.readFileSync(path.join(spool.directory, segment)));
  const bytes = fs.readFileSync(path.join(spool.directory, segment)).subarray(0, validBytes);
  const expected = Buffer.concat([
    encodeRecord({ k: 'e', q: 1, s: session, m: meta, e: tricky }),
    encodeRecord({ k: 'e', q: 2, s: session, e: { ...tricky, id: 'e-2' } }),
    encodeRecord({ k: 'e', q: 3, s: 'other', m: meta, e: { ...tricky, id: 'e-3' } }),
  ]);
  assert.equal(records.length, 3);
  assert.deepEqual(bytes, expected);
  assert.deepEqual(await spool.readSeq(1), spooled(tricky));
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
  const seqs = events.map((e) => append(spool, e));
  await spool.sync();
  // Session a's records, every other one in the file; asked in an order of their own.
  const wanted = seqs.filter((_, i) => i % 2 === 0);
  const order = [...wanted.slice(100), ...wanted.slice(0, 100)];
  const { result, reads } = await countingReads(() => spool.readSeqs(order));
  const bySeq = new Map(seqs.map((q, i) => [q, spooled(events[i].event)]));
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
  const seqs = events.map((e) => append(spool, e));
  await spool.sync();
  assert.equal(fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log')).length, 1);
  const { result, reads } = await countingReads(() => spool.readSeqs(seqs));
  assert.deepEqual(result, events.map((e) => spooled(e.event)));
  assert.ok(reads >= 3 && reads <= 4, `reads stay ≤ 4 MiB each: ${reads}`);
  await spool.close();
});

test('readSeqs: records of several segments, and one asked before its write, come back', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, segmentBytes: 16 * 1024, logger: silentLogger });
  const events = interleaved(100, 'z'.repeat(200));
  const seqs = events.map((e) => append(spool, e));
  assert.ok(spool.unsynced);
  // Not synced yet: the read waits for the write of what it needs.
  const result = await spool.readSeqs([seqs[199], ...seqs.slice(0, 150)]);
  assert.deepEqual(result, [events[199], ...events.slice(0, 150)].map((e) => spooled(e.event)));
  assert.ok(fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log')).length > 3, 'spread over segments');
  await spool.close();
});

test('readSeqs: a corrupt record inside a batched range fails the read; the records around it still read', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, logger: silentLogger });
  const events = interleaved(50);
  const seqs = events.map((e) => append(spool, e));
  await spool.sync();
  flipBitInRecord(spooledRecords(spool.directory).get(seqs[41])!);
  await assert.rejects(spool.readSeqs(seqs.slice(30, 60)), (err: unknown) => err instanceof DamagedRecords && err.seqs.length === 1 && err.seqs[0] === seqs[41]);
  await assert.rejects(spool.readSeq(seqs[41]), /damaged/);
  // Its neighbours (the range read over the damaged bytes) are fine.
  const around = [...seqs.slice(30, 41), ...seqs.slice(42, 60)];
  const bySeq = new Map(seqs.map((q, i) => [q, spooled(events[i].event)]));
  assert.deepEqual(await spool.readSeqs(around), around.map((q) => bySeq.get(q)));
  await spool.close();
});

test('readSeqs: a torn last record fails the read; an acknowledged one is no longer on disk', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 64 * 1024 * 1024, logger: silentLogger });
  const events = interleaved(20);
  const seqs = events.map((e) => append(spool, e));
  await spool.sync();
  const last = spooledRecords(spool.directory).get(seqs[39])!;
  // Cut in the middle of the last record, as a crash mid-write would leave the file.
  fs.truncateSync(last.file, last.offset + last.length - 7);
  await assert.rejects(spool.readSeqs(seqs.slice(20)), /damaged/);
  assert.deepEqual(await spool.readSeqs(seqs.slice(20, 39)), events.slice(20, 39).map((e) => spooled(e.event)));
  spool.ackSeqs([seqs[25]]);
  await assert.rejects(spool.readSeqs(seqs.slice(20, 30)), /no longer on disk/);
  await spool.close();
});

test('readSeqs gives back each event as the very text appended, with its id wherever the event has it', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, segmentBytes: 64 * 1024, logger: silentLogger });
  // Heads a naive search would misread: quotes, braces and `,"e":` in the session id and the meta
  // (even a meta key `e`), an empty meta, none at all.
  const sessions = ['plain', 'sess "ión" },"e":{', '\\'];
  const metas: Array<Record<string, string> | undefined> = [undefined, {}, { r: 'https://github.com/a/b', l: 'user' }, { e: '},"e":{"id":"fake"}', r: '"\\' }];
  // Event texts as the caller made them, the id not always first, nested ids before it.
  const texts = [
    (n: number) => JSON.stringify({ id: `e-${n}`, timestamp: 't', parentId: null, type: 'user.message', data: { content: 'naïve "quotes" \\ \n 😀 \ud800 done' } }),
    (n: number) => JSON.stringify({ data: { id: 'inner', list: [1, { id: 'deeper' }, '}]'], ok: true, none: null, x: -1.5e-7 }, type: 'user.message', id: `e-${n}` }),
    (n: number) => JSON.stringify({ parentId: '"', id: `e-"${n}"\\é😀`, data: {} }),
  ];
  const written: Array<SpooledEvent & { seq: number }> = [];
  let n = 0;
  for (const session of sessions) {
    for (const meta of metas) {
      for (const text of texts) {
        const json = text(n++);
        written.push({ seq: appendText(spool, session, json, meta), id: (JSON.parse(json) as SessionEvent).id, json, bytes: Buffer.byteLength(json) });
      }
    }
  }
  const expected = written.map(({ id, json, bytes }) => ({ id, json, bytes }));
  // Before the write (waiting for it), after it, and one by one.
  assert.deepEqual(await spool.readSeqs(written.map((w) => w.seq)), expected);
  await spool.sync();
  assert.deepEqual(await spool.readSeqs([...written].reverse().map((w) => w.seq)), [...expected].reverse());
  for (const w of written) assert.deepEqual(await spool.readSeq(w.seq), { id: w.id, json: w.json, bytes: w.bytes });
  // And what a restart hands back, re-journaled, reads back the same.
  orphan(root);
  const { spool: next, recovered } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  assert.deepEqual(recovered.map(({ id, json, bytes }) => ({ id, json, bytes })), expected);
  assert.deepEqual(await next.readSeqs(recovered.map((e) => e.seq)), expected);
  await next.close();
});

test('readSeqs: a record that checks out but is not the one asked for, or holds no event id, counts as damaged', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  const events = eventChain('s', 8);
  const seqs = events.map((e) => append(spool, e));
  const noId = appendText(spool, 's', JSON.stringify({ timestamp: 't', data: { id: 'nested only' } }));
  await spool.sync();
  // Seq 5's place holds a good record of the same length for seq 6 (as a misplaced write would).
  const five = spooledRecords(spool.directory).get(seqs[4])!;
  const impostor = encodeRecord({ k: 'e', q: seqs[5], s: 's', e: events[4].event });
  assert.equal(impostor.length, five.length);
  const fd = fs.openSync(five.file, 'r+');
  fs.writeSync(fd, impostor, 0, impostor.length, five.offset);
  fs.closeSync(fd);
  await assert.rejects(spool.readSeqs([...seqs, noId]), (err: unknown) => err instanceof DamagedRecords && err.seqs.join() === [seqs[4], noId].join());
  assert.deepEqual(await spool.readSeqs(seqs.slice(5)), events.slice(5).map((e) => spooled(e.event)));
  await spool.close();
});

test('a spool an earlier version left (meta after the event in its records) is resumed, and reads back as this one writes it', async () => {
  const root = tmp();
  const { spool } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  const events = eventChain('old', 4);
  const meta = { r: 'https://github.com/a/b', l: 'user' };
  for (const e of events) append(spool, e, meta);
  await spool.sync();
  const [segment] = fs.readdirSync(spool.directory).filter((f) => f.endsWith('.log'));
  orphan(root);
  fs.writeFileSync(path.join(spool.directory, segment), Buffer.concat(events.map((e, i) => encodeRecord({ k: 'e', q: i + 1, s: 'old', e: e.event, m: meta }))));
  const { spool: next, recovered } = await Spool.open(root, { maxBytes: 10 * 1024 * 1024, logger: silentLogger });
  assert.deepEqual(recovered.map(({ id, json, bytes, sessionId }) => ({ id, json, bytes, sessionId })), events.map((e) => ({ ...spooled(e.event), sessionId: 'old' })));
  assert.deepEqual(recovered[0].meta, meta);
  assert.deepEqual(await next.readSeqs(recovered.map((e) => e.seq)), events.map((e) => spooled(e.event)));
  await next.close();
});
