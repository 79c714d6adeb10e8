/**
 * Whether a span of text contains one of a few lower-case words, ignoring case, without slicing
 * or regex: an Aho–Corasick automaton over the 26 letters (anything else is one extra symbol).
 * The assignment detector asks this for every `=` and `:` in a text, so it must cost a few
 * nanoseconds per character.
 */
const OTHER = 26;
const SYMBOLS = 27;

/** ASCII code → letter index 0–25 in either case, anything else OTHER. */
const SYMBOL = new Uint8Array(128).fill(OTHER);
for (let c = 0; c < 26; c++) {
  SYMBOL[65 + c] = c;
  SYMBOL[97 + c] = c;
}

export class KeywordAutomaton {
  private readonly next: Int32Array;
  private readonly accept: Uint8Array;

  constructor(words: readonly string[]) {
    const trie: number[][] = [new Array<number>(SYMBOLS).fill(-1)];
    const terminal: boolean[] = [false];
    for (const w of words) {
      if (!/^[a-z]+$/.test(w)) throw new Error(`keyword ${w} must be lower-case letters`);
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i) - 97;
        const row = trie[s] as number[];
        if (row[c] === -1) {
          row[c] = trie.length;
          trie.push(new Array<number>(SYMBOLS).fill(-1));
          terminal.push(false);
        }
        s = row[c] as number;
      }
      terminal[s] = true;
    }
    const n = trie.length;
    this.next = new Int32Array(n * SYMBOLS);
    this.accept = new Uint8Array(n);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < SYMBOLS; c++) {
      const t = (trie[0] as number[])[c] as number;
      if (t === -1) this.next[c] = 0;
      else {
        this.next[c] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    this.accept[0] = terminal[0] ? 1 : 0;
    while (queue.length > 0) {
      const s = queue.shift() as number;
      this.accept[s] = terminal[s] || this.accept[fail[s] as number] === 1 ? 1 : 0;
      for (let c = 0; c < SYMBOLS; c++) {
        const t = (trie[s] as number[])[c] as number;
        const viaFail = this.next[(fail[s] as number) * SYMBOLS + c] as number;
        if (t === -1) this.next[s * SYMBOLS + c] = viaFail;
        else {
          this.next[s * SYMBOLS + c] = t;
          fail[t] = viaFail;
          queue.push(t);
        }
      }
    }
  }

  /**
   * Reading backwards from `end` while characters are in `continueTable` (at most `maxChars`),
   * whether one of the words occurs. Build the automaton from reversed words for this.
   */
  testBackward(text: string, end: number, maxChars: number, continueTable: Uint8Array): boolean {
    const next = this.next;
    const accept = this.accept;
    const floor = Math.max(0, end - maxChars);
    let s = 0;
    for (let i = end - 1; i >= floor; i--) {
      const c = text.charCodeAt(i);
      if (c >= 128 || continueTable[c] !== 1) return false;
      s = next[s * SYMBOLS + (SYMBOL[c] as number)] as number;
      if (accept[s] === 1) return true;
    }
    return false;
  }

  /**
   * `testBackward` specialised to one continue table: the automaton's transitions and the table
   * folded into one array indexed by state and character code (-1: stop), so each character
   * costs one load. The assignment detector asks this at every `:` and `=` of a text.
   */
  backward(continueTable: Uint8Array): (text: string, end: number, maxChars: number) => boolean {
    const { step, accept } = this.backwardTables(continueTable);
    return (text, end, maxChars) => {
      const floor = end > maxChars ? end - maxChars : 0;
      let s = 0;
      for (let i = end - 1; i >= floor; i--) {
        const c = text.charCodeAt(i);
        if (c >= 128) return false;
        s = step[(s << 7) | c] as number;
        if (s < 0) return false;
        if (accept[s] === 1) return true;
      }
      return false;
    };
  }

  /**
   * The tables behind `backward`: `step[state * 128 + code]` is the next state, -1 to stop;
   * `accept[state]` is 1 where a word has been read. Also loaded into the WebAssembly prefilter.
   */
  backwardTables(continueTable: Uint8Array): { readonly step: Int16Array; readonly accept: Uint8Array } {
    const states = this.accept.length;
    const step = new Int16Array(states * 128).fill(-1);
    for (let s = 0; s < states; s++) {
      for (let c = 0; c < 128; c++) {
        if (continueTable[c] === 1) step[s * 128 + c] = this.next[s * SYMBOLS + (SYMBOL[c] as number)] as number;
      }
    }
    return { step, accept: this.accept };
  }

  /** Whether `text[start, end)` contains one of the words, in any letter case. */
  test(text: string, start: number, end: number): boolean {
    const next = this.next;
    const accept = this.accept;
    let s = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      s = next[s * SYMBOLS + (c < 128 ? (SYMBOL[c] as number) : OTHER)] as number;
      if (accept[s] === 1) return true;
    }
    return false;
  }
}
