import type { AnchorNeighbours } from './anchorScanner';
import type { NameGuard } from './nameGuard';

/** The span of one secret in a text, the kind named in its marker, and its detector's priority. */
export interface SecretMatch {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  /** Lower wins when two detectors claim the same span (a vendor format beats a generic rule). */
  readonly priority: number;
}

export interface Found {
  start: number;
  end: number;
  kind: string;
}

/**
 * A built-in detector. It is never run over a whole text: the anchor scanner finds where one of its
 * `anchors` occurs and calls `match` with that position, and the detector looks only around it.
 */
export interface Detector {
  /** Stable name, also the default kind. */
  readonly id: string;
  /** Every kind `match` can report. */
  readonly kinds: readonly string[];
  /** Case-sensitive literals; list each spelling that matters (`Bearer `, `bearer `, `BEARER `). */
  readonly anchors: readonly string[];
  readonly priority: number;
  /**
   * Per one-character anchor, a set of characters: occurrences between two of them are never
   * passed to `match` (it would turn them away first thing, e.g. `12:34` for an assignment's `:`).
   */
  readonly skipBetween?: Readonly<Record<string, string>>;
  /**
   * Per anchor, a name check the scanner runs before calling `match` there: occurrences without a
   * secret word in the name just before are never passed (see nameGuard). It must accept every
   * position `match` could accept.
   */
  readonly nameGuard?: Readonly<Record<string, NameGuard>>;
  /**
   * Per anchor, characters `match` turns away right before or after it (`\0`: the text's start or
   * end): occurrences failing these are never passed. Each rule must hold for every position
   * `match` could accept.
   */
  readonly neighbours?: Readonly<Record<string, AnchorNeighbours>>;
  /**
   * `anchorAt` is where one of `anchors` starts in `text`. Called detached from the detector (the
   * engine keeps the function itself, see secretRedactor), so it must not use `this`.
   */
  readonly match: (text: string, anchorAt: number) => Found | null;
}

/** Characters of `set` as a fast membership table (ASCII only; anything else is outside). */
export function charTable(set: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < set.length; i++) table[set.charCodeAt(i)] = 1;
  return table;
}

export function charRange(from: string, to: string): string {
  let s = '';
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) s += String.fromCharCode(c);
  return s;
}

export const ALNUM = charRange('A', 'Z') + charRange('a', 'z') + charRange('0', '9');

export function inTable(table: Uint8Array, text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const c = text.charCodeAt(index);
  return c < 128 && table[c] === 1;
}

export interface TokenSpec {
  readonly kind: string;
  readonly anchors: readonly string[];
  /** Sticky (`y`) regex tried at the token start: never scans the rest of the text. */
  readonly pattern: RegExp;
  /** Characters from the token start to the anchor (the anchor is not always the first thing). */
  readonly lead?: number;
  /** Characters that may not directly precede the token (else it is the tail of a longer word). */
  readonly notAfter?: string;
  /** When set, the token must follow one of these characters (or start the text). */
  readonly onlyAfter?: string;
  /** Capture group holding the secret part; the rest of the match stays readable (give the
   *  pattern the `d` flag when the group text could also occur earlier in the match). */
  readonly group?: number;
  /** Extra check on the secret part (placeholders, checksum-free sanity, decoding). */
  readonly validate?: (secret: string, match: RegExpExecArray) => boolean;
  /** Refines the kind from the match (e.g. `sk-ant-` within the `sk-` family). */
  readonly kindOf?: (match: RegExpExecArray) => string;
  readonly priority?: number;
  readonly kinds?: readonly string[];
}

/** A detector for a format with a literal prefix: one sticky regex at the anchor. */
export function tokenDetector(spec: TokenSpec): Detector {
  if (!spec.pattern.sticky) throw new Error(`pattern for ${spec.kind} must be sticky`);
  const notAfter = spec.notAfter === undefined ? undefined : charTable(spec.notAfter);
  const onlyAfter = spec.onlyAfter === undefined ? undefined : charTable(spec.onlyAfter);
  const lead = spec.lead ?? 0;
  const group = spec.group ?? 0;
  return {
    id: spec.kind,
    kinds: spec.kinds ?? [spec.kind],
    anchors: spec.anchors,
    priority: spec.priority ?? 10,
    match(text, anchorAt) {
      const start = anchorAt - lead;
      if (start < 0) return null;
      if (notAfter !== undefined && inTable(notAfter, text, start - 1)) return null;
      if (onlyAfter !== undefined && start > 0 && !inTable(onlyAfter, text, start - 1)) return null;
      spec.pattern.lastIndex = start;
      const m = spec.pattern.exec(text);
      if (m === null) return null;
      const secret = m[group];
      if (secret === undefined || secret.length === 0) return null;
      if (spec.validate !== undefined && !spec.validate(secret, m)) return null;
      const offset = group === 0 ? 0 : (m.indices?.[group]?.[0] ?? start + m[0].lastIndexOf(secret)) - start;
      return {
        start: start + offset,
        end: start + offset + secret.length,
        kind: spec.kindOf === undefined ? spec.kind : spec.kindOf(m),
      };
    },
  };
}
