/**
 * The prefilter: finds every position where an anchor (a detector's literal, a dynamic secret)
 * occurs, in a few linear scans, so detectors run only there and never over the whole text.
 *
 * A single regex alternation of all anchors is slow in V8 (it tries the alternatives at every
 * position: several ns per character), while `indexOf` of one character is a memchr-like search,
 * fastest for characters that are rare in ordinary text. So each anchor is assigned one "needle"
 * character it contains, and the needles are chosen for all anchors together to keep the passes
 * few and their hits rare (`ghp_` → _, `AKIA` and `AIza` → A, `SG.` and `SK` → S, `://` → the `:`
 * scanned for anyway; never a digit, which hashes and timestamps are full of). Each needle is found
 * with `indexOf` (≈ 10 ns per hit, plus a fixed cost per pass); at each hit one table load on each
 * neighbouring character turns away hits no anchor of that needle can continue, and only the
 * remaining anchors are compared. Anchors made only of common letters (a dynamic secret like
 * `reassertion`) share one regex alternation instead, which is cheaper than scanning for `e`.
 */

import {
  AnchorPrefilter,
  HIT_POSITION,
  HIT_STATE_SHIFT,
  PREFILTER_MAX_TEXT,
  SINGLE_HOLDS,
  SINGLE_UNKNOWN,
  type PrefilterNeedle,
} from './anchorPrefilter';
import type { NameGuard } from './nameGuard';

/**
 * Shorter texts are scanned with `indexOf` passes: copying into WebAssembly and the call cost more
 * than the passes save.
 */
const PREFILTER_MIN_TEXT = 256;

/**
 * How often each printable ASCII character occurs, per 100,000 characters, in a mix of what the
 * redactor sees: source files, logs with hashes and timestamps, git output, JSON API responses and
 * lockfiles. Every occurrence of a needle costs one `indexOf` step (≈ 10 ns), so needles are chosen
 * to keep the total number of occurrences low.
 */
const FREQUENCY =
  '%:1 #:2 ~:2 &:16 ^:19 |:32 \\:45 @:45 !:49 <:85 ?:98 $:100 ]:113 [:114 X:119 Y:124 Q:132 V:142 `:144 ' +
  'H:146 L:147 K:152 J:153 +:159 >:165 *:180 F:194 M:201 G:206 C:207 W:227 U:229 z:237 I:264 N:268 j:271 ' +
  "P:289 B:295 A:313 q:318 O:342 _:346 ':359 Z:380 S:383 D:385 ;:404 E:453 x:455 }:460 {:460 k:471 R:520 " +
  'T:564 w:571 =:601 v:725 y:779 ):779 (:779 g:851 ,:852 8:891 7:893 3:974 b:984 h:1038 4:1065 9:1132 ' +
  '6:1191 /:1318 5:1343 f:1474 l:1474 m:1481 u:1521 -:1545 p:1555 1:1698 2:1725 .:1767 ::1890 c:1994 ' +
  '":2217 d:2362 i:2609 n:2780 0:3098 o:3216 a:3345 s:3800 r:4140 t:4314 e:6610';
const FREQ = new Float64Array(128).fill(Infinity);
for (const pair of FREQUENCY.split(' ')) FREQ[pair.charCodeAt(0)] = Number(pair.slice(pair.lastIndexOf(':') + 1));
/**
 * Characters at least this common are needles only for an anchor made of nothing else (`:`);
 * other anchors made only of such characters share one regex alternation instead.
 */
const COMMON = 1800;
/** What one `indexOf` pass over a text costs besides its hits, in the same unit. */
const PASS_COST = 250;

/**
 * FREQ for every byte, as the kernel groups needles by how many occurrences their neighbour classes
 * let through: whitespace (not a needle candidate, so not in FREQUENCY) counted, the rest rare.
 */
