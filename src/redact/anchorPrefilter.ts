/**
 * The anchor scanner's fast path for longer texts: one WebAssembly SIMD pass (wasm/anchorPrefilter.ts)
 * that classifies 16 characters at a time against every needle and their neighbours, applies the
 * neighbour tables and the name guard in place, so only positions worth a look come back to
 * JavaScript, each with what the kernel found of the needle's one-character anchor.
 *
 * The text is copied in as Latin-1 (`Buffer.write`, a memcpy for one-byte strings), one byte per
 * UTF-16 unit, so positions match the string's. Characters above U+00FF lose their high byte and
 * may look like ASCII to the kernel; a rule that needs a neighbour to be some character (an anchor's
 * next letter, an owner's onlyAfter) then only lets more through, which the scanner re-checks against
 * the real characters. Rules that turn a position away because a neighbour *is* some character
 * (skip-between, notAfter / notBefore) apply only when the text is ASCII, so no position the
 * scanner would report is ever missed.
 */
import { ANCHOR_PREFILTER_WASM } from './anchorPrefilterWasm';
import type { NameGuard } from './nameGuard';
import { type Bucket, type ByteFrequencies, bucketsOf } from './prefilterBuckets';

/** What the kernel knows of one needle character (mirrors the scanner's NeedleIndex). */
export interface PrefilterNeedle {
  readonly code: number;
  /** Report when the character before is one of these (1 per ASCII code). */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** The needle is an anchor by itself. */
  readonly single: boolean;
  /** Single: not reported between two characters of this table (null: no such rule). */
  readonly skipBetween: Uint8Array | null;
  /** Single: reported only where this guard holds (null: always). */
  readonly guard: NameGuard | null;
  /** Some anchor of this needle can't be told by a neighbour: report every occurrence. */
  readonly unkeyed: boolean;
  /** Bit tables (128 × 128) of the two characters before / after the needle some anchor allows. */
  readonly beforePairs: Uint8Array;
  readonly afterPairs: Uint8Array;
  /** Every anchor of the needle holds only where this guard holds at the needle (null: none such). */
  readonly guardAll: NameGuard | null;
  /** Per byte: may follow the needle where a `before`-keyed anchor occurs (256 entries). */
  readonly beforeNext: Uint8Array;
  /** Per byte: may precede the needle where an `after`-keyed anchor starts with it (256 entries). */
  readonly afterPrev: Uint8Array;
  /** Single: not reported right after / before these ASCII characters (null: no such rule). */
  readonly singleNotPrev: Uint8Array | null;
  readonly singleNotNext: Uint8Array | null;
  /** Every single shares its skip, neighbour and guard rules (so the tables above are all of them). */
  readonly singleRulesShared: boolean;
}

// Must match wasm/anchorPrefilter.ts.
const CONFIG = 65536;
const NEEDLE_OF = CONFIG;
const NEEDLES = CONFIG + 128;
const NEEDLE_SIZE = 5376;
const BEFORE_PAIRS = 512;
const AFTER_PAIRS = 2560;
const BEFORE_NEXT = 4608;
const AFTER_PREV = 4864;
const SINGLE_NOT_PREV = 5120;
const SINGLE_NOT_NEXT = 5248;
const MAX_NEEDLES = 32;
const GUARD = NEEDLES + NEEDLE_SIZE * MAX_NEEDLES;
const GUARD_MAX_SKIP = GUARD + 128;
const GUARD_MAX_NAME = GUARD + 132;
const GUARD_STEP = GUARD + 136;
const MAX_STATES = 512;
const SIMD = GUARD_STEP + MAX_STATES * 256 * 2;
const NEEDLE_LO = SIMD;
const PREV_LO = SIMD + 32;
const NEXT_LO = SIMD + 64;
const MODE_OR = SIMD + 96;
const MODE_AND = SIMD + 112;
const MODE_NAND = SIMD + 128;
const MODE_ALL = SIMD + 144;
const LOOSE_ALL = SIMD + 160;
const GUARD_PAIR = SIMD + 176;
const GUARD_ENDINGS_STEP = SIMD + 192;
const ACCEPT = 0x8000;
const STOP = 0xffff;
const SINGLE = 1;
const SKIP = 2;
const GUARDED = 4;
const UNKEYED = 8;
const ALL_GUARDED = 16;
const NOT_NEAR = 32;
const PAGE = 65536;

