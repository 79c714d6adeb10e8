const MIN_CAPACITY = 16;
/** The largest offset from `base` a Uint32Array slot holds. */
const MAX_U32 = 0xffff_ffff;

/**
 * One session's backlog as spool sequence numbers, oldest first, in a typed array: 4 bytes per
 * waiting event where an array of entry objects cost ~200 (object, id string, set entry, slot).
 * A backlog of a million events with the service down is then a few MB, the events themselves
 * staying in the spool on disk.
 *
 * Seqs are pushed in increasing order (the spool numbers events as they are appended, and a
 * session's events are queued as they are appended), so the queue is sorted: events lost at the
 * spool bound, the oldest, are always a prefix, and a batch taken from the head stays the head.
 * Slots hold `seq - base`, `base` being the first seq queued since the queue was last empty; a
 * backlog spanning more than 2^32 seqs (never seen, but a seq counts a process's whole lifetime)
 * moves to 8-byte slots rather than wrap.
 */
export class SeqQueue {
  private buffer: Uint32Array | Float64Array = new Uint32Array(MIN_CAPACITY);
  private base = 0;
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** The `i`-th oldest seq (`i < length`). */
  at(i: number): number {
    return this.base + this.buffer[this.head + i];
  }

  push(seq: number): void {
    if (this.length === 0) {
      this.head = this.tail = 0;
      this.base = seq;
    }
    const offset = seq - this.base;
    if (offset > MAX_U32 && this.buffer instanceof Uint32Array) this.buffer = Float64Array.from(this.buffer);
    if (this.tail === this.buffer.length) this.makeRoom();
    this.buffer[this.tail++] = offset;
  }

  /** The first `count` seqs, as an array (a batch is at most a few hundred). */
  peek(count: number): number[] {
    return this.copy(this.head, this.head + Math.min(count, this.length));
  }

  /**
   * Removes the given seqs (ascending) where they are at the head, and returns those removed:
   * a batch that went out, less any of its events dropped meanwhile (the spool bound, a purge).
   */
  removeLeading(seqs: readonly number[]): number[] {
    const removed: number[] = [];
    for (const seq of seqs) {
      if (this.length > 0 && this.base + this.buffer[this.head] === seq) {
        this.head++;
        removed.push(seq);
      }
    }
    this.shrink();
    return removed;
  }

  /** Removes and returns the leading seqs up to `maxSeq`: the events lost at the spool bound. */
  removeUpTo(maxSeq: number): number[] {
    let end = this.head;
    while (end < this.tail && this.base + this.buffer[end] <= maxSeq) end++;
    const removed = this.copy(this.head, end);
    this.head = end;
    this.shrink();
    return removed;
  }

  /** Removes and returns everything after the first `keep` seqs. */
  removeAfter(keep: number): number[] {
    const start = this.head + Math.min(keep, this.length);
    const removed = this.copy(start, this.tail);
    this.tail = start;
    this.shrink();
    return removed;
  }

  private copy(start: number, end: number): number[] {
    const out = new Array<number>(end - start);
    for (let i = start; i < end; i++) out[i - start] = this.base + this.buffer[i];
    return out;
  }

  /** At the end of the buffer: slide the live part down if the head freed half of it, else grow. */
  private makeRoom(): void {
    const capacity = this.head >= this.buffer.length / 2 ? this.buffer.length : this.buffer.length * 2;
    this.resize(capacity);
  }

  /** A drained backlog gives its memory back: a session that had 100,000 waiting keeps no 400 KB. */
  private shrink(): void {
    const length = this.length;
    if (length === 0) {
      this.head = this.tail = 0;
      if (this.buffer.length > MIN_CAPACITY || this.buffer instanceof Float64Array) this.buffer = new Uint32Array(MIN_CAPACITY);
      return;
    }
    if (this.buffer.length > 4 * MIN_CAPACITY && length < this.buffer.length / 4) this.resize(this.buffer.length / 2);
  }

  private resize(capacity: number): void {
    const length = this.length;
    if (capacity === this.buffer.length) {
      this.buffer.copyWithin(0, this.head, this.tail);
    } else {
      const next = this.buffer instanceof Uint32Array ? new Uint32Array(capacity) : new Float64Array(capacity);
      next.set(this.buffer.subarray(this.head, this.tail));
      this.buffer = next;
    }
    this.head = 0;
    this.tail = length;
  }
}