const BYTE_FREQ = new Float64Array(256).fill(1);
for (let c = 0; c < 128; c++) if (Number.isFinite(FREQ[c])) BYTE_FREQ[c] = FREQ[c] as number;
BYTE_FREQ[32] = 12000;
BYTE_FREQ[10] = 2500;
BYTE_FREQ[9] = 300;

function freqOf(c: number): number {
  return c < 128 ? (FREQ[c] as number) : Infinity;
}

export interface AnchorOwner<T> {
  readonly anchor: string;
  readonly owner: T;
  /**
   * One-character anchors only: occurrences with a character of this set on both sides are not
   * reported (`12:34` for `:`, which times, ports and line:column positions are full of).
   */
  readonly skipBetween?: string;
  /** Occurrences where this guard fails are not reported (a detector's cheap name check). */
  readonly guard?: NameGuard;
  /** What the owner requires of the characters around the anchor (see AnchorNeighbours). */
  readonly neighbours?: AnchorNeighbours;
}

/**
 * Characters an owner never accepts (or only accepts) right before and right after its anchor;
 * `\0` stands for the start or end of the text. Occurrences failing these are not reported, and
 * the WebAssembly prefilter uses them to turn most occurrences of common needles away in bulk.
 */
export interface AnchorNeighbours {
  readonly notAfter?: string;
  readonly notBefore?: string;
  readonly onlyAfter?: string;
  readonly onlyBefore?: string;
}

interface Entry<T> {
  readonly anchor: string;
  /** Index of the needle character within the anchor. */
  readonly offset: number;
  readonly owner: T;
  /** ASCII table of `skipBetween`, or null. */
  readonly skipBetween: Uint8Array | null;
  /**
   * A third character to compare before the whole anchor (the neighbour key and the needle are
   * already known to match), relative to the anchor's start: most keyed candidates fail here
   * without a call. -1 when the anchor has no such character.
   */
  readonly probe: number;
  readonly probeCode: number;
  /**
   * The needle, the neighbour key and the probe are all of the anchor (`://`, `-p`): once they
   * match, comparing the whole anchor again would tell nothing new.
   */
  readonly covered: boolean;
  readonly guard: NameGuard | null;
  /** ASCII tables of the owner's neighbours (null: no such rule). */
  readonly notAfter: Uint8Array | null;
  readonly notBefore: Uint8Array | null;
  readonly onlyAfter: Uint8Array | null;
  readonly onlyBefore: Uint8Array | null;
}

