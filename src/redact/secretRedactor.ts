/**
 * The redactor: built-in detectors behind one anchor prefilter, dynamic secrets matched
 * literally, and user patterns. Every match becomes `[REDACTED:<kind>]`.
 *
 * Overlapping matches are merged into one marker (so no part of a longer secret survives because a
 * shorter match won), named after the longest match, a vendor format beating a generic rule on a
 * tie. Matches touching an existing `[REDACTED:…]` marker are dropped, which makes redaction
 * idempotent: redact(redact(x)) === redact(x).
 */
import { AnchorOwner, AnchorScanner } from './anchorScanner';
import { Found, SecretMatch } from './detector';
import { DYNAMIC_SECRET_KIND, dynamicSecretForms } from './dynamicSecrets';
import { builtInDetectors } from './patterns';
import { Redactor } from './redactor';
import { CUSTOM_KIND, UserPattern, compileUserPatterns, scanUserPatterns } from './userPatterns';

export interface RedactorOptions {
  /** Values secret by origin (session tokens, env secrets), matched raw, base64, URL- and JSON-encoded. */
  readonly dynamicSecrets?: readonly string[];
  /** `sessionRelay.redaction.extraPatterns`. */
  readonly extraPatterns?: readonly string[];
  /** Told once per problem with the extra patterns (index and reason, never the pattern). */
  readonly onProblem?: (message: string) => void;
  /** False scans without the WebAssembly prefilter (to compare both paths; the results are the same). */
  readonly prefilter?: boolean;
}

export interface SecretRedactor extends Redactor {
  /** Replaces the dynamic secrets (e.g. after a token refresh). */
  setDynamicSecrets(values: readonly string[]): void;
  /** Problems found in the extra patterns, each also passed to `onProblem`. */
  readonly problems: readonly string[];
  /** The merged secret spans `redact` would replace, in order (for tests, corpus scoring and tools). */
  findSecrets(text: string): readonly SecretMatch[];
}

const MARKER = /\[REDACTED:[a-z0-9-]+\]/y;
const DYNAMIC_PRIORITY = 60;
const CUSTOM_PRIORITY = 70;

const DETECTOR = 0;
const MARKER_ROLE = 1;
const DYNAMIC = 2;

/**
 * What the scanner reports an anchor for. Every owner is made by `owner()`, so all share one
 * object shape and the hot call `owner.match(…)` stays monomorphic in V8 (detectors themselves
 * come in several shapes).
 */
interface Owner {
  readonly role: typeof DETECTOR | typeof MARKER_ROLE | typeof DYNAMIC;
  readonly match: (text: string, at: number) => Found | null;
  readonly priority: number;
}

const noMatch = (): Found | null => null;

function owner(role: Owner['role'], match: Owner['match'], priority: number): Owner {
  return { role, match, priority };
}

const markerOwner = owner(MARKER_ROLE, noMatch, 0);
const dynamicOwner = owner(DYNAMIC, noMatch, DYNAMIC_PRIORITY);

let builtInAnchors: AnchorOwner<Owner>[] | undefined;
let builtInScanner: AnchorScanner<Owner> | undefined;

function anchorsOfBuiltIns(): AnchorOwner<Owner>[] {
  if (builtInAnchors === undefined) {
    const all: AnchorOwner<Owner>[] = [];
    for (const d of builtInDetectors) {
      const o = owner(DETECTOR, d.match, d.priority);
      for (const anchor of d.anchors) {
        const skipBetween = d.skipBetween?.[anchor];
        const guard = d.nameGuard?.[anchor];
        const neighbours = d.neighbours?.[anchor];
        all.push({
          anchor,
          owner: o,
          ...(skipBetween === undefined ? {} : { skipBetween }),
          ...(guard === undefined ? {} : { guard }),
          ...(neighbours === undefined ? {} : { neighbours }),
        });
      }
    }
    // Shortest first (for a stable order; the scanner chooses the needles of all of them together,
    // so longer anchors share the `=`, `:` and `-` passes that must run anyway where that is cheapest).
    builtInAnchors = [...all.sort((a, b) => a.anchor.length - b.anchor.length), { anchor: '[REDACTED:', owner: markerOwner }];
  }
  return builtInAnchors;
}

/**
 * Dynamic secrets join the built-in anchors in one scanner, so they add no pass over the text of
 * their own: each reuses a needle character the built-ins already scan for where it can.
 */
function scannerFor(dynamicForms: readonly string[], prefilter: boolean): AnchorScanner<Owner> {
  if (!prefilter) return new AnchorScanner<Owner>([...anchorsOfBuiltIns(), ...dynamicForms.map((anchor): AnchorOwner<Owner> => ({ anchor, owner: dynamicOwner }))], anchorsOfBuiltIns().length, false);
  if (dynamicForms.length === 0) {
    builtInScanner ??= new AnchorScanner<Owner>(anchorsOfBuiltIns());
    return builtInScanner;
  }
  const forms = dynamicForms.map((anchor): AnchorOwner<Owner> => ({ anchor, owner: dynamicOwner }));
  // The built-ins' needles are chosen once; dynamic secrets reuse them where they can.
  return new AnchorScanner<Owner>([...anchorsOfBuiltIns(), ...forms], anchorsOfBuiltIns().length);
}

