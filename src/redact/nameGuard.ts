/**
 * A cheap test the anchor scanner runs before handing a separator to a detector: does a secret
 * word end near the end of the name just before this position? Most `=` and `:` in code, JSON and
 * logs follow names like `id`, `options` or `"created_at"`, and turning them away here, with one
 * table load per character and no call into the detector, is what keeps the assignment detectors
 * cheap on ordinary text. It must never turn away a position its detector would accept, so it is a
 * superset of the detectors' own name checks (see assignmentDetector).
 */
import { charTable } from './detector';
import { KeywordAutomaton } from './keywordAutomaton';

export interface NameGuardSpec {
  /** Lower-case words; a position passes when one ends within `maxName` name characters. */
  readonly words: readonly string[];
  /** Characters a name is made of: reading back stops at the first other character. */
  readonly nameChars: string;
  /** Characters between the name and the position (closing quotes, spaces, `]`), skipped first. */
  readonly skipBefore: string;
  readonly maxSkip: number;
  readonly maxName: number;
}

export class NameGuard {
  /** 1 for each ASCII character skipped before the name. */
  readonly skip: Uint8Array;
  /** The reversed words' automaton, read backwards over name characters (see KeywordAutomaton). */
  readonly step: Int16Array;
  readonly accept: Uint8Array;
  private readonly wordBefore: (text: string, end: number, maxChars: number) => boolean;

  constructor(readonly spec: NameGuardSpec) {
    this.skip = charTable(spec.skipBefore);
    const reversed = new KeywordAutomaton(spec.words.map((w) => [...w].reverse().join('')));
    const nameChars = charTable(spec.nameChars);
    ({ step: this.step, accept: this.accept } = reversed.backwardTables(nameChars));
    this.wordBefore = reversed.backward(nameChars);
  }

  /** Whether a name with one of the words ends just before `at` (past skippable characters). */
  test(text: string, at: number): boolean {
    const skip = this.skip;
    const floor = at > this.spec.maxSkip ? at - this.spec.maxSkip : 0;
    let end = at;
    while (end > floor) {
      const c = text.charCodeAt(end - 1);
      if (c >= 128 || skip[c] !== 1) break;
      end--;
    }
    return this.wordBefore(text, end, this.spec.maxName);
  }
}