interface NeedleIndex<T> {
  readonly needle: string;
  /** One-character anchors: the needle itself. */
  readonly single: Entry<T>[];
  /** Anchors that cannot be told apart by a neighbour (non-ASCII neighbours). */
  readonly unkeyed: Entry<T>[];
  /** Anchors keyed by the character just before the needle. */
  readonly before: (Entry<T>[] | undefined)[];
  /** Anchors that start with the needle, keyed by the character just after it. */
  readonly after: (Entry<T>[] | undefined)[];
  /** 1 where `before` / `after` has a list: one load rejects most hits. */
  readonly beforeMask: Uint8Array;
  readonly afterMask: Uint8Array;
  /** The kernel tests exactly the rules of `single` (set with the prefilter). */
  kernelTestsSingles: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function asciiTable(chars: string | undefined): Uint8Array | null {
  if (chars === undefined) return null;
  const table = new Uint8Array(128);
  for (let k = 0; k < chars.length; k++) {
    const c = chars.charCodeAt(k);
    if (c < 128) table[c] = 1;
  }
  return table;
}

/** Whether the characters around an occurrence of `e` at `start` pass its owner's neighbour rules. */
function neighboursFit<T>(e: Entry<T>, text: string, start: number): boolean {
  const end = start + e.anchor.length;
  const prev = start > 0 ? text.charCodeAt(start - 1) : 0;
  const next = end < text.length ? text.charCodeAt(end) : 0;
  if (e.notAfter !== null && prev < 128 && e.notAfter[prev] === 1) return false;
  if (e.notBefore !== null && next < 128 && e.notBefore[next] === 1) return false;
  if (e.onlyAfter !== null && (prev >= 128 || e.onlyAfter[prev] !== 1)) return false;
  if (e.onlyBefore !== null && (next >= 128 || e.onlyBefore[next] !== 1)) return false;
  return true;
}

/**
 * For each anchor, the needle it is found by (undefined: only common characters, left to the
 * regex alternation). A one-character anchor is its own needle, whatever its frequency.
 *
 * This is a small weighted set cover: a pass costs a fixed amount plus its hits, so a greedy pick
 * (most anchors covered per cost) is followed by swaps where one character can replace several
 * chosen ones (`.` for the `v` of `hvs.`, the `y` of `ya29.` and the `G` of `SG.`).
 */
function selectJointly(anchors: readonly string[]): Set<number> {
  const forced = new Set<number>();
  for (const a of anchors) if (a.length === 1 && a.charCodeAt(0) < 128) forced.add(a.charCodeAt(0));
  const chosen = new Set(forced);
  const cost = (c: number): number => freqOf(c) + PASS_COST;
  const options = anchors.map((a) => {
    const cs: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if ((freqOf(c) < COMMON || forced.has(c)) && !cs.includes(c)) cs.push(c);
    }
    return cs;
  });
  const covered = (cs: readonly number[]): boolean => cs.some((c) => chosen.has(c));
  for (;;) {
    const open = options.filter((cs) => cs.length > 0 && !covered(cs));
    if (open.length === 0) break;
    let best = -1;
    let bestScore = 0;
    for (let c = 0; c < 128; c++) {
      const n = open.filter((cs) => cs.includes(c)).length;
      if (n > 0 && n / cost(c) > bestScore) {
        best = c;
        bestScore = n / cost(c);
      }
    }
    chosen.add(best);
  }
  /** Chosen needles (not forced) that no anchor needs once `extra` is chosen too. */
  const redundantWith = (extra: number): number[] => {
    const dropped: number[] = [];
    for (const d of [...chosen].sort((x, y) => cost(y) - cost(x))) {
      if (forced.has(d) || d === extra) continue;
      const needed = options.some((cs) => cs.includes(d) && !cs.some((e) => e !== d && (e === extra || (chosen.has(e) && !dropped.includes(e)))));
      if (!needed) dropped.push(d);
    }
    return dropped;
  };
  for (let improved = true; improved; ) {
    improved = false;
    for (let c = 0; c < 128; c++) {
      if (chosen.has(c) || !options.some((cs) => cs.includes(c))) continue;
      const dropped = redundantWith(c);
      if (dropped.reduce((sum, d) => sum + cost(d), 0) > cost(c)) {
        for (const d of dropped) chosen.delete(d);
        chosen.add(c);
        improved = true;
      }
    }
  }
  for (const d of redundantWith(-1)) chosen.delete(d);
  return chosen;
}

/** Characters of `anchor` that may be its needle, given the one-character anchors. */
function candidatesOf(anchor: string, forced: ReadonlySet<number>): number[] {
  const cs: number[] = [];
  for (let i = 0; i < anchor.length; i++) {
    const c = anchor.charCodeAt(i);
    if ((freqOf(c) < COMMON || forced.has(c)) && !cs.includes(c)) cs.push(c);
  }
  return cs;
}

/** Needles chosen jointly for a settled list of anchors (the built-ins), by the list. */
const settledNeedles = new Map<string, Set<number>>();

/**
 * The needle of each anchor. The first `settled` anchors (the built-ins) get needles chosen
 * jointly, once per list; the rest (dynamic secrets, which change) reuse those needles where they
 * contain one and otherwise add the cheapest-per-anchor characters greedily.
 */
