// AssemblyScript source of the anchor prefilter kernel (compiled by scripts/buildWasm.mjs into
// src/redact/anchorPrefilterWasm.ts). See src/redact/anchorPrefilter.ts for the JavaScript side,
// which writes the tables below and re-checks every position this kernel reports against the real
// characters: the kernel may report too much, never too little.
//
// Why WebAssembly: the prefilter must look at every character of every tool output. In JavaScript
// that takes one `indexOf` pass per needle character (about 0.5 ms per pass on 6 MB, ~11 passes)
// plus ~15 ns per occurrence, which is most of the redactor's time. Here one SIMD pass classifies
// 16 bytes at a time against all needles at once, and the per-occurrence checks (neighbour tables,
// the name guard) run without crossing into JavaScript.
//
// Needles are common characters (`-`, `:`, `y`), and a scalar look at each occurrence costs more
// than classifying a whole block, so the SIMD pass also classifies each byte's neighbours: a needle
// comes out of it only where the character before and the one after can border one of its
// anchors (e.g. `-` after a letter of `sk-`/`xoxb-` or before the `-`/`p` of `--`/`-p`, and never
// `:` between two digits), which leaves about a third of the occurrences for the scalar checks.

// Memory layout, in bytes. Configuration lives from CONFIG (past AssemblyScript's own static data),
// the text and the output are placed by the JavaScript side past CONFIG_END.
const CONFIG: usize = 65536;
// Per needle (at most MAX_NEEDLES), NEEDLE_SIZE bytes: before-neighbour table [128], after-neighbour
// table [128], skip-between table [128], flags [1] at 384; from 512 a bit table of the two characters
// before (index (i-2)*128 + (i-1)), from 2560 one of the two after ((i+1)*128 + (i+2)); from 4608
// the characters that may follow the needle where an anchor ends at or continues past it
// (keyed by the character before) [256], from 4864 those that may precede an anchor starting at
// the needle [256]; from 5120 the characters a one-character anchor may not follow [128], and from
// 5248 those it may not precede [128].
const NEEDLE_OF: usize = CONFIG; // [128]: ASCII code → needle number + 1, 0 for none
const NEEDLES: usize = CONFIG + 128;
const NEEDLE_SIZE: usize = 5376;
const BEFORE_PAIRS: usize = 512;
const AFTER_PAIRS: usize = 2560;
const BEFORE_NEXT: usize = 4608;
const AFTER_PREV: usize = 4864;
const SINGLE_NOT_PREV: usize = 5120;
const SINGLE_NOT_NEXT: usize = 5248;
const MAX_NEEDLES: usize = 32;
const GUARD: usize = NEEDLES + NEEDLE_SIZE * MAX_NEEDLES;
// Guard: skip table [128], maxSkip i32, maxName i32, then the step table u16 [MAX_STATES * 256]
// indexed by state * 256 + byte: the next state, ACCEPT | state where a word has been read, STOP
// where the name ends (one load and one branch per character).
const GUARD_SKIP: usize = GUARD;
const GUARD_MAX_SKIP: usize = GUARD + 128;
const GUARD_MAX_NAME: usize = GUARD + 132;
const GUARD_STEP: usize = GUARD + 136;
const MAX_STATES: usize = 512;
const ACCEPT: u32 = 0x8000;
const STOP: u32 = 0xffff;
// Block classification, 16 bytes each. Needles are grouped in up to 8 buckets (one bit each): a
// byte's buckets are NEEDLE_LO[byte & 15] & NEEDLE_HI[byte >> 4] (shufti), and the same for the
// byte before (PREV_*) and after (NEXT_*), each table a superset of its bucket's characters. Per
// bucket one rule combines them (MODE_*: a bucket is in one of the masks): OR, AND, NOT-both (the
// skip-between rule), or ALL. LOOSE_ALL replaces MODE_ALL and MODE_NAND when the text is not
// known to be ASCII (a character above U+00FF may look like a digit to the kernel).
const SIMD: usize = GUARD_STEP + MAX_STATES * 256 * 2;
const NEEDLE_LO: usize = SIMD;
const NEEDLE_HI: usize = SIMD + 16;
const PREV_LO: usize = SIMD + 32;
const PREV_HI: usize = SIMD + 48;
const NEXT_LO: usize = SIMD + 64;
const NEXT_HI: usize = SIMD + 80;
const MODE_OR: usize = SIMD + 96;
const MODE_AND: usize = SIMD + 112;
const MODE_NAND: usize = SIMD + 128;
const MODE_ALL: usize = SIMD + 144;
const LOOSE_ALL: usize = SIMD + 160;
// A guard that accepts a word anywhere in a name (`twilio`) walks every name to its start. The
// walk of GUARD_ENDINGS_STEP, the automaton without that word, stops at most names' last word; the
// full walk is needed only where the word's first two letters (GUARD_PAIR, lower case; 0: no such
// word, always walk the full automaton) are among the 32 bytes before the name's end.
const GUARD_PAIR: usize = SIMD + 176;
const GUARD_ENDINGS_STEP: usize = SIMD + 192;
const CONFIG_END: usize = GUARD_ENDINGS_STEP + MAX_STATES * 256 * 2;

