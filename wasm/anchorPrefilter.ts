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

// Memory layout, in bytes. Configuration lives from CONFIG (past AssemblyScript's own static data),
// the text and the output are placed by the JavaScript side past CONFIG_END.
const CONFIG: usize = 65536;
// Shufti tables: a byte is a needle when LO[byte & 15] & HI[byte >> 4] != 0. Needles are grouped in
// buckets by their high nibble, so the classification is exact for ASCII needles.
const LO: usize = CONFIG;
const HI: usize = CONFIG + 16;
// Per needle (at most MAX_NEEDLES), NEEDLE_SIZE bytes: before-neighbour table [128], after-neighbour
// table [128], skip-between table [128], flags [1] at 384; from 512 a bit table of the two characters
// before (index (i-2)*128 + (i-1)), from 2560 one of the two after ((i+1)*128 + (i+2)).
const NEEDLE_OF: usize = CONFIG + 32; // [128]: ASCII code → needle number + 1, 0 for none
const NEEDLES: usize = CONFIG + 160;
const NEEDLE_SIZE: usize = 4608;
const BEFORE_PAIRS: usize = 512;
const AFTER_PAIRS: usize = 2560;
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

// Flags of a needle.
const SINGLE: u32 = 1; // the needle is an anchor by itself
const SKIP: u32 = 2; // …except between two characters of its skip table
const GUARDED: u32 = 4; // …and only where the name guard holds
const UNKEYED: u32 = 8; // some anchor of this needle can't be told by a neighbour: report all
const ALL_GUARDED: u32 = 16; // every anchor of this needle holds only where the guard does, at the needle

export function configEnd(): usize {
  return GUARD_STEP + MAX_STATES * 256 * 2;
}

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
  let s: u32 = 0;
  for (let j = end - 1; j >= nameFloor; j--) {
    const next = <u32>load<u16>(GUARD_STEP + ((((<usize>s) << 8) | <usize>load<u8>(text + <usize>j)) << 1));
    if (next >= ACCEPT) return next != STOP;
    s = next;
  }
  return false;
}

// @ts-ignore: decorator
@inline
function pairAt(table: usize, first: u32, second: u32): bool {
  // Outside ASCII (or a character that lost its high byte) nothing is known: report.
  if (first >= 128 || second >= 128) return true;
  const bit = (first << 7) | second;
  return (load<u8>(table + <usize>(bit >> 3)) & (1 << (bit & 7))) != 0;
}

// @ts-ignore: decorator
@inline
function check(text: usize, len: i32, i: i32): bool {
  const c = <u32>load<u8>(text + <usize>i);
  if (c >= 128) return false;
  const id = <u32>load<u8>(NEEDLE_OF + c);
  if (id == 0) return false;
  const base = NEEDLES + <usize>(id - 1) * NEEDLE_SIZE;
  const flags = <u32>load<u8>(base + 384);
  if ((flags & UNKEYED) != 0) return true;
  const b = i > 0 ? <u32>load<u8>(text + <usize>(i - 1)) : 0;
  const a = i + 1 < len ? <u32>load<u8>(text + <usize>(i + 1)) : 0;
  if ((b < 128 && load<u8>(base + b) != 0 && pairAt(base + BEFORE_PAIRS, i > 1 ? <u32>load<u8>(text + <usize>(i - 2)) : 0, b)) ||
      (a < 128 && load<u8>(base + 128 + a) != 0 && pairAt(base + AFTER_PAIRS, a, i + 2 < len ? <u32>load<u8>(text + <usize>(i + 2)) : 0))) {
    return (flags & ALL_GUARDED) == 0 || guard(text, i);
  }
  if ((flags & SINGLE) == 0) return false;
  if ((flags & SKIP) != 0 && b < 128 && a < 128 && load<u8>(base + 256 + b) != 0 && load<u8>(base + 256 + a) != 0) return false;
  if ((flags & GUARDED) != 0) return guard(text, i);
  return true;
}

/** Writes the positions worth a look in text[0, len) to out (i32 each); returns how many. */
export function scan(text: usize, len: i32, out: usize): i32 {
  const lo = v128.load(LO);
  const hi = v128.load(HI);
  const nibble = i8x16.splat(0x0f);
  const zero = i8x16.splat(0);
  let n = 0;
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const v = v128.load(text + <usize>i);
    const cls = v128.and(i8x16.swizzle(lo, v128.and(v, nibble)), i8x16.swizzle(hi, i8x16.shr_u(v, 4)));
    let bits = i8x16.bitmask(i8x16.ne(cls, zero));
    while (bits != 0) {
      const at = i + ctz(bits);
      bits &= bits - 1;
      if (check(text, len, at)) {
        store<i32>(out + (<usize>n << 2), at);
        n++;
      }
    }
  }
  for (; i < len; i++) {
    if (check(text, len, i)) {
      store<i32>(out + (<usize>n << 2), i);
      n++;
    }
  }
  return n;
}
