/**
 * User patterns from `sessionRelay.redaction.extraPatterns`: regex sources (`"acme_[a-z0-9]{32}"`)
 * or literals with flags (`"/acme_[a-z0-9]{32}/i"`). Matches become `[REDACTED:custom]`; a
 * pattern with a group named `secret` redacts only that group (`"client=(?<secret>\\w{20,})"`).
 *
 * A user pattern runs over the whole text (nothing is known about what it anchors on), so one that
 * can backtrack catastrophically would freeze the pipeline on a large tool output. JavaScript
 * cannot interrupt a running regex, so instead of a time box such patterns are rejected by a
 * static check before they are ever run. The rule (conservative; rewrite a rejected pattern
 * without the construct):
 *   1. No quantifier that repeats (`*`, `+`, `{n,}`, `{n,m}` with m > 1) may apply to a group
 *      that itself contains a variable quantifier (`*`, `+`, `?`, `{n,m}` with n ≠ m): star
 *      height above one, as in `(a+)+`, `(.*)*`, `(\w+\s?)*`, `(a?)+`.
 *   2. A repeated group may contain alternatives only if each is a plain literal and no two start
 *      with the same character: `(a|aa)*`, `(\w|\d)+`, `(.|\s)*` overlap and are rejected,
 *      `(?:foo|bar)+` is fine.
 *   3. No backreferences (`\1`, `\k<name>`): matching them is not linear.
 *   4. The pattern must not match the empty string (it would match everywhere).
 * Polynomial patterns (`.*x.*y` on a huge line) are not caught; the length cap keeps them small.
 * Problems are reported by setting index and reason only: the pattern text may itself be a secret.
 */

export const CUSTOM_KIND = 'custom';

const SETTING = 'sessionRelay.redaction.extraPatterns';
const MAX_SOURCE = 1000;
const ALLOWED_FLAGS = /^[imsugyd]*$/;

export interface UserPattern {
  /** Position in the setting, for messages. */
  readonly index: number;
  readonly regex: RegExp;
  /** Redact only the group named `secret`. */
  readonly secretGroup: boolean;
}

export interface CompiledUserPatterns {
  readonly patterns: readonly UserPattern[];
  readonly problems: readonly string[];
}

interface Frame {
  hasVariableQuantifier: boolean;
  hasAlternation: boolean;
  alternatives: string[];
  altStart: number;
}

interface Quantifier {
  min: number;
  max: number;
  length: number;
}

function readQuantifier(source: string, i: number): Quantifier | null {
  const c = source[i];
  let q: Quantifier | null = null;
  if (c === '*') q = { min: 0, max: Infinity, length: 1 };
  else if (c === '+') q = { min: 1, max: Infinity, length: 1 };
  else if (c === '?') q = { min: 0, max: 1, length: 1 };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
    q = { min, max, length: m[0].length };
  }
  if (q !== null && source[i + q.length] === '?') q.length++;
  return q;
}

/** `foo`, `\.`, `a-b`: alternatives that are plain literal text. */
function literalText(alternative: string): string | null {
  let out = '';
  for (let i = 0; i < alternative.length; i++) {
    const c = alternative.charAt(i);
    if (c === '\\') {
      const n = alternative.charAt(i + 1);
      if (!/[^A-Za-z0-9]/.test(n) || n === '') return null;
      out += n;
      i++;
    } else if ('^$.|?*+()[]{}'.includes(c)) return null;
    else out += c;
  }
  return out.length > 0 ? out : null;
}

function disjointLiterals(alternatives: readonly string[], ignoreCase: boolean): boolean {
  const firsts = new Set<string>();
  for (const a of alternatives) {
    const lit = literalText(a);
    if (lit === null) return false;
    const first = ignoreCase ? lit.charAt(0).toLowerCase() : lit.charAt(0);
    if (firsts.has(first)) return false;
    firsts.add(first);
  }
  return true;
}

