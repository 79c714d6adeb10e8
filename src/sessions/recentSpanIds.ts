/**
 * The last `capacity` spans seen, by trace and span id, oldest forgotten first: how the turn
 * assembler recognises a span delivered twice (producers retry exports after timeouts).
 *
 * Ids are kept as numbers in typed arrays rather than as `traceId/spanId` strings in a Set. Every
 * key outlives many young-generation collections (50,000 spans are minutes of a busy window), so
 * each string was promoted and later died in the old generation, and the Set's table was
 * reallocated in the large-object space as keys came and went: about 100 bytes of old-generation
 * garbage per span, which under a burst is what makes V8 grow the heap. OpenTelemetry ids are
 * lowercase hex (32 and 16 digits, `toSpanRecord` lowercases them); any other form is kept as a
 * string, in the same first-in first-out order.
 */
export class RecentSpanIds {
  /** Six 32-bit words per remembered span (trace id, then span id), by ring index. */
  private words: Uint32Array;
  /** Open addressing, linear probing: ring index + 1, 0 for an empty slot. */
  private slots: Int32Array;
  /** Spans whose ids are not canonical hex: their key by ring index, and the keys themselves. */
  private readonly oddByIndex = new Map<number, string>();
  private readonly oddKeys = new Set<string>();
  private readonly scratch = new Uint32Array(WORDS);
  /** Where the next span goes; once the ring is full, also the oldest span. */
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    // Grown as spans come: a short-lived pipeline (an import, a test) never pays for the full ring.
    const length = Math.max(1, Math.min(capacity, INITIAL_RING));
    this.words = new Uint32Array(length * WORDS);
    this.slots = new Int32Array(tableSize(length));
  }

  /** Remembers the span; false when it is already among those remembered. */
  add(traceId: string, spanId: string): boolean {
    if (!parseIds(traceId, spanId, this.scratch)) {
      const key = `${traceId}/${spanId}`;
      if (this.oddKeys.has(key)) return false;
      const index = this.claim();
      this.oddByIndex.set(index, key);
      this.oddKeys.add(key);
      return true;
    }
    if (this.find(this.scratch) >= 0) return false;
    const index = this.claim();
    this.words.set(this.scratch, index * WORDS);
    this.insert(index);
    return true;
  }

  /** A ring index for a new span: the next free one, or the oldest span's once full (forgotten). */
  private claim(): number {
    if (this.size === this.ringLength && this.ringLength < this.capacity) this.grow();
    const index = this.next;
    if (this.size === this.ringLength) {
      this.forget(index);
    } else {
      this.size++;
    }
    this.next = (index + 1) % this.ringLength;
    return index;
  }

  private get ringLength(): number {
    return this.words.length / WORDS;
  }

  private forget(index: number): void {
    const odd = this.oddByIndex.get(index);
    if (odd !== undefined) {
      this.oddByIndex.delete(index);
      this.oddKeys.delete(odd);
      return;
    }
    const mask = this.slots.length - 1;
    let slot = this.home(this.words, index * WORDS);
    while (this.slots[slot] !== index + 1) slot = (slot + 1) & mask;
    this.removeSlot(slot);
  }

  /** The slot holding `ids`, or -1. */
  private find(ids: Uint32Array): number {
    const mask = this.slots.length - 1;
    for (let slot = this.home(ids, 0); this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const at = (this.slots[slot] - 1) * WORDS;
      const w = this.words;
      if (w[at] === ids[0] && w[at + 1] === ids[1] && w[at + 2] === ids[2] && w[at + 3] === ids[3] && w[at + 4] === ids[4] && w[at + 5] === ids[5]) {
        return slot;
      }
    }
    return -1;
  }

  private insert(index: number): void {
    const mask = this.slots.length - 1;
    let slot = this.home(this.words, index * WORDS);
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = index + 1;
  }

  /** Empties a slot, moving later entries of the probe run back so lookups still find them. */
  private removeSlot(slot: number): void {
    const mask = this.slots.length - 1;
    let hole = slot;
    for (let j = (hole + 1) & mask; this.slots[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(this.words, (this.slots[j] - 1) * WORDS);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        this.slots[hole] = this.slots[j];
        hole = j;
      }
    }
    this.slots[hole] = 0;
  }

  private home(words: Uint32Array, at: number): number {
    // Span ids are random: two of their words and one of the trace id's spread keys well.
    const h = Math.imul(words[at + 4] ^ Math.imul(words[at + 5], 0x9e3779b1) ^ words[at + 3], 0x85ebca6b);
    return (h ^ (h >>> 15)) & (this.slots.length - 1);
  }

  /** Doubles the ring (not yet wrapped: it only grows while filling) and rebuilds the table. */
  private grow(): void {
    const length = Math.min(this.capacity, this.ringLength * 2);
    const words = new Uint32Array(length * WORDS);
    words.set(this.words);
    this.words = words;
    this.slots = new Int32Array(tableSize(length));
    for (let index = 0; index < this.size; index++) {
      if (!this.oddByIndex.has(index)) this.insert(index);
    }
    this.next = this.size;
  }
}

const WORDS = 6;
const INITIAL_RING = 1_024;

/** A power of two at least twice the entries: probe runs stay short. */
function tableSize(entries: number): number {
  let size = 2;
  while (size < entries * 2) size *= 2;
  return size;
}

/** Trace id (32 hex digits) and span id (16) into six words; false when either is not lowercase hex. */
function parseIds(traceId: string, spanId: string, out: Uint32Array): boolean {
  if (traceId.length !== 32 || spanId.length !== 16) return false;
  for (let w = 0; w < WORDS; w++) {
    const text = w < 4 ? traceId : spanId;
    const start = (w < 4 ? w : w - 4) * 8;
    let value = 0;
    for (let i = start; i < start + 8; i++) {
      const c = text.charCodeAt(i);
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (digit < 0) return false;
      value = value * 16 + digit;
    }
    out[w] = value;
  }
  return true;
}