function chooseNeedles(anchors: readonly string[], settled: number): (string | undefined)[] {
  const fixed = anchors.slice(0, settled);
  const key = fixed.join('\u0000');
  let base = settledNeedles.get(key);
  if (base === undefined) {
    base = selectJointly(fixed);
    if (settledNeedles.size >= 8) settledNeedles.clear();
    settledNeedles.set(key, base);
  }
  const chosen = new Set(base);
  for (const a of anchors) if (a.length === 1 && a.charCodeAt(0) < 128) chosen.add(a.charCodeAt(0));
  const options = anchors.map((a) => candidatesOf(a, chosen));
  for (;;) {
    const counts = new Float64Array(128);
    let open = false;
    for (const cs of options) {
      if (cs.length === 0 || cs.some((c) => chosen.has(c))) continue;
      open = true;
      for (const c of cs) counts[c] = (counts[c] as number) + 1;
    }
    if (!open) break;
    let best = -1;
    for (let c = 0; c < 128; c++) {
      const n = counts[c] as number;
      if (n > 0 && (best < 0 || n / (freqOf(c) + PASS_COST) > (counts[best] as number) / (freqOf(best) + PASS_COST))) best = c;
    }
    chosen.add(best);
  }
  return options.map((cs) => {
    let best: number | undefined;
    for (const c of cs) if (chosen.has(c) && (best === undefined || freqOf(c) < freqOf(best))) best = c;
    return best === undefined ? undefined : String.fromCharCode(best);
  });
}

/** Sets the bit of (first, second) in a 128 × 128 bit table; `second` -1 sets the whole row. */
function setPair(table: Uint8Array, first: number, second: number): void {
  if (first >= 128 || second >= 128) return;
  for (let c = second < 0 ? 0 : second; c <= (second < 0 ? 127 : second); c++) {
    const bit = (first << 7) | c;
    table[bit >> 3] = (table[bit >> 3] as number) | (1 << (bit & 7));
  }
}

/** What the WebAssembly prefilter needs to know of a needle to report a superset of its hits. */
function prefilterNeedle<T>(n: NeedleIndex<T>): PrefilterNeedle {
  const first = n.single[0];
  // Singles sharing one skip table / guard are filtered by it in the kernel; otherwise the kernel
  // reports every occurrence and the checks here sort them out.
  const skipBetween = first !== undefined && n.single.every((e) => sameTable(e.skipBetween, first.skipBetween)) ? first.skipBetween : null;
  const guard = first !== undefined && n.single.every((e) => e.guard === first.guard) ? first.guard : null;
  const beforePairs = new Uint8Array(2048);
  const afterPairs = new Uint8Array(2048);
  const keyed: Entry<T>[] = [];
  for (let key = 0; key < 128; key++) {
    for (const e of n.before[key] ?? []) {
      keyed.push(e);
      // The two characters before the needle: both from the anchor, or any character then the key.
      if (e.offset >= 2) setPair(beforePairs, e.anchor.charCodeAt(e.offset - 2), key);
      else for (let c = 0; c < 128; c++) setPair(beforePairs, c, key);
    }
    for (const e of n.after[key] ?? []) {
      keyed.push(e);
      setPair(afterPairs, key, e.anchor.length - e.offset >= 3 ? e.anchor.charCodeAt(e.offset + 2) : -1);
    }
  }
  // The kernel may test the guard at the needle for every anchor when all are guarded by it and
  // only skippable characters (a closing quote) stand between an anchor's start and the needle.
  const all = [...n.single, ...keyed, ...n.unkeyed];
  const g = all[0]?.guard ?? null;
  const guardAll =
    g !== null && all.every((e) => e.guard === g && [...e.anchor.slice(0, e.offset)].every((ch) => g.skip[ch.charCodeAt(0)] === 1)) ? g : null;
  // The character after the needle where a keyed-before anchor goes on past it (its next
  // character) or ends with it (what its owner allows there); the character before the needle
  // where a keyed-after anchor starts with it. 256 entries: the kernel reads bytes.
  const beforeNext = new Uint8Array(256);
  const afterPrev = new Uint8Array(256);
  for (const e of keyed) {
    if (e.offset > 0) {
      const next = e.offset + 1 < e.anchor.length ? e.anchor.charCodeAt(e.offset + 1) : -1;
      if (next >= 0 && next < 128) beforeNext[next] = 1;
      else allow(beforeNext, next >= 0 ? null : e.onlyBefore);
    } else {
      allow(afterPrev, e.onlyAfter);
    }
  }
  const sharedNotPrev = first !== undefined && n.single.every((e) => sameTable(e.notAfter, first.notAfter));
  const sharedNotNext = first !== undefined && n.single.every((e) => sameTable(e.notBefore, first.notBefore));
  const notPrev = sharedNotPrev ? (first?.notAfter ?? null) : null;
  const notNext = sharedNotNext ? (first?.notBefore ?? null) : null;
  const sharedSkip = first !== undefined && n.single.every((e) => sameTable(e.skipBetween, first.skipBetween));
  return {
    code: n.needle.charCodeAt(0),
    before: n.beforeMask,
    after: n.afterMask,
    single: first !== undefined,
    skipBetween,
    guard,
    unkeyed: n.unkeyed.length > 0,
    beforePairs,
    afterPairs,
    guardAll,
    beforeNext,
    afterPrev,
    singleNotPrev: notPrev,
    singleNotNext: notNext,
    singleRulesShared: sharedNotPrev && sharedNotNext && sharedSkip && (first === undefined || n.single.every((e) => e.guard === first.guard)),
  };
}