// Flags of a needle.
const SINGLE: u32 = 1; // the needle is an anchor by itself
const SKIP: u32 = 2; // …except between two characters of its skip table
const GUARDED: u32 = 4; // …and only where the name guard holds
const UNKEYED: u32 = 8; // some anchor of this needle can't be told by a neighbour: report all
const ALL_GUARDED: u32 = 16; // every anchor of this needle holds only where the guard does, at the needle
const NOT_NEAR: u32 = 32; // …and not next to the characters of its not-prev / not-next tables

export function configEnd(): usize {
  return CONFIG_END;
}

// @ts-ignore: decorator
@inline
function classify(v: v128, lo: v128, hi: v128): v128 {
  return v128.and(i8x16.swizzle(lo, v128.and(v, i8x16.splat(0x0f))), i8x16.swizzle(hi, i8x16.shr_u(v, 4)));
}

// @ts-ignore: decorator
@inline
function walk(steps: usize, text: usize, end: i32, floor: i32): bool {
  let s: u32 = 0;
  for (let j = end - 1; j >= floor; j--) {
    const next = <u32>load<u16>(steps + ((((<usize>s) << 8) | <usize>load<u8>(text + <usize>j)) << 1));
    if (next >= ACCEPT) return next != STOP;
    s = next;
  }
  return false;
}

// Inlined: most `:` and `=` of a text come here, and the call costs about as much as the walk.
// @ts-ignore: decorator
@inline
function guard(text: usize, at: i32): bool {
  const maxSkip = load<i32>(GUARD_MAX_SKIP);
  const maxName = load<i32>(GUARD_MAX_NAME);
  let end = at;
  const floor = at > maxSkip ? at - maxSkip : 0;
  while (end > floor) {
    const c = <u32>load<u8>(text + <usize>(end - 1));
    if (c >= 128 || load<u8>(GUARD_SKIP + c) == 0) break;
    end--;
  }
  const nameFloor = end > maxName ? end - maxName : 0;
  const first = load<u8>(GUARD_PAIR);
  if (first == 0) return walk(GUARD_STEP, text, end, nameFloor);
  if (walk(GUARD_ENDINGS_STEP, text, end, nameFloor)) return true;
  // Bytes before the text are zeros and configuration: at worst the full walk.
  const from = text + <usize>(end - 32);
  const lower = i8x16.splat(0x20);
  const a = i8x16.splat(first);
  const b = i8x16.splat(load<u8>(GUARD_PAIR + 1));
  const pairs = v128.or(
    v128.and(i8x16.eq(v128.or(v128.load(from), lower), a), i8x16.eq(v128.or(v128.load(from + 1), lower), b)),
    v128.and(i8x16.eq(v128.or(v128.load(from + 16), lower), a), i8x16.eq(v128.or(v128.load(from + 17), lower), b)),
  );
  return v128.any_true(pairs) && walk(GUARD_STEP, text, end, nameFloor);
}