/** Why `source` could backtrack catastrophically (rules in the header), or null. */
export function catastrophicReason(source: string, flags = ''): string | null {
  const ignoreCase = flags.includes('i');
  const stack: Frame[] = [{ hasVariableQuantifier: false, hasAlternation: false, alternatives: [], altStart: 0 }];
  /** The group the next quantifier would apply to, if the last atom was a group. */
  let lastGroup: Frame | null = null;
  let lastWasAtom = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    const top = stack[stack.length - 1] as Frame;
    if (c === '\\') {
      const n = source.charAt(i + 1);
      if (/[1-9]/.test(n) || (n === 'k' && source.charAt(i + 2) === '<')) {
        return 'it uses a backreference, which cannot be matched in linear time';
      }
      i++;
      lastGroup = null;
      lastWasAtom = true;
    } else if (c === '[') {
      i++;
      if (source.charAt(i) === '^') i++;
      while (i < source.length && source.charAt(i) !== ']') {
        if (source.charAt(i) === '\\') i++;
        i++;
      }
      lastGroup = null;
      lastWasAtom = true;
    } else if (c === '(') {
      let body = i + 1;
      if (source.charAt(body) === '?') {
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(source.slice(body, body + 40));
        body += m === null ? 1 : m[0].length;
      }
      stack.push({ hasVariableQuantifier: false, hasAlternation: false, alternatives: [], altStart: body });
      i = body - 1;
      lastGroup = null;
      lastWasAtom = false;
    } else if (c === ')') {
      if (stack.length === 1) return null; // unbalanced: the RegExp constructor reports it
      const frame = stack.pop() as Frame;
      frame.alternatives.push(source.slice(frame.altStart, i));
      const parent = stack[stack.length - 1] as Frame;
      if (frame.hasVariableQuantifier) parent.hasVariableQuantifier = true;
      lastGroup = frame;
      lastWasAtom = true;
    } else if (c === '|') {
      top.hasAlternation = true;
      top.alternatives.push(source.slice(top.altStart, i));
      top.altStart = i + 1;
      lastGroup = null;
      lastWasAtom = false;
    } else {
      const q = lastWasAtom ? readQuantifier(source, i) : null;
      if (q !== null) {
        const repeats = q.max > 1;
        if (repeats && lastGroup !== null) {
          if (lastGroup.hasVariableQuantifier) {
            return 'a repeated group contains another quantifier (nested quantifiers such as (a+)+ can backtrack exponentially)';
          }
          if (lastGroup.hasAlternation && !disjointLiterals(lastGroup.alternatives, ignoreCase)) {
            return 'a repeated group contains alternatives that can match the same text (such as (a|aa)*), which can backtrack exponentially';
          }
        }
        if (q.min !== q.max) top.hasVariableQuantifier = true;
        i += q.length - 1;
        lastGroup = null;
        lastWasAtom = false;
      } else {
        lastGroup = null;
        lastWasAtom = c !== '^' && c !== '$';
      }
    }
  }
  return null;
}

/** `/source/flags` or a bare source. */
function splitLiteral(entry: string): { source: string; flags: string } {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(entry);
  return m === null ? { source: entry, flags: '' } : { source: m[1] ?? '', flags: m[2] ?? '' };
}

/** The message of a SyntaxError without the pattern text V8 embeds in it. */
function syntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const colon = message.lastIndexOf(': ');
  return colon >= 0 ? message.slice(colon + 2) : 'invalid regular expression';
}

export function compileUserPatterns(entries: readonly unknown[]): CompiledUserPatterns {
  const patterns: UserPattern[] = [];
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const problem = (reason: string): void => {
      problems.push(`${SETTING}[${index}] ignored: ${reason}.`);
    };
    if (typeof entry !== 'string' || entry.length === 0) {
      problem('not a non-empty string');
      return;
    }
    const { source, flags } = splitLiteral(entry);
    if (source.length > MAX_SOURCE) {
      problem(`longer than ${MAX_SOURCE} characters`);
      return;
    }
    if (!ALLOWED_FLAGS.test(flags) || new Set(flags).size !== flags.length) {
      problem('unsupported or repeated flags (allowed: i, m, s, u)');
      return;
    }
    const secretGroup = source.includes('(?<secret>');
    const finalFlags = [...new Set(flags.replace(/[gyd]/g, '') + 'g' + (secretGroup ? 'd' : ''))].join('');
    let regex: RegExp;
    try {
      regex = new RegExp(source, finalFlags);
    } catch (error) {
      problem(`invalid regular expression (${syntaxReason(error)})`);
      return;
    }
    const catastrophic = catastrophicReason(source, finalFlags);
    if (catastrophic !== null) {
      problem(`rejected because ${catastrophic}`);
      return;
    }
    regex.lastIndex = 0;
    if (regex.test('')) {
      problem('rejected because it matches the empty string');
      return;
    }
    patterns.push({ index, regex, secretGroup });
  });
  return { patterns, problems };
}

/** Calls `found` for every match of every pattern (the `secret` group only, when there is one). */
export function scanUserPatterns(patterns: readonly UserPattern[], text: string, found: (start: number, end: number) => void): void {
  for (const p of patterns) {
    const re = p.regex;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex = m.index + 1;
        continue;
      }
      if (p.secretGroup) {
        const span = m.indices?.groups?.['secret'];
        if (span !== undefined && span[1] > span[0]) found(span[0], span[1]);
      } else {
        found(m.index, m.index + m[0].length);
      }
    }
  }
}