/** Adds the characters of an ASCII table to a byte table; null adds every byte. */
function allow(bytes: Uint8Array, table: Uint8Array | null): void {
  if (table === null) bytes.fill(1);
  else for (let c = 0; c < 128; c++) if (table[c] === 1) bytes[c] = 1;
}

function sameTable(x: Uint8Array | null, y: Uint8Array | null): boolean {
  if (x === null || y === null) return x === y;
  return x.every((v, k) => v === y[k]);
}

export class AnchorScanner<T> {
  private readonly needles: NeedleIndex<T>[] = [];
  private readonly literals: RegExp | null;
  /** For each literal the regex can report: owners of it and of every anchor that is its prefix. */
  private readonly literalOwners = new Map<string, AnchorOwner<T>[]>();
  private kernel: AnchorPrefilter | null | undefined;
  /** ASCII code → index in `needles`, -1 for none (filled with the prefilter). */
  private readonly needleByCode = new Int8Array(128).fill(-1);

  /**
   * Needles are chosen for the first `settled` anchors together (see chooseNeedles), so anchors
   * share needles wherever that costs fewer hits; anchors after them reuse those needles.
   */
  /** `kernel` false keeps every scan in JavaScript (to compare the two paths). */
  constructor(
    anchors: readonly AnchorOwner<T>[],
    settled = anchors.length,
    kernel = true,
  ) {
    if (!kernel) this.kernel = null;
    const needles = chooseNeedles(
      anchors.map((a) => a.anchor),
      settled,
    );
    const literal: AnchorOwner<T>[] = [];
    anchors.forEach((a, i) => {
      if (a.anchor.length === 0) throw new Error('empty anchor');
      const needle = needles[i];
      if (needle === undefined) literal.push(a);
      else this.add(needle, a);
    });
    const distinct = [...new Set(literal.map((a) => a.anchor))].sort((x, y) => y.length - x.length);
    for (const l of distinct) this.literalOwners.set(l, literal.filter((a) => l.startsWith(a.anchor)));
    // Longest first: at one position the regex reports the longest anchor, and the owners of its
    // prefixes come along through literalOwners.
    this.literals = distinct.length === 0 ? null : new RegExp(distinct.map(escapeRegExp).join('|'), 'g');
    // Rarest needle first: cheap passes first, the same hits either way.
    this.needles.sort((x, y) => freqOf(x.needle.charCodeAt(0)) - freqOf(y.needle.charCodeAt(0)));
  }

