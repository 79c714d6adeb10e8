/**
 * How the WebAssembly prefilter's block classification groups needles: the kernel classifies each
 * byte, the byte before and the byte after into 8 buckets at once (shufti tables), so with more
 * needles than buckets some share one, and a bucket's neighbour classes are the union of its
 * needles'. Each needle gets the tightest rule its anchors allow, and needles are merged where that
 * lets the fewest extra occurrences through to the kernel's scalar checks (about 18 ns each).
 */
import type { PrefilterNeedle } from './anchorPrefilter';

/** Buckets of the kernel's classification (one bit of a byte each). */
export const BUCKETS = 8;

/** Per byte, how often it occurs in text (any unit): what a class letting it through costs. */
export type ByteFrequencies = Float64Array;

type Mode = 'or' | 'and' | 'nand' | 'all';

/**
 * How the block classification tells a needle's occurrences worth a check: by the byte before
 * (`prev`) and after (`next`), per byte 0/1. `or`: either is in its set; `and`: both are; `nand`:
 * not both (skip-between); `all`: every occurrence.
 */
export interface Rule {
  readonly mode: Mode;
  readonly prev: Uint8Array;
  readonly next: Uint8Array;
}

export interface Bucket {
  readonly codes: number[];
  readonly rule: Rule;
  readonly weight: number;
}

const ALL_RULE: Rule = { mode: 'all', prev: new Uint8Array(256), next: new Uint8Array(256) };

function bytesOf(ascii: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(256);
  bytes.set(ascii.subarray(0, 128));
  return bytes;
}

function disjoint(x: Uint8Array, y: Uint8Array): boolean {
  return x.every((v, k) => v === 0 || y[k] === 0);
}

function union(x: Uint8Array, y: Uint8Array): Uint8Array {
  return x.map((v, k) => v | (y[k] as number));
}

/** A superset of the occurrences `check` in the kernel can accept, by their two neighbours. */
function ruleOf(n: PrefilterNeedle, frequencies: ByteFrequencies): Rule {
  if (n.unkeyed) return ALL_RULE;
  const keysBefore = bytesOf(n.before);
  const keysAfter = bytesOf(n.after);
  const hasBefore = keysBefore.some((v) => v === 1);
  const hasAfter = keysAfter.some((v) => v === 1);
  if (n.single) {
    if (n.skipBetween === null) return ALL_RULE;
    const skip = bytesOf(n.skipBetween);
    // Keyed anchors of the needle must never sit between two skip characters themselves.
    const keyedOutside =
      (!hasBefore || disjoint(keysBefore, skip) || disjoint(n.beforeNext, skip)) && (!hasAfter || disjoint(n.afterPrev, skip) || disjoint(keysAfter, skip));
    return keyedOutside ? { mode: 'nand', prev: skip, next: skip } : ALL_RULE;
  }
  if (hasBefore && hasAfter) {
    // Either key, or the byte before alone, or the byte after alone (each anchor holds one of them).
    const options: Rule[] = [
      { mode: 'or', prev: keysBefore, next: keysAfter },
      { mode: 'or', prev: union(keysBefore, n.afterPrev), next: new Uint8Array(256) },
      { mode: 'or', prev: new Uint8Array(256), next: union(n.beforeNext, keysAfter) },
    ];
    return options.reduce((best, r) => (admitted(r, frequencies) < admitted(best, frequencies) ? r : best));
  }
  if (hasBefore) return { mode: 'and', prev: keysBefore, next: n.beforeNext };
  if (hasAfter) return { mode: 'and', prev: n.afterPrev, next: keysAfter };
  return ALL_RULE;
}


/** The share of characters (by frequency) a shufti class of `member`'s bytes takes in. */
function classShare(member: (c: number) => boolean, frequencies: ByteFrequencies): number {
  let lo = 0;
  let hi = 0;
  for (let c = 0; c < 256; c++) {
    if (!member(c)) continue;
    lo |= 1 << (c & 15);
    hi |= 1 << (c >> 4);
  }
  let taken = 0;
  let total = 0;
  for (let c = 0; c < 256; c++) {
    const f = frequencies[c] as number;
    total += f;
    if ((lo & (1 << (c & 15))) !== 0 && (hi & (1 << (c >> 4))) !== 0) taken += f;
  }
  return total === 0 ? 1 : taken / total;
}

function mergeRules(x: Rule, y: Rule, frequencies: ByteFrequencies): Rule {
  if (x.mode === 'all' || y.mode === 'all' || x.mode === 'nand' || y.mode === 'nand') return ALL_RULE;
  if (x.mode === y.mode) return { mode: x.mode, prev: union(x.prev, y.prev), next: union(x.next, y.next) };
  // An `and` joins an `or` by one side, the narrower (both sides hold where it lets through).
  const [and, or] = x.mode === 'and' ? [x, y] : [y, x];
  const byPrev = classShare((c) => and.prev[c] === 1, frequencies) <= classShare((c) => and.next[c] === 1, frequencies);
  return { mode: 'or', prev: byPrev ? union(or.prev, and.prev) : or.prev, next: byPrev ? or.next : union(or.next, and.next) };
}

/** The share of a needle's occurrences a rule lets through, if neighbours were independent. */
function admitted(rule: Rule, frequencies: ByteFrequencies): number {
  if (rule.mode === 'all') return 1;
  // A skip-between rule is there for the needle's most common context (`12:34` for `:`).
  if (rule.mode === 'nand') return 0.5;
  const prev = classShare((c) => rule.prev[c] === 1, frequencies);
  const next = classShare((c) => rule.next[c] === 1, frequencies);
  return rule.mode === 'and' ? prev * next : Math.min(1, prev + next);
}

/** How many occurrences a bucket is expected to let through: its needles' and its class's strays'. */
function bucketCost(b: Bucket, frequencies: ByteFrequencies): number {
  const strays = classShare((c) => b.codes.includes(c), frequencies) * frequencies.reduce((sum, f) => sum + f, 0) - b.weight;
  return (b.weight + Math.max(0, strays)) * admitted(b.rule, frequencies);
}

/**
 * Needles grouped into the kernel's 8 buckets: greedily, the two buckets whose merging adds the
 * least expected cost (occurrences let through by the merged, looser classes).
 */
export function bucketsOf(needles: readonly PrefilterNeedle[], frequencies: ByteFrequencies): Bucket[] {
  const buckets: Bucket[] = needles.map((n) => ({ codes: [n.code], rule: ruleOf(n, frequencies), weight: frequencies[n.code] as number }));
  while (buckets.length > BUCKETS) {
    let best: [number, number] = [0, 1];
    let bestCost = Infinity;
    let bestBucket: Bucket | undefined;
    for (let x = 0; x < buckets.length; x++) {
      for (let y = x + 1; y < buckets.length; y++) {
        const bx = buckets[x] as Bucket;
        const by = buckets[y] as Bucket;
        const merged: Bucket = { codes: [...bx.codes, ...by.codes], rule: mergeRules(bx.rule, by.rule, frequencies), weight: bx.weight + by.weight };
        const cost = bucketCost(merged, frequencies) - bucketCost(bx, frequencies) - bucketCost(by, frequencies);
        if (cost < bestCost) {
          bestCost = cost;
          best = [x, y];
          bestBucket = merged;
        }
      }
    }
    buckets.splice(best[1], 1);
    buckets[best[0]] = bestBucket as Bucket;
  }
  return buckets;
}