/** A hit's position bits; the bits above say what the kernel knows of the needle's one-character anchor. */
export const HIT_POSITION = 0x0fffffff;
export const HIT_STATE_SHIFT = 28;
/** Not checked (the text is not ASCII, or the needle is no anchor by itself). */
export const SINGLE_UNKNOWN = 1;
/** Checked with its skip-between, neighbour and guard rules: holds / fails. */
export const SINGLE_HOLDS = 2;
export const SINGLE_FAILS = 3;

/**
 * Texts longer than this are scanned in JavaScript: the kernel's memory holds the text and its
 * positions (5 bytes per character) for as long as the scanner lives, so it stays bounded.
 */
export const PREFILTER_MAX_TEXT = 1 << 20;

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly configEnd: () => number;
  readonly scan: (text: number, len: number, out: number, exact: number) => number;
}

/** Compiled once per process; null where WebAssembly SIMD is unavailable (the JavaScript path stays). */
const KERNEL: WebAssembly.Module | null = (() => {
  try {
    return new WebAssembly.Module(Buffer.from(ANCHOR_PREFILTER_WASM, 'base64'));
  } catch {
    return null;
  }
})();

/** The guard's automaton as the kernel reads it: next state, ACCEPT | state, or STOP, per (state, byte). */
function kernelSteps(automaton: { readonly step: Int16Array; readonly accept: Uint8Array }): Uint16Array {
  const states = automaton.accept.length;
  const steps = new Uint16Array(states * 256).fill(STOP);
  for (let s = 0; s < states; s++) {
    for (let c = 0; c < 128; c++) {
      const next = automaton.step[s * 128 + c] as number;
      if (next >= 0) steps[s * 256 + c] = automaton.accept[next] === 1 ? ACCEPT | next : next;
    }
  }
  return steps;
}

/** The kernel's block classification tables (see SIMD in wasm/anchorPrefilter.ts). */
function writeBuckets(bytes: Uint8Array, buckets: readonly Bucket[]): void {
  const shufti = (at: number, bit: number, member: (c: number) => boolean): void => {
    for (let c = 0; c < 256; c++) {
      if (!member(c)) continue;
      bytes[at + (c & 15)] = (bytes[at + (c & 15)] as number) | bit;
      bytes[at + 16 + (c >> 4)] = (bytes[at + 16 + (c >> 4)] as number) | bit;
    }
  };
  buckets.forEach((b, k) => {
    const bit = 1 << k;
    shufti(NEEDLE_LO, bit, (c) => b.codes.includes(c));
    shufti(PREV_LO, bit, (c) => b.rule.prev[c] === 1);
    shufti(NEXT_LO, bit, (c) => b.rule.next[c] === 1);
    const mode = { or: MODE_OR, and: MODE_AND, nand: MODE_NAND, all: MODE_ALL }[b.rule.mode];
    for (let lane = 0; lane < 16; lane++) {
      bytes[mode + lane] = (bytes[mode + lane] as number) | bit;
      // Without exact characters the skip-between rule can't be trusted: report all.
      if (b.rule.mode === 'all' || b.rule.mode === 'nand') bytes[LOOSE_ALL + lane] = (bytes[LOOSE_ALL + lane] as number) | bit;
    }
  });
}

export class AnchorPrefilter {
  private readonly kernel: KernelExports;
  private readonly textAt: number;
  private bytes: Buffer;
  /** The kernel's memory as 32-bit words; the last scan's positions start at `hitsFrom`. */
  hits: Int32Array;
  hitsFrom = 0;

  private constructor(
    kernel: KernelExports,
    /** The name guard the kernel tests (null: none); other guards are left to the caller. */
    readonly guard: NameGuard | null,
  ) {
    this.kernel = kernel;
    // 16 bytes of zeros before the text: the kernel reads the byte before each block.
    this.textAt = Math.ceil(kernel.configEnd() / 16) * 16 + 16;
    this.bytes = Buffer.from(kernel.memory.buffer);
    this.hits = new Int32Array(kernel.memory.buffer);
  }