  private add(needle: string, a: AnchorOwner<T>): void {
    let index = this.needles.find((n) => n.needle === needle);
    if (index === undefined) {
      index = {
        needle,
        single: [],
        unkeyed: [],
        before: new Array(128),
        after: new Array(128),
        beforeMask: new Uint8Array(128),
        afterMask: new Uint8Array(128),
        kernelTestsSingles: false,
      };
      this.needles.push(index);
    }
    const offset = a.anchor.indexOf(needle);
    let skipBetween: Uint8Array | null = null;
    if (a.skipBetween !== undefined && a.anchor.length === 1) {
      skipBetween = new Uint8Array(128);
      for (let k = 0; k < a.skipBetween.length; k++) {
        const c = a.skipBetween.charCodeAt(k);
        if (c > 0 && c < 128) skipBetween[c] = 1;
      }
    }
    const keyAt = offset > 0 ? offset - 1 : 1;
    let probe = -1;
    for (let k = a.anchor.length - 1; k >= 0; k--) {
      if (k !== offset && k !== keyAt) {
        probe = k;
        break;
      }
    }
    const probeCode = probe < 0 ? -1 : a.anchor.charCodeAt(probe);
    const near = a.neighbours;
    const entry: Entry<T> = {
      anchor: a.anchor,
      offset,
      owner: a.owner,
      skipBetween,
      probe,
      probeCode,
      covered: a.anchor.length <= 2 || (a.anchor.length === 3 && probe >= 0),
      guard: a.guard ?? null,
      notAfter: asciiTable(near?.notAfter),
      notBefore: asciiTable(near?.notBefore),
      onlyAfter: asciiTable(near?.onlyAfter),
      onlyBefore: asciiTable(near?.onlyBefore),
    };
    if (a.anchor.length === 1) {
      index.single.push(entry);
      return;
    }
    const key = offset > 0 ? a.anchor.charCodeAt(offset - 1) : a.anchor.charCodeAt(1);
    // Keys are ASCII and never 0 (the scan reads 0 past either end of the text).
    if (key >= 128 || key === 0) {
      index.unkeyed.push(entry);
      return;
    }
    const table = offset > 0 ? index.before : index.after;
    (offset > 0 ? index.beforeMask : index.afterMask)[key] = 1;
    const list = table[key];
    if (list === undefined) table[key] = [entry];
    else list.push(entry);
  }

  /**
   * The anchors of needle `n` occurring at its occurrence `i`. `singles` is what the kernel found
   * of the one-character anchors there (SINGLE_*), trusted where it tests exactly their rules.
   */
  private visitAt(n: NeedleIndex<T>, text: string, i: number, visit: (owner: T, at: number, anchor: string) => void, singles: number): void {
    const last = text.length - 1;
    const b = i > 0 ? text.charCodeAt(i - 1) : 0;
    const c = i < last ? text.charCodeAt(i + 1) : 0;
    // A one-character anchor is the needle itself: nothing left to compare.
    const single = n.single;
    const known = singles !== SINGLE_UNKNOWN && n.kernelTestsSingles;
    if (!known || singles === SINGLE_HOLDS) {
      for (let k = 0; k < single.length; k++) {
        const e = single[k] as Entry<T>;
        if (!known) {
          const skip = e.skipBetween;
          if (skip !== null && b < 128 && c < 128 && skip[b] === 1 && skip[c] === 1) continue;
          if (!neighboursFit(e, text, i)) continue;
          if (e.guard !== null && !e.guard.test(text, i)) continue;
        }
        visit(e.owner, i, n.needle);
      }
    }
    // Most hits end here: neither neighbour can continue any anchor of this needle.
    if (b < 128 && n.beforeMask[b] === 1) {
      for (const e of n.before[b] as Entry<T>[]) {
        const start = i - e.offset;
        if (start < 0 || (e.probe >= 0 && text.charCodeAt(start + e.probe) !== e.probeCode)) continue;
        if ((e.covered || text.startsWith(e.anchor, start)) && neighboursFit(e, text, start) && (e.guard === null || e.guard.test(text, start))) visit(e.owner, start, e.anchor);
      }
    }
    if (c < 128 && n.afterMask[c] === 1) {
      for (const e of n.after[c] as Entry<T>[]) {
        if (e.probe >= 0 && text.charCodeAt(i + e.probe) !== e.probeCode) continue;
        if ((e.covered || text.startsWith(e.anchor, i)) && neighboursFit(e, text, i) && (e.guard === null || e.guard.test(text, i))) visit(e.owner, i, e.anchor);
      }
    }
    const unkeyed = n.unkeyed;
    for (let k = 0; k < unkeyed.length; k++) {
      const e = unkeyed[k] as Entry<T>;
      const start = i - e.offset;
      if (start >= 0 && text.startsWith(e.anchor, start) && neighboursFit(e, text, start) && (e.guard === null || e.guard.test(text, start))) visit(e.owner, start, e.anchor);
    }
  }

