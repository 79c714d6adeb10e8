const MIN_RUNS = 4;
/** The largest offset from `base` (or run length) a Uint32Array slot holds. */
const MAX_U32 = 0xffff_ffff;

/**
 * One session's backlog as spool sequence numbers, oldest first, kept as runs of consecutive seqs
 * in typed arrays: a turn's events are appended together, so they are consecutive in the spool and
 * take one run (8 bytes) however many they are. An array of entry objects cost ~200 bytes per
 * waiting event, one 4-byte slot per seq still 4 MB per million; with runs a backlog of a million
 * events with the service down is a few hundred KB, the events themselves staying in the spool on
 * disk. At worst (no two seqs of the session consecutive) a run is 8 bytes per event.
 *
 * Seqs are pushed in increasing order (the spool numbers events as they are appended, and a
 * session's events are queued as they are appended), so the queue is sorted: events lost at the
 * spool bound, the oldest, are always a prefix, and a batch taken from the head stays the head.
 * Runs start at `base + firsts[r]`, `base` being the first seq queued since the queue was last
 * empty; a backlog spanning more than 2^32 seqs (never seen, but a seq counts a process's whole
 * lifetime) moves to 8-byte starts rather than wrap.
 */
export class SeqQueue {
  private firsts: Uint32Array | Float64Array = new Uint32Array(MIN_RUNS);
  private counts = new Uint32Array(MIN_RUNS);
  private base = 0;
  /** Live runs are `[head, tail)`; the first `skip` seqs of the head run are already gone. */
  private head = 0;
  private tail = 0;
  private skip = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** The `i`-th oldest seq (`i < length`). */
  at(i: number): number {
    let run = this.head;
    let k = i + this.skip;
    while (k >= this.counts[run]) {
      k -= this.counts[run];
      run++;
    }
    return this.base + this.firsts[run] + k;
  }

  push(seq: number): void {
    if (this.size === 0) {
      this.head = this.tail = this.skip = 0;
      this.base = seq;
    }
    const offset = seq - this.base;
    this.size++;
    const last = this.tail - 1;
    if (last >= this.head && this.firsts[last] + this.counts[last] === offset && this.counts[last] < MAX_U32) {
      this.counts[last]++;
      return;
    }
    if (offset > MAX_U32 && this.firsts instanceof Uint32Array) this.firsts = Float64Array.from(this.firsts);
    if (this.tail === this.firsts.length) this.makeRoom();
    this.firsts[this.tail] = offset;
    this.counts[this.tail] = 1;
    this.tail++;
  }

  /** The first `count` seqs, as an array (a batch is at most a few hundred). */
  peek(count: number): number[] {
    const out = new Array<number>(Math.min(count, this.size));
    let n = 0;
    for (let run = this.head, k = this.skip; n < out.length; run++, k = 0) {
      const first = this.base + this.firsts[run];
      for (; k < this.counts[run] && n < out.length; k++) out[n++] = first + k;
    }
    return out;
  }

  /**
   * Removes the given seqs (ascending) where they are at the head, and returns those removed:
   * a batch that went out, less any of its events dropped meanwhile (the spool bound, a purge).
   */
  removeLeading(seqs: readonly number[]): number[] {
    const removed: number[] = [];
    for (const seq of seqs) {
      if (this.size > 0 && this.headSeq() === seq) {
        this.dropHead(1);
        removed.push(seq);
      }
    }
    this.shrink();
    return removed;
  }

  /** Removes and returns the leading seqs up to `maxSeq`: the events lost at the spool bound. */
  removeUpTo(maxSeq: number): number[] {
    const removed: number[] = [];
    while (this.size > 0 && this.headSeq() <= maxSeq) {
      const first = this.headSeq();
      const n = Math.min(this.counts[this.head] - this.skip, maxSeq - first + 1);
      for (let k = 0; k < n; k++) removed.push(first + k);
      this.dropHead(n);
    }
    this.shrink();
    return removed;
  }

  /** Removes and returns everything after the first `keep` seqs. */
  removeAfter(keep: number): number[] {
    if (keep >= this.size) return [];
    const removed = this.peek(this.size).slice(keep);
    // The run holding the last kept seq is cut after it; the runs after it go.
    let run = this.head;
    let left = keep + this.skip;
    while (left > this.counts[run]) {
      left -= this.counts[run];
      run++;
    }
    this.counts[run] = left;
    this.tail = left === 0 ? run : run + 1;
    this.size = keep;
    this.shrink();
    return removed;
  }

  private headSeq(): number {
    return this.base + this.firsts[this.head] + this.skip;
  }

  /** Drops `n` seqs of the head run (at most what is left of it). */
  private dropHead(n: number): void {
    this.skip += n;
    this.size -= n;
    if (this.skip === this.counts[this.head]) {
      this.head++;
      this.skip = 0;
    }
  }

  /** At the end of the arrays: slide the live runs down if the head freed half, else grow. */
  private makeRoom(): void {
    const capacity = this.head >= this.firsts.length / 2 ? this.firsts.length : this.firsts.length * 2;
    this.resize(capacity);
  }

  /** A drained backlog gives its memory back. */
  private shrink(): void {
    if (this.size === 0) {
      this.head = this.tail = this.skip = 0;
      if (this.firsts.length > MIN_RUNS || this.firsts instanceof Float64Array) {
        this.firsts = new Uint32Array(MIN_RUNS);
        this.counts = new Uint32Array(MIN_RUNS);
      }
      return;
    }
    const runs = this.tail - this.head;
    if (this.firsts.length > 4 * MIN_RUNS && runs < this.firsts.length / 4) this.resize(this.firsts.length / 2);
  }

  private resize(capacity: number): void {
    const runs = this.tail - this.head;
    if (capacity === this.firsts.length) {
      this.firsts.copyWithin(0, this.head, this.tail);
      this.counts.copyWithin(0, this.head, this.tail);
    } else {
      const firsts = this.firsts instanceof Uint32Array ? new Uint32Array(capacity) : new Float64Array(capacity);
      firsts.set(this.firsts.subarray(this.head, this.tail));
      const counts = new Uint32Array(capacity);
      counts.set(this.counts.subarray(this.head, this.tail));
      this.firsts = firsts;
      this.counts = counts;
    }
    this.head = 0;
    this.tail = runs;
  }
}