// @ts-ignore: decorator
@inline
function pairAt(table: usize, first: u32, second: u32): bool {
  // Outside ASCII (or a character that lost its high byte) nothing is known: report.
  if (first >= 128 || second >= 128) return true;
  const bit = (first << 7) | second;
  return (load<u8>(table + <usize>(bit >> 3)) & (1 << (bit & 7))) != 0;
}

/** Whether a keyed (multi-character) anchor of the needle at `i` may hold, by its neighbours. */
// @ts-ignore: decorator
@inline
function keyed(text: usize, len: i32, i: i32, base: usize, b: u32, a: u32): bool {
  return (
    (b < 128 && load<u8>(base + b) != 0 && load<u8>(base + BEFORE_NEXT + a) != 0 && pairAt(base + BEFORE_PAIRS, i > 1 ? <u32>load<u8>(text + <usize>(i - 2)) : 0, b)) ||
    (a < 128 && load<u8>(base + 128 + a) != 0 && load<u8>(base + AFTER_PREV + b) != 0 && pairAt(base + AFTER_PAIRS, a, i + 2 < len ? <u32>load<u8>(text + <usize>(i + 2)) : 0))
  );
}

// What check() found, besides where: the one-character anchor of the needle was checked (exact
// text only) and holds, or was checked and fails. Written to the output as state << STATE_SHIFT.
const SINGLE_UNKNOWN: i32 = 1;
const SINGLE_HOLDS: i32 = 2;
const SINGLE_FAILS: i32 = 3;
const STATE_SHIFT: i32 = 28;

/** 0 where no anchor of the needle at `i` can hold, else SINGLE_*. */
// @ts-ignore: decorator
@inline
function check(text: usize, len: i32, i: i32, exact: bool): i32 {
  const c = <u32>load<u8>(text + <usize>i);
  if (c >= 128) return 0;
  const id = <u32>load<u8>(NEEDLE_OF + c);
  if (id == 0) return 0;
  const base = NEEDLES + <usize>(id - 1) * NEEDLE_SIZE;
  const flags = <u32>load<u8>(base + 384);
  if ((flags & UNKEYED) != 0) return SINGLE_UNKNOWN;
  // The bytes just outside the text are 0 (written by the JavaScript side).
  const b = <u32>load<u8>(text + <usize>(i - 1));
  const a = <u32>load<u8>(text + <usize>(i + 1));
  if ((flags & SINGLE) == 0) {
    if (!keyed(text, len, i, base, b, a)) return 0;
    return (flags & ALL_GUARDED) == 0 || guard(text, i) ? SINGLE_UNKNOWN : 0;
  }
  if (!exact) {
    // Without exact characters only the guard can be trusted here; JavaScript checks the rest.
    if (keyed(text, len, i, base, b, a)) return (flags & ALL_GUARDED) == 0 || guard(text, i) ? SINGLE_UNKNOWN : 0;
    return (flags & GUARDED) == 0 || guard(text, i) ? SINGLE_UNKNOWN : 0;
  }
  let holds = true;
  if (b < 128 && a < 128) {
    if ((flags & SKIP) != 0 && load<u8>(base + 256 + b) != 0 && load<u8>(base + 256 + a) != 0) holds = false;
    else if ((flags & NOT_NEAR) != 0 && (load<u8>(base + SINGLE_NOT_PREV + b) != 0 || load<u8>(base + SINGLE_NOT_NEXT + a) != 0)) holds = false;
  }
  let guarded = -1; // the guard's verdict at the needle, once tested
  if (holds && (flags & GUARDED) != 0) {
    guarded = guard(text, i) ? 1 : 0;
    holds = guarded == 1;
  }
  if (holds) return SINGLE_HOLDS;
  // Asked only now: most occurrences of a one-character anchor are settled above without it.
  if (!keyed(text, len, i, base, b, a)) return 0;
  if ((flags & ALL_GUARDED) != 0) {
    if (guarded < 0) guarded = guard(text, i) ? 1 : 0;
    if (guarded == 0) return 0;
  }
  return SINGLE_FAILS;
}