  /** Built on first use: short texts never need it. Null when WebAssembly can't take these needles. */
  private prefilter(): AnchorPrefilter | null {
    if (this.kernel === undefined) {
      const needles = this.needles.map((n) => prefilterNeedle(n));
      const kernel = AnchorPrefilter.create(needles, BYTE_FREQ);
      this.kernel = kernel;
      this.needles.forEach((n, k) => {
        this.needleByCode[n.needle.charCodeAt(0)] = k;
        const p = needles[k] as PrefilterNeedle;
        // The kernel tests the singles' shared skip, neighbour and guard rules; anything else
        // (rules that differ between them, another guard, onlyAfter/onlyBefore) is left here.
        n.kernelTestsSingles =
          kernel !== null &&
          p.singleRulesShared &&
          (p.guard === null || p.guard === kernel.guard) &&
          n.single.every((e) => e.onlyAfter === null && e.onlyBefore === null);
      });
    }
    return this.kernel;
  }

  /** Calls `visit` for every occurrence of every anchor (in no particular order). */
  scan(text: string, visit: (owner: T, at: number, anchor: string) => void): void {
    const prefilter = this.prefilter();
    if (prefilter !== null && text.length >= PREFILTER_MIN_TEXT && text.length <= PREFILTER_MAX_TEXT) {
      // The kernel reports a superset of what the passes below would look at; each position is
      // re-checked here against the real characters.
      const count = prefilter.scan(text);
      const hits = prefilter.hits;
      const byCode = this.needleByCode;
      for (let k = prefilter.hitsFrom, end = prefilter.hitsFrom + count; k < end; k++) {
        const hit = hits[k] as number;
        const i = hit & HIT_POSITION;
        const c = text.charCodeAt(i);
        const n = c < 128 ? (byCode[c] as number) : -1;
        if (n >= 0) this.visitAt(this.needles[n] as NeedleIndex<T>, text, i, visit, hit >>> HIT_STATE_SHIFT);
      }
    } else {
      const needles = this.needles;
      for (let ni = 0; ni < needles.length; ni++) {
        const n = needles[ni] as NeedleIndex<T>;
        for (let i = text.indexOf(n.needle); i >= 0; i = text.indexOf(n.needle, i + 1)) this.visitAt(n, text, i, visit, SINGLE_UNKNOWN);
      }
    }
    const re = this.literals;
    if (re === null) return;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const owners = this.literalOwners.get(m[0]);
      if (owners !== undefined) for (const o of owners) visit(o.owner, m.index, o.anchor);
      re.lastIndex = m.index + 1;
    }
  }
}
