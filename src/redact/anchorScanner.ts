/**
 * The prefilter: finds every position where an anchor (a detector's literal, a dynamic secret)
 * occurs, in a few linear scans, so detectors run only there and never over the whole text.
 *
 * A single regex alternation of all anchors is slow in V8 (it tries the alternatives at every
 * position: several ns per character), while `indexOf` of one character is a memchr-like search,
 * fastest for characters that are rare in ordinary text. So each anchor is assigned one "needle"
 * character it contains, as rare as possible (`eyJ` → J, `AKIA` → K, `ghp_` → _, `://` → :), and
 * anchors share needles where they can. Each needle is found with `indexOf`; at each hit only the
 * anchors whose neighbouring character matches the text are compared. Anchors made only of common
 * letters (a dynamic secret like `reassertion`) share one regex alternation instead, which is
 * cheaper than scanning for `e`.
 */

/**
 * Printable ASCII from rarest to most common in source code, logs and prose, measured as
 * `indexOf` cost per MB on TypeScript sources, Markdown and a lockfile.
 */
const RANK = '~Z%^\\QX@YG+VH$?z<qUWK|JB!LR>7OMN8&jF9ID5P6A4]3[}{CETk;-*#xS`w21=:0v\')_b/y.,fghm"(updclonrsiate';
/** Needles at or after this rank cost more than the fallback alternation. */
const COMMON_FROM = RANK.indexOf('f');

export interface AnchorOwner<T> {
  readonly anchor: string;
  readonly owner: T;
}

interface Entry<T> {
  readonly anchor: string;
  /** Index of the needle character within the anchor. */
  readonly offset: number;
  readonly owner: T;
}

interface NeedleIndex<T> {
  readonly needle: string;
  /** Anchors that cannot be told apart by a neighbour (the needle alone, non-ASCII neighbours). */
  readonly unkeyed: Entry<T>[];
  /** Anchors keyed by the character just before the needle. */
  readonly before: (Entry<T>[] | undefined)[];
  /** Anchors that start with the needle, keyed by the character just after it. */
  readonly after: (Entry<T>[] | undefined)[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function rankOf(c: string): number {
  const r = RANK.indexOf(c);
  return r < 0 ? RANK.length : r;
}

export class AnchorScanner<T> {
  private readonly needles: NeedleIndex<T>[] = [];
  private readonly literals: RegExp | null;
  /** For each literal the regex can report: owners of it and of every anchor that is its prefix. */
  private readonly literalOwners = new Map<string, AnchorOwner<T>[]>();

  /** Anchors listed first claim needles first; later ones reuse them where they can. */
  constructor(anchors: readonly AnchorOwner<T>[]) {
    const literal: AnchorOwner<T>[] = [];
    for (const a of anchors) {
      if (a.anchor.length === 0) throw new Error('empty anchor');
      const needle = this.chooseNeedle(a.anchor);
      if (needle === undefined) {
        literal.push(a);
        continue;
      }
      this.add(needle, a);
    }
    const distinct = [...new Set(literal.map((a) => a.anchor))].sort((x, y) => y.length - x.length);
    for (const l of distinct) this.literalOwners.set(l, literal.filter((a) => l.startsWith(a.anchor)));
    // Longest first: at one position the regex reports the longest anchor, and the owners of its
    // prefixes come along through literalOwners.
    this.literals = distinct.length === 0 ? null : new RegExp(distinct.map(escapeRegExp).join('|'), 'g');
  }

  /** The anchor's rarest character, or a rare-enough one some earlier anchor already scans for. */
  private chooseNeedle(anchor: string): string | undefined {
    let best: string | undefined;
    let bestUsed: string | undefined;
    for (const c of anchor) {
      const r = rankOf(c);
      if (r >= COMMON_FROM) continue;
      if (best === undefined || r < rankOf(best)) best = c;
      if (this.needles.some((n) => n.needle === c) && (bestUsed === undefined || r < rankOf(bestUsed))) bestUsed = c;
    }
    return bestUsed ?? best;
  }

  private add(needle: string, a: AnchorOwner<T>): void {
    let index = this.needles.find((n) => n.needle === needle);
    if (index === undefined) {
      index = { needle, unkeyed: [], before: new Array(128), after: new Array(128) };
      this.needles.push(index);
    }
    const offset = a.anchor.indexOf(needle);
    const entry: Entry<T> = { anchor: a.anchor, offset, owner: a.owner };
    const key = offset > 0 ? a.anchor.charCodeAt(offset - 1) : a.anchor.length > 1 ? a.anchor.charCodeAt(1) : 128;
    if (key >= 128) {
      index.unkeyed.push(entry);
      return;
    }
    const table = offset > 0 ? index.before : index.after;
    const list = table[key];
    if (list === undefined) table[key] = [entry];
    else list.push(entry);
  }

  /** Calls `visit` for every occurrence of every anchor (grouped by needle, not in text order). */
  scan(text: string, visit: (owner: T, at: number, anchor: string) => void): void {
    for (const n of this.needles) {
      const { needle, unkeyed, before, after } = n;
      for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
        for (let k = 0; k < unkeyed.length; k++) {
          const e = unkeyed[k] as Entry<T>;
          const start = i - e.offset;
          // A one-character anchor is the needle itself: nothing left to compare.
          if (e.anchor.length === 1 || (start >= 0 && text.startsWith(e.anchor, start))) visit(e.owner, start, e.anchor);
        }
        const b = i > 0 ? text.charCodeAt(i - 1) : 128;
        const beforeList = b < 128 ? before[b] : undefined;
        if (beforeList !== undefined) {
          for (const e of beforeList) {
            const start = i - e.offset;
            if (start >= 0 && text.startsWith(e.anchor, start)) visit(e.owner, start, e.anchor);
          }
        }
        const c = i + 1 < text.length ? text.charCodeAt(i + 1) : 128;
        const afterList = c < 128 ? after[c] : undefined;
        if (afterList !== undefined) {
          for (const e of afterList) {
            if (text.startsWith(e.anchor, i)) visit(e.owner, i, e.anchor);
          }
        }
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