  /**
   * A prefilter for these needles, or null when the kernel can't take them (the caller scans in
   * JavaScript). `frequencies`: how common each byte is, to group needles into the kernel's buckets.
   */
  static create(needles: readonly PrefilterNeedle[], frequencies: ByteFrequencies): AnchorPrefilter | null {
    if (KERNEL === null || needles.length === 0 || needles.length > MAX_NEEDLES) return null;
    if (needles.some((n) => n.code >= 128)) return null;
    const guards = [...new Set(needles.flatMap((n) => [n.guard, n.guardAll]).filter((g): g is NameGuard => g !== null))];
    // One guard table fits the kernel; with more, guarded needles are reported unguarded.
    const guard = guards.length === 1 ? (guards[0] as NameGuard) : null;
    if (guard !== null && Math.max(guard.accept.length, guard.endings.accept.length) > MAX_STATES) return null;
    let kernel: KernelExports;
    try {
      kernel = new WebAssembly.Instance(KERNEL, {}).exports as unknown as KernelExports;
    } catch {
      return null;
    }
    const configEnd = kernel.configEnd() + PAGE;
    if (kernel.memory.buffer.byteLength < configEnd) kernel.memory.grow(Math.ceil((configEnd - kernel.memory.buffer.byteLength) / PAGE));
    const bytes = new Uint8Array(kernel.memory.buffer);
    needles.forEach((n, k) => {
      bytes[NEEDLE_OF + n.code] = k + 1;
      const base = NEEDLES + k * NEEDLE_SIZE;
      bytes.set(n.before, base);
      bytes.set(n.after, base + 128);
      bytes.set(n.beforePairs, base + BEFORE_PAIRS);
      bytes.set(n.afterPairs, base + AFTER_PAIRS);
      bytes.set(n.beforeNext, base + BEFORE_NEXT);
      bytes.set(n.afterPrev, base + AFTER_PREV);
      let flags = n.unkeyed ? UNKEYED : 0;
      if (n.guardAll !== null && n.guardAll === guard) flags |= ALL_GUARDED;
      if (n.single) {
        flags |= SINGLE;
        if (n.skipBetween !== null) {
          bytes.set(n.skipBetween, base + 256);
          flags |= SKIP;
        }
        if (n.guard !== null && n.guard === guard) flags |= GUARDED;
        if (n.singleNotPrev !== null || n.singleNotNext !== null) {
          if (n.singleNotPrev !== null) bytes.set(n.singleNotPrev, base + SINGLE_NOT_PREV);
          if (n.singleNotNext !== null) bytes.set(n.singleNotNext, base + SINGLE_NOT_NEXT);
          flags |= NOT_NEAR;
        }
      }
      bytes[base + 384] = flags;
    });
    writeBuckets(bytes, bucketsOf(needles, frequencies));
    if (guard !== null) {
      bytes.set(guard.skip, GUARD);
      const view = new DataView(kernel.memory.buffer);
      view.setInt32(GUARD_MAX_SKIP, guard.spec.maxSkip, true);
      view.setInt32(GUARD_MAX_NAME, guard.spec.maxName, true);
      new Uint16Array(kernel.memory.buffer, GUARD_STEP, MAX_STATES * 256).set(kernelSteps(guard));
      new Uint16Array(kernel.memory.buffer, GUARD_ENDINGS_STEP, MAX_STATES * 256).set(kernelSteps(guard.endings));
      // The kernel looks for the pair in the 32 bytes before the name's end: the walk must not read further.
      if (guard.anywherePair !== '' && guard.spec.maxName <= 32) bytes.set([guard.anywherePair.charCodeAt(0), guard.anywherePair.charCodeAt(1)], GUARD_PAIR);
    }
    return new AnchorPrefilter(kernel, guard);
  }

  /**
   * Finds the positions in `text` worth a look, in text order, and returns how many: they are
   * `hits[hitsFrom]` … `hits[hitsFrom + count - 1]` (`& HIT_POSITION`; `>>> HIT_STATE_SHIFT` is
   * one of SINGLE_*), valid until the next call. (Views over the
   * kernel's memory are kept between calls: most texts are a few KB, and two fresh views per text
   * would cost more than the scan.)
   */
  scan(text: string): number {
    const len = text.length;
    const outAt = this.textAt + Math.ceil((len + 1) / 16) * 16;
    // The kernel may write a few candidates past the last one.
    const needed = outAt + len * 4 + 64;
    const memory = this.kernel.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    if (this.bytes.buffer !== memory.buffer) {
      this.bytes = Buffer.from(memory.buffer);
      this.hits = new Int32Array(memory.buffer);
    }
    this.bytes.write(text, this.textAt, len, 'latin1');
    // The kernel reads one byte past the text, as the end of the text.
    this.bytes[this.textAt + len] = 0;
    this.hitsFrom = outAt >> 2;
    // ASCII exactly when UTF-8 takes one byte per character: then each byte is the character.
    const exact = Buffer.byteLength(text, 'utf8') === len ? 1 : 0;
    return this.kernel.scan(this.textAt, len, outAt, exact);
  }
}
