/**
 * A cheap test the anchor scanner runs before handing a separator to a detector: could the name
 * just before this position be a secret's name? Most `=` and `:` in code, JSON and logs follow
 * names like `id`, `options`, `"created_at"` or `password.js`, and turning them away here, with one
 * table load per character and no call into the detector, is what keeps the assignment detectors
 * cheap on ordinary text. It must never turn away a position its detector would accept, so it is a
 * superset of the detectors' own name checks (see assignmentDetector).
 *
 * A secret's name ends with a secret word (`DB_PASSWORD`, `apiKey`), possibly followed by words
 * that do not change what it names (`GITHUB_TOKEN_PROD`, `secretValue`, `KEY_V2`), or holds one
 * of a few words anywhere (`TWILIO_SID`). The name is read backwards through a small automaton
 * over its letters and digits, ignoring case and word separators, so most names are turned away
 * after their last word: `created_at` at `ta`, `password.js` at `sj`.
 */
import { charTable } from './detector';

export interface NameGuardSpec {
  /** Lower-case words (letters, digits) a name may end with: a position passes where one does. */
  readonly endings: readonly string[];
  /** Lower-case words that may follow the ending; numbers (and a `v` before them) always may. */
  readonly suffixes: readonly string[];
  /** Lower-case words that pass a name wherever they occur in it. */
  readonly anywhere: readonly string[];
  /** Characters a name is made of: reading back stops at the first other character. */
  readonly nameChars: string;
  /** Name characters between words (`_`, `-`, `.`), passed over wherever they occur. */
  readonly separators: string;
  /** Characters between the name and the position (closing quotes, spaces, `]`), skipped first. */
  readonly skipBefore: string;
  readonly maxSkip: number;
  /** How many name characters are read back at most: the ending must lie within them. */
  readonly maxName: number;
}

/** Symbols of the automaton: 26 letters (either case) and 10 digits. */
const LETTERS = 26;
const SYMBOLS = 36;

function symbolOf(c: number): number {
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 48 && c <= 57) return LETTERS + c - 48;
  return -1;
}

interface Node {
  readonly next: Map<number, number>;
  /** Completes a suffix word (back to the start state) / an ending / an anywhere word. */
  suffix: boolean;
  ending: boolean;
}

export class NameGuard {
  /** 1 for each ASCII character skipped before the name. */
  readonly skip: Uint8Array;
  /** `step[state * 128 + code]`: the next state, -1 to stop (also loaded into the WebAssembly prefilter). */
  readonly step: Int16Array;
  /** 1 where a secret name has been read. */
  readonly accept: Uint8Array;
  /**
   * The same automaton without the anywhere words, which stops at most names' last word (the one
   * above reads every name to its start, looking for them): where the first two letters of the one
   * anywhere word `anywherePair` are not in the name, both decide alike. Used by the prefilter.
   */
  readonly endings: { readonly step: Int16Array; readonly accept: Uint8Array };
  /** Lower case; '' when there are several anywhere words or none. */
  readonly anywherePair: string;

  constructor(readonly spec: NameGuardSpec) {
    for (const w of [...spec.endings, ...spec.suffixes, ...spec.anywhere]) {
      if (!/^[a-z0-9]+$/.test(w)) throw new Error(`name guard word ${w} must be lower-case letters and digits`);
    }
    this.skip = charTable(spec.skipBefore);
    ({ step: this.step, accept: this.accept } = NameGuard.automaton(spec));
    this.endings = NameGuard.automaton({ ...spec, anywhere: [] });
    const only = spec.anywhere.length === 1 ? (spec.anywhere[0] as string) : '';
    this.anywherePair = only.length >= 2 ? only.slice(0, 2) : '';
  }