// @ts-ignore: decorator
@inline
function blockHits(at: usize, needleLo: v128, needleHi: v128, prevLo: v128, prevHi: v128, nextLo: v128, nextHi: v128, modeOr: v128, modeAnd: v128, modeNand: v128, modeAll: v128): i32 {
  const needles = classify(v128.load(at), needleLo, needleHi);
  const prev = classify(v128.load(at - 1), prevLo, prevHi);
  const next = classify(v128.load(at + 1), nextLo, nextHi);
  const both = v128.and(prev, next);
  const allowed = v128.or(v128.or(v128.and(v128.or(prev, next), modeOr), v128.and(both, modeAnd)), v128.or(v128.andnot(modeNand, both), modeAll));
  return i8x16.bitmask(i8x16.ne(v128.and(needles, allowed), i8x16.splat(0)));
}

/**
 * Writes the positions worth a look in text[0, len) to out (i32 each, position | state << 28, see
 * SINGLE_*); returns how many. `exact`: every byte is the character (the text is ASCII), so rules
 * that turn a position away for the characters around it (skip-between, not-prev / not-next) may
 * use them.
 */
export function scan(text: usize, len: i32, out: usize, exact: bool): i32 {
  const needleLo = v128.load(NEEDLE_LO);
  const needleHi = v128.load(NEEDLE_HI);
  const prevLo = v128.load(PREV_LO);
  const prevHi = v128.load(PREV_HI);
  const nextLo = v128.load(NEXT_LO);
  const nextHi = v128.load(NEXT_HI);
  const modeOr = v128.load(MODE_OR);
  const modeAnd = v128.load(MODE_AND);
  const modeNand = exact ? v128.load(MODE_NAND) : i8x16.splat(0);
  const modeAll = v128.load(exact ? MODE_ALL : LOOSE_ALL);
  // First the candidates, in order, into `out`; then the checks, compacting `out` in place (a hit is
  // never stored past its candidate). Decoding four candidates per round unconditionally, before any
  // branch on how many there are, spares most rounds a mispredicted loop exit.
  let m = 0;
  let i = 0;
  for (; i + 64 <= len; i += 64) {
    const at = text + <usize>i;
    let bits: u64 =
      <u64>(<u32>blockHits(at, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll)) |
      (<u64>(<u32>blockHits(at + 16, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll)) << 16) |
      (<u64>(<u32>blockHits(at + 32, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll)) << 32) |
      (<u64>(<u32>blockHits(at + 48, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll)) << 48);
    const count = <i32>popcnt(bits);
    const to = out + (<usize>m << 2);
    store<i32>(to, i + <i32>ctz(bits));
    bits &= bits - 1;
    store<i32>(to + 4, i + <i32>ctz(bits));
    bits &= bits - 1;
    store<i32>(to + 8, i + <i32>ctz(bits));
    bits &= bits - 1;
    store<i32>(to + 12, i + <i32>ctz(bits));
    bits &= bits - 1;
    let k = m + 4;
    while (bits != 0) {
      store<i32>(out + (<usize>k << 2), i + <i32>ctz(bits));
      bits &= bits - 1;
      k++;
    }
    m += count;
  }
  for (; i + 16 <= len; i += 16) {
    let bits = blockHits(text + <usize>i, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll);
    while (bits != 0) {
      store<i32>(out + (<usize>m << 2), i + ctz(bits));
      bits &= bits - 1;
      m++;
    }
  }
  if (i < len) {
    // The last, partial block: its lanes past the text are masked off (the byte after the text is
    // 0, as the checks read it), so the tail is classified like the rest instead of every position
    // in it going to the checks.
    let bits = blockHits(text + <usize>i, needleLo, needleHi, prevLo, prevHi, nextLo, nextHi, modeOr, modeAnd, modeNand, modeAll) & ((1 << (len - i)) - 1);
    while (bits != 0) {
      store<i32>(out + (<usize>m << 2), i + ctz(bits));
      bits &= bits - 1;
      m++;
    }
  }
  let n = 0;
  for (let k = 0; k < m; k++) {
    const hit = load<i32>(out + (<usize>k << 2));
    const state = check(text, len, hit, exact);
    if (state != 0) {
      store<i32>(out + (<usize>n << 2), hit | (state << STATE_SHIFT));
      n++;
    }
  }
  return n;
}