function byPosition(a: SecretMatch, b: SecretMatch): number {
  return a.start - b.start || b.end - a.end || a.priority - b.priority;
}

/** Sorted, non-overlapping spans: overlapping matches become one, named after the best of them. */
function merge(matches: SecretMatch[]): SecretMatch[] {
  matches.sort(byPosition);
  const out: SecretMatch[] = [];
  let best = matches[0] as SecretMatch;
  let start = best.start;
  let end = best.end;
  for (let i = 1; i < matches.length; i++) {
    const m = matches[i] as SecretMatch;
    if (m.start < end) {
      const longer = m.end - m.start - (best.end - best.start);
      if (longer > 0 || (longer === 0 && m.priority < best.priority)) best = m;
      if (m.end > end) end = m.end;
      continue;
    }
    out.push({ start, end, kind: best.kind, priority: best.priority });
    best = m;
    start = m.start;
    end = m.end;
  }
  out.push({ start, end, kind: best.kind, priority: best.priority });
  return out;
}

/**
 * Short texts recur on intake (tool names, model names, paths, short messages), and each costs a
 * dozen `indexOf` passes. Those found clean are remembered, by value: the same engine finds the
 * same nothing in them again. Texts with secrets are never kept.
 */
const MAX_REMEMBERED_LENGTH = 256;
const MAX_REMEMBERED = 4096;

class Engine implements SecretRedactor {
  readonly problems: readonly string[];
  private readonly userPatterns: readonly UserPattern[];
  private scanner: AnchorScanner<Owner>;
  private readonly prefilter: boolean;
  /** Short texts found clean with the current dynamic secrets. */
  private readonly clean = new Set<string>();

  constructor(options: RedactorOptions) {
    const compiled = compileUserPatterns(options.extraPatterns ?? []);
    this.userPatterns = compiled.patterns;
    this.problems = compiled.problems;
    for (const p of this.problems) options.onProblem?.(p);
    this.prefilter = options.prefilter ?? true;
    this.scanner = scannerFor(formsOf(options.dynamicSecrets ?? []), this.prefilter);
  }

  setDynamicSecrets(values: readonly string[]): void {
    this.scanner = scannerFor(formsOf(values), this.prefilter);
    this.clean.clear();
  }

  findSecrets(text: string): readonly SecretMatch[] {
    if (text.length === 0) return [];
    const matches: SecretMatch[] = [];
    const markers: number[] = [];
    this.scanner.scan(text, (o, at, anchor) => {
      if (o.role === DETECTOR) {
        const f = o.match(text, at);
        if (f !== null && f.end > f.start) matches.push({ start: f.start, end: f.end, kind: f.kind, priority: o.priority });
      } else if (o.role === DYNAMIC) {
        matches.push({ start: at, end: at + anchor.length, kind: DYNAMIC_SECRET_KIND, priority: DYNAMIC_PRIORITY });
      } else {
        MARKER.lastIndex = at;
        if (MARKER.test(text)) markers.push(at, MARKER.lastIndex);
      }
    });
    if (this.userPatterns.length > 0) {
      scanUserPatterns(this.userPatterns, text, (start, end) => matches.push({ start, end, kind: CUSTOM_KIND, priority: CUSTOM_PRIORITY }));
    }
    if (markers.length > 2) sortPairs(markers);
    const kept = markers.length === 0 ? matches : matches.filter((m) => !touchesMarker(m, markers));
    return kept.length === 0 ? [] : merge(kept);
  }

  redact(text: string): string {
    const short = text.length < MAX_REMEMBERED_LENGTH;
    if (short && this.clean.has(text)) return text;
    const spans = this.findSecrets(text);
    if (spans.length === 0) {
      if (short) {
        if (this.clean.size >= MAX_REMEMBERED) this.clean.clear();
        this.clean.add(text);
      }
      return text;
    }
    let out = '';
    let at = 0;
    for (const s of spans) {
      out += text.slice(at, s.start) + `[REDACTED:${s.kind}]`;
      at = s.end;
    }
    return out + text.slice(at);
  }
}

function formsOf(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const v of values) if (typeof v === 'string') for (const f of dynamicSecretForms(v)) forms.add(f);
  return [...forms];
}

/** Sorts a flat list of (start, end) pairs by start. */
function sortPairs(pairs: number[]): void {
  const list: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i] as number, pairs[i + 1] as number]);
  list.sort((a, b) => a[0] - b[0]);
  list.forEach(([s, e], i) => {
    pairs[i * 2] = s;
    pairs[i * 2 + 1] = e;
  });
}

/**
 * Whether the match overlaps a marker. `markers` is a flat list of disjoint start, end pairs
 * sorted by position, so a binary search finds the first marker ending after the match starts.
 */
function touchesMarker(m: SecretMatch, markers: readonly number[]): boolean {
  let lo = 0;
  let hi = markers.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((markers[mid * 2 + 1] as number) <= m.start) lo = mid + 1;
    else hi = mid;
  }
  return lo < markers.length / 2 && (markers[lo * 2] as number) < m.end;
}

export function createRedactor(options: RedactorOptions = {}): SecretRedactor {
  return new Engine(options);
}
