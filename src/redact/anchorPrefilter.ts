/**
 * The anchor scanner's fast path for longer texts: one WebAssembly SIMD pass (wasm/anchorPrefilter.ts)
 * that classifies 16 characters at a time against every needle and applies the neighbour tables and
 * the name guard in place, so only positions worth a look come back to JavaScript.
 *
 * The text is copied in as Latin-1 (`Buffer.write`, a memcpy for one-byte strings), one byte per
 * UTF-16 unit, so positions match the string's. Characters above U+00FF lose their high byte and
 * may look like ASCII to the kernel; that only adds positions, which the scanner re-checks against
 * the real characters. ASCII characters are copied exactly, so no position the scanner would
 * report is ever missed.
 */
import { ANCHOR_PREFILTER_WASM } from './anchorPrefilterWasm';
import type { NameGuard } from './nameGuard';

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
}

// Must match wasm/anchorPrefilter.ts.
const CONFIG = 65536;
const LO = CONFIG;
const HI = CONFIG + 16;
const NEEDLE_OF = CONFIG + 32;
const NEEDLES = CONFIG + 160;
const NEEDLE_SIZE = 4608;
const BEFORE_PAIRS = 512;
const AFTER_PAIRS = 2560;
const MAX_NEEDLES = 32;
const GUARD = NEEDLES + NEEDLE_SIZE * MAX_NEEDLES;
const GUARD_MAX_SKIP = GUARD + 128;
const GUARD_MAX_NAME = GUARD + 132;
const GUARD_STEP = GUARD + 136;
const MAX_STATES = 512;
const ACCEPT = 0x8000;
const STOP = 0xffff;
const SINGLE = 1;
const SKIP = 2;
const GUARDED = 4;
const UNKEYED = 8;
const ALL_GUARDED = 16;
const PAGE = 65536;

/**
 * Texts longer than this are scanned in JavaScript: the kernel's memory holds the text and its
 * positions (5 bytes per character) for as long as the scanner lives, so it stays bounded.
 */
export const PREFILTER_MAX_TEXT = 1 << 20;

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly configEnd: () => number;
  readonly scan: (text: number, len: number, out: number) => number;
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
function kernelSteps(guard: NameGuard): Uint16Array {
  const states = guard.accept.length;
  const steps = new Uint16Array(states * 256).fill(STOP);
  for (let s = 0; s < states; s++) {
    for (let c = 0; c < 128; c++) {
      const next = guard.step[s * 128 + c] as number;
      if (next >= 0) steps[s * 256 + c] = guard.accept[next] === 1 ? ACCEPT | next : next;
    }
  }
  return steps;
}

export class AnchorPrefilter {
  private readonly kernel: KernelExports;
  private readonly textAt: number;
  private bytes: Buffer;
  /** The kernel's memory as 32-bit words; the last scan's positions start at `hitsFrom`. */
  hits: Int32Array;
  hitsFrom = 0;

  private constructor(kernel: KernelExports) {
    this.kernel = kernel;
    this.textAt = Math.ceil(kernel.configEnd() / 16) * 16;
    this.bytes = Buffer.from(kernel.memory.buffer);
    this.hits = new Int32Array(kernel.memory.buffer);
  }

  /** A prefilter for these needles, or null when the kernel can't take them (the caller scans in JavaScript). */
  static create(needles: readonly PrefilterNeedle[]): AnchorPrefilter | null {
    if (KERNEL === null || needles.length === 0 || needles.length > MAX_NEEDLES) return null;
    if (needles.some((n) => n.code >= 128)) return null;
    const guards = [...new Set(needles.flatMap((n) => [n.guard, n.guardAll]).filter((g): g is NameGuard => g !== null))];
    // One guard table fits the kernel; with more, guarded needles are reported unguarded.
    const guard = guards.length === 1 ? (guards[0] as NameGuard) : null;
    if (guard !== null && guard.accept.length > MAX_STATES) return null;
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
      bytes[LO + (n.code & 15)] = (bytes[LO + (n.code & 15)] as number) | (1 << (n.code >> 4));
      bytes[HI + (n.code >> 4)] = 1 << (n.code >> 4);
      bytes[NEEDLE_OF + n.code] = k + 1;
      const base = NEEDLES + k * NEEDLE_SIZE;
      bytes.set(n.before, base);
      bytes.set(n.after, base + 128);
      bytes.set(n.beforePairs, base + BEFORE_PAIRS);
      bytes.set(n.afterPairs, base + AFTER_PAIRS);
      let flags = n.unkeyed ? UNKEYED : 0;
      if (n.guardAll !== null && n.guardAll === guard) flags |= ALL_GUARDED;
      if (n.single) {
        flags |= SINGLE;
        if (n.skipBetween !== null) {
          bytes.set(n.skipBetween, base + 256);
          flags |= SKIP;
        }
        if (n.guard !== null && n.guard === guard) flags |= GUARDED;
      }
      bytes[base + 384] = flags;
    });
    if (guard !== null) {
      bytes.set(guard.skip, GUARD);
      const view = new DataView(kernel.memory.buffer);
      view.setInt32(GUARD_MAX_SKIP, guard.spec.maxSkip, true);
      view.setInt32(GUARD_MAX_NAME, guard.spec.maxName, true);
      new Uint16Array(kernel.memory.buffer, GUARD_STEP, MAX_STATES * 256).set(kernelSteps(guard));
    }
    return new AnchorPrefilter(kernel);
  }

  /**
   * Finds the positions in `text` worth a look, in text order, and returns how many: they are
   * `hits[hitsFrom]` … `hits[hitsFrom + count - 1]`, valid until the next call. (Views over the
   * kernel's memory are kept between calls: most texts are a few KB, and two fresh views per text
   * would cost more than the scan.)
   */
  scan(text: string): number {
    const len = text.length;
    const outAt = this.textAt + Math.ceil((len + 1) / 16) * 16;
    const needed = outAt + len * 4;
    const memory = this.kernel.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    if (this.bytes.buffer !== memory.buffer) {
      this.bytes = Buffer.from(memory.buffer);
      this.hits = new Int32Array(memory.buffer);
    }
    this.bytes.write(text, this.textAt, len, 'latin1');
    this.hitsFrom = outAt >> 2;
    return this.kernel.scan(this.textAt, len, outAt);
  }

}
