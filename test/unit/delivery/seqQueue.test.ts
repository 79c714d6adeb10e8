import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqQueue } from '../../../src/delivery/seqQueue';
import { Rng } from '../redact/fakeSecrets';

// A session's backlog must come out exactly as it went in: same seqs, same order, whatever mix of
// batches sent, events lost at the spool bound and tails discarded. Checked against a plain array.

function contents(q: SeqQueue): number[] {
  return Array.from({ length: q.length }, (_, i) => q.at(i));
}

function exercise(seed: number, firstSeq: number, maxStep: number): void {
  const rng = new Rng(seed);
  const q = new SeqQueue();
  let model: number[] = [];
  let next = firstSeq;
  for (let round = 0; round < 4000; round++) {
    const op = rng.int(10);
    if (op < 5) {
      for (let k = 1 + rng.int(40); k > 0; k--) {
        next += 1 + rng.int(maxStep);
        q.push(next);
        model.push(next);
      }
    } else if (op < 7) {
      // A batch went out: its seqs are the head, some of them possibly dropped meanwhile.
      const batch = q.peek(1 + rng.int(30));
      assert.deepEqual(batch, model.slice(0, batch.length));
      const sent = batch.filter(() => rng.int(5) > 0);
      const removed = q.removeLeading(sent);
      const expected: number[] = [];
      for (const seq of sent) if (model[0] === seq) expected.push(model.shift() as number);
      assert.deepEqual(removed, expected);
    } else if (op < 9) {
      const bound = model.length === 0 ? next : (model[rng.int(model.length)] as number);
      assert.deepEqual(q.removeUpTo(bound), model.filter((s) => s <= bound));
      model = model.filter((s) => s > bound);
    } else {
      const keep = rng.int(model.length + 1);
      assert.deepEqual(q.removeAfter(keep), model.slice(keep));
      model = model.slice(0, keep);
    }
    assert.equal(q.length, model.length);
    if (round % 97 === 0) assert.deepEqual(contents(q), model);
  }
  assert.deepEqual(contents(q), model);
}

test('a backlog keeps its seqs and their order through batches, bound drops and discards', () => {
  exercise(1, 0, 3);
  exercise(2, 1_000_000, 50);
});

test('runs of consecutive seqs (a turn appended at once) come out exactly, cut anywhere', () => {
  exercise(4, 0, 1);
  exercise(5, 7, 2);
});

test('a backlog spanning more than 2^32 seqs keeps exact values (8-byte slots)', () => {
  exercise(3, 2 ** 40, 2 ** 29);
  const q = new SeqQueue();
  q.push(5);
  q.push(5 + 2 ** 33);
  q.push(5 + 2 ** 34);
  assert.deepEqual(contents(q), [5, 5 + 2 ** 33, 5 + 2 ** 34]);
  assert.deepEqual(q.removeLeading([5]), [5]);
  assert.deepEqual(q.peek(5), [5 + 2 ** 33, 5 + 2 ** 34]);
});