  /**
   * The automaton, read backwards: a trie of the reversed endings and suffixes from the start
   * state S (a completed suffix returns to S, digits and `v` loop on S), beside a trie of the
   * reversed anywhere words from a state A that loops on every character. Determinised over sets
   * of trie nodes; the empty set stops.
   */
  private static automaton(spec: NameGuardSpec): { step: Int16Array; accept: Uint8Array } {
    const nodes: Node[] = [];
    const node = (): number => nodes.push({ next: new Map(), suffix: false, ending: false }) - 1;
    const start = node();
    const anywhere = node();
    const add = (root: number, word: string, mark: (n: Node) => void): void => {
      let at = root;
      for (let k = word.length - 1; k >= 0; k--) {
        const sym = symbolOf(word.charCodeAt(k));
        const n = nodes[at] as Node;
        let to = n.next.get(sym);
        if (to === undefined) {
          to = node();
          n.next.set(sym, to);
        }
        at = to;
      }
      mark(nodes[at] as Node);
    };
    for (const w of spec.suffixes) add(start, w, (n) => (n.suffix = true));
    for (const w of spec.endings) add(start, w, (n) => (n.ending = true));
    for (const w of spec.anywhere) add(anywhere, w, (n) => (n.ending = true));
    const loops = new Set<number>();
    for (let d = 0; d < 10; d++) loops.add(LETTERS + d);
    loops.add(symbolOf(118)); // v of `v2`

    const nameChars = charTable(spec.nameChars);
    const separators = charTable(spec.separators);
    const sets: number[][] = [];
    const ids = new Map<string, number>();
    const accepts: number[] = [];
    const transitions: number[][] = [];
    const idOf = (set: number[]): number => {
      const key = set.join(',');
      let id = ids.get(key);
      if (id === undefined) {
        id = sets.push(set) - 1;
        ids.set(key, id);
        accepts.push(set.some((k) => (nodes[k] as Node).ending) ? 1 : 0);
      }
      return id;
    };
    idOf(spec.anywhere.length > 0 ? [start, anywhere] : [start]);
    for (let s = 0; s < sets.length; s++) {
      const row = new Array<number>(SYMBOLS).fill(-1);
      // An accepting state is final: the walk returns as soon as it gets there.
      if (accepts[s] !== 1) {
        for (let sym = 0; sym < SYMBOLS; sym++) {
          const to = new Set<number>();
          for (const k of sets[s] as number[]) {
            if (k === anywhere) to.add(anywhere);
            if (k === start && loops.has(sym)) to.add(start);
            const n = (nodes[k] as Node).next.get(sym);
            if (n === undefined) continue;
            to.add(n);
            if ((nodes[n] as Node).suffix) to.add(start);
          }
          if (to.size > 0) row[sym] = idOf([...to].sort((x, y) => x - y));
        }
      }
      transitions.push(row);
    }
    const states = sets.length;
    const step = new Int16Array(states * 128).fill(-1);
    for (let s = 0; s < states; s++) {
      for (let c = 0; c < 128; c++) {
        if (nameChars[c] !== 1) continue;
        if (separators[c] === 1) step[s * 128 + c] = s;
        else {
          const sym = symbolOf(c);
          if (sym >= 0) step[s * 128 + c] = (transitions[s] as number[])[sym] as number;
        }
      }
    }
    return { step, accept: Uint8Array.from(accepts) };
  }

  /** Whether a secret name ends just before `at` (past skippable characters). */
  test(text: string, at: number): boolean {
    const skip = this.skip;
    const floor = at > this.spec.maxSkip ? at - this.spec.maxSkip : 0;
    let end = at;
    while (end > floor) {
      const c = text.charCodeAt(end - 1);
      if (c >= 128 || skip[c] !== 1) break;
      end--;
    }
    const step = this.step;
    const accept = this.accept;
    const nameFloor = end > this.spec.maxName ? end - this.spec.maxName : 0;
    let s = 0;
    for (let i = end - 1; i >= nameFloor; i--) {
      const c = text.charCodeAt(i);
      if (c >= 128) return false;
      s = step[(s << 7) | c] as number;
      if (s < 0) return false;
      if (accept[s] === 1) return true;
    }
    return false;
  }
}
