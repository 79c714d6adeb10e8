/**
 * Shape tests for candidate secret values. Detectors that have no fixed token format (assignments,
 * opaque bearer tokens, URL passwords) decide with these whether a value is a credential or
 * ordinary content: a generated secret is long, mixes character classes and has high Shannon
 * entropy; names, words, references and placeholders do not.
 */

/**
 * Scratch for counting a value's ASCII characters without a Map or Set per call: counts by code, and
 * the distinct codes in order of first occurrence, so only those are read and reset. Every function
 * that uses them sets the counts back to zero before it returns: no call sees another's.
 */
const asciiCounts = new Int32Array(128);
const firstSeen = new Uint8Array(128);

/**
 * c·log2(c) for the counts a value of up to 8 KB can have, so entropy costs one load per distinct
 * character instead of a division and a logarithm (it runs on every candidate value).
 */
const C_LOG2_C = new Float64Array(8193);
for (let c = 2; c < C_LOG2_C.length; c++) C_LOG2_C[c] = c * Math.log2(c);

function cLog2c(count: number): number {
  return count < C_LOG2_C.length ? (C_LOG2_C[count] as number) : count * Math.log2(count);
}

/** Shannon entropy in bits per character: log2(n) − Σ c·log2(c) / n over the character counts c. */
export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  let other: Map<number, number> | undefined;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      if (asciiCounts[c] === 0) firstSeen[distinct++] = c;
      asciiCounts[c]++;
    } else (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
  }
  let sum = 0;
  for (let k = 0; k < distinct; k++) {
    const c = firstSeen[k] as number;
    sum += cLog2c(asciiCounts[c] as number);
    asciiCounts[c] = 0;
  }
  if (other !== undefined) for (const count of other.values()) sum += cLog2c(count);
  // Rounding can leave a tiny negative for a value of one repeated character.
  return Math.max(0, Math.log2(n) - sum / n);
}

const HEX = /^(?:[0-9a-f]+|[0-9A-F]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d+$/;
/** `1.2.3`, `v20.1.0-rc.1`, and npm ranges: `^10.2.2`, `~1.0`, `>=2.0.0`. */
const VERSION = /^(?:[~^]|[<>]=?|=)?v?\d+(?:\.(?:\d+|x|\*))+(?:[-+][0-9A-Za-z.-]+)?$/;
const HASH_PREFIX = /^(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?|sha3-\d+)[-:=]/i;
const WHITESPACE = /\s/;

export function isHex(value: string): boolean {
  return HEX.test(value);
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Filler that stands in for a secret in docs and templates: `xxxxxxxx`, `00000000`, `********`,
 * ascending runs like `abcdef`/`123456`, or a string built from very few distinct characters.
 * The odds of these in a random token of the lengths we check are negligible.
 */
export function isFiller(value: string): boolean {
  const n = value.length;
  if (n < 6) return false;
  // Filler has fewer distinct characters than this: past it, counting them further changes nothing.
  const few = Math.min(6, Math.ceil(n / 3));
  let run = 1;
  let ascending = 1;
  let distinct = 0;
  let asciiDistinct = 0;
  let filler = false;
  // The previous character in a local (no second load per character); -2 continues no run.
  let p = -2;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (distinct < few) {
      if (c >= 128) distinct++;
      else if (asciiCounts[c] === 0) {
        asciiCounts[c] = 1;
        firstSeen[asciiDistinct++] = c;
        distinct++;
      }
    }
    run = c === p ? run + 1 : 1;
    ascending = c === p + 1 ? ascending + 1 : 1;
    p = c;
    if (run >= 6 || ascending >= 6) {
      filler = true;
      break;
    }
  }
  for (let k = 0; k < asciiDistinct; k++) asciiCounts[firstSeen[k] as number] = 0;
  return filler || distinct < few;
}

/**
 * Words a human writes where a secret will go later. Matched case-insensitively anywhere in the
 * value; none of them is likely inside a random token of the length we redact.
 */
const PLACEHOLDER =
  /your[-_ .]?(?:own[-_ ]?)?(?:api|app|access|auth|secret|personal|github|openai|bot|client|account|db|database)?[-_ ]?(?:key|token|secret|password|pass|pwd|pat|here)|example|placeholder|changeme|change[-_]?me|change[-_]?this|replace[-_]?(?:me|this|with)|dummy|redacted|insert[-_]?(?:your|here)|lorem[-_ ]?ipsum|<[^>]*>|\{\{|\$\{|xxxx|\*\*\*|\.\.\.|…|_here$|-here$|todo|fixme|^(?:null|nil|none|undefined|true|false|yes|no|on|off|required|optional|string|str|int|integer|number|boolean|bool|any|unknown|object|bytes|secret|secrets|password|passwd|token|key|apikey|api_key|test|testing|demo|sample|foo|bar|baz|foobar|admin|root|user|username|default|empty|hidden|masked|private|public|env)$/i;

/** Masking runs: `***`, `xxxx`, `...`, `…`. */
const MASK_RUNS = /\*{3,}|[xX]{4,}|\.{3,}|…/g;

/**
 * A masking run marks a stand-in only when little else is left (`gho_****`, `user:***`); a
 * password that happens to contain `***` among letters and digits (`Hasal03o***y0!`) is real.
 */
export function isPlaceholder(value: string): boolean {
  if (isFiller(value)) return true;
  if (!PLACEHOLDER.test(value)) return false;
  const rest = value.replace(MASK_RUNS, '');
  if (rest === value) return true;
  return rest.length < 8 || !/\d/.test(rest) || !/[A-Za-z]/.test(rest) || PLACEHOLDER.test(rest) || isFiller(rest);
}

/**
 * A value that names where the secret lives instead of holding it: environment and template
 * references (`$X`, `${X}`, `%X%`, `{{ x }}`, `${{ secrets.X }}`), command substitution, secret
 * manager addresses, YAML aliases/anchors/tags (`*name`, `&name`, `!Ref`) and code expressions
 * (`process.env.X`, `os.environ[...]`). A password that merely starts with `*` or `$` is not one.
 */
const REFERENCE =
  /^(?:\$[A-Za-z_{(]|%[A-Za-z_]\w*%$|[*&!]!?[A-Za-z][a-z]*(?:[A-Z][a-z]*)*$|env[:.([]|vault:|op:\/\/|ref\+|arn:|sm:\/\/|secretref|keyvault)|\$\{|\$\(|\{\{|\}\}|process\.env|os\.environ|getenv|environ\[|secrets\.|vars\.|@microsoft\.keyvault/i;

export function isReference(value: string): boolean {
  return REFERENCE.test(value);
}

/** `a.b.c`, `self.password`, `config.apiKey`: a member access, not a literal. */
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `config.apiKey`, `ed25519.Ed25519PrivateKey`: every part reads as a name. Random parts
 * (`s.Xk3…`, a legacy Vault token) make it a value, not a member access.
 */
export function isDottedIdentifier(value: string): boolean {
  return DOTTED_IDENTIFIER.test(value) && value.split('.').every((part) => isWordLike(part) || isCodeName(part));
}

export function isIdentifier(value: string): boolean {
  return IDENTIFIER.test(value);
}

/** Words of a mixed-case run: `platformAuthDOMGetToken` → platform, Auth, DOM, Get, Token. */
const CASE_CHUNK = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g;

/**
 * Several chunks of three letters or more without a vowel: rare in names (one abbreviation like
 * `ntlm` or `Http` is fine, acronyms like `XML` are not counted), common in random letters.
 */
function manyVoiceless(chunks: readonly string[]): boolean {
  const long = chunks.filter((w) => w.length >= 3 && /[a-z]/.test(w));
  const voiceless = long.filter((w) => !/[aeiou]/i.test(w)).length;
  return voiceless >= 2 && voiceless * 4 > long.length;
}

/**
 * Letters whose case looks drawn at random. Cut at case changes, names in camelCase, PascalCase
 * or with acronyms (`platformAuthDOMGetToken`, `isNotCommaToken`) give words of three letters or
 * more on average, nearly all with a vowel; random mixed case gives shorter chunks, or runs like
 * `TLGCLCV` and `Sqcdg`. Short strings cannot be told apart and never count as random.
 */
export function isRandomCase(letters: string): boolean {
  if (letters.length < 8 || !/[a-z]/.test(letters) || !/[A-Z]/.test(letters)) return false;
  const chunks = letters.match(CASE_CHUNK) ?? [];
  return letters.length / chunks.length < 3 || manyVoiceless(chunks);
}

/**
 * An unquoted identifier that reads as a variable or constant name rather than a literal:
 * `secretValue`, `DEFAULT_TOKEN`, `RESET_PASSWORD_V2`, `OAuth2TokenCredential`. Its words are
 * real words (three letters on average, case not random); a number only ends a word (`V2`,
 * `Ed25519Private`), once per part. `minWords` 2 keeps a single word with digits (`hunter2`) a
 * value where literals are the norm (env files, YAML).
 */
export function isCodeName(identifier: string, minWords = 1): boolean {
  if (isRandomCase(identifier.replace(/[^A-Za-z]/g, ''))) return false;
  const words: string[] = [];
  for (const part of identifier.split(/[_$]+/)) {
    if (part === '' || /^\d+$/.test(part)) continue;
    if (!/^[A-Za-z]+(?:\d+(?:[A-Z][A-Za-z]*)?)?$/.test(part)) return false;
    words.push(...(part.replace(/\d+/g, '').match(CASE_CHUNK) ?? []));
  }
  if (words.length < minWords) return false;
  const letters = words.reduce((n, w) => n + w.length, 0);
  return letters / words.length >= 3 && !manyVoiceless(words);
}

/** `x64`, `v2`, `utf8`, `oauth2`, `sha256`, `ed25519`: letters then a number, read as one word. */
const SHORT_TOKEN = /^[A-Za-z]{1,8}\d{1,5}$|^[A-Za-z]\d[A-Za-z]$/;

/** Plain casings of one word: `word`, `WORD`, `Word`. */
const SIMPLE_WORD = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/;

/** Strict: only plain words and numbers (passwords mix case inside short chunks: `EFUctOA`). */
function isWordSegment(segment: string, strict: boolean): boolean {
  if (DIGITS.test(segment)) return true;
  if (strict) return SIMPLE_WORD.test(segment);
  if (SHORT_TOKEN.test(segment)) return true;
  if (!/^[A-Za-z]+$/.test(segment)) return false;
  return !isRandomCase(segment);
}

const SEPARATORS = /[^A-Za-z0-9]+/;

/**
 * Share of the parts that are words, for values with at least two parts (`deps-linux-x64-3f2a…`
 * is a slug with a hash in it, not a credential); 0 for a single part.
 */
export function wordShare(value: string): number {
  const parts = value.split(SEPARATORS).filter((p) => p.length > 0);
  if (parts.length < 2) return 0;
  return parts.filter((p) => p.length >= 3 && isWordSegment(p, false)).length / parts.length;
}

/**
 * Readable text: `my-app-secret`, `PROD_DB_PASSWORD`, `camelCaseName`, `release-2024`,
 * `SemicolonToken$1`. Every part between non-alphanumeric characters is a word or a number.
 * `strict` (for passwords, which people build from words) accepts only plain words and numbers,
 * not `x64`-like tokens or mixed case.
 */
export function isWordLike(value: string, strict = false): boolean {
  // Segments found by hand: splitting with a regex costs more than judging them (this runs on
  // every candidate value).
  let start = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0;
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (alnum) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (!isWordSegment(value.slice(start, i), strict)) return false;
      start = -1;
    }
  }
  return true;
}

/** `/etc/x`, `./a/b`, `~/.aws/credentials`, `C:\Users\x` with readable segments (random base64 has none). */
export function isPathLike(value: string): boolean {
  if (/^[A-Za-z]:[\\/]/.test(value)) return true;
  if (!/^(?:~|\.{1,2})?\//.test(value)) return false;
  return value
    .split('/')
    .filter((s) => s.length > 0 && s !== '~' && s !== '.' && s !== '..')
    .every((s) => /^[A-Za-z0-9._-]+$/.test(s) && isWordLike(s));
}

/**
 * Ordinary content that looks like a value but is not a credential: numbers, versions, content
 * hashes with their algorithm prefix, data URIs, URLs (their passwords have their own detector),
 * paths and values containing whitespace.
 */
export function isOrdinaryValue(value: string): boolean {
  return (
    DIGITS.test(value) ||
    VERSION.test(value) ||
    HASH_PREFIX.test(value) ||
    value.startsWith('data:') ||
    value.includes('://') ||
    WHITESPACE.test(value) ||
    isPathLike(value)
  );
}

/**
 * The part of looksRandom that reads every character: not filler (isFiller), and entropy and
 * character classes that pass its bars. One pass gives all three, and costs a third of three.
 */
function passesMeasures(value: string, options: RandomnessOptions): boolean {
  const ascii = asciiPassesMeasures(value, options);
  return ascii === NOT_ASCII ? anyPassesMeasures(value, options) : ascii === 1;
}

/** Character class per ASCII code: 0 lower, 1 upper, 2 digit, 3 other. */
const CLASS_OF = new Uint8Array(128).map((_, c) => (c >= 97 && c <= 122 ? 0 : c >= 65 && c <= 90 ? 1 : c >= 48 && c <= 57 ? 2 : 3));
const NOT_ASCII = -1;

/**
 * passesMeasures for ASCII values (nearly all): 1 passes, 0 fails, NOT_ASCII where it met a
 * character outside ASCII (counts reset). It runs over every candidate value, so the loop does only
 * what needs each character: the counts, and the runs filler is told by. The character classes
 * are summed from the counts afterwards, per distinct character (a branch per character on its
 * class mispredicts on random values, and costs more than the rest of the loop).
 */
function asciiPassesMeasures(value: string, options: RandomnessOptions): number {
  const n = value.length;
  const counts = asciiCounts;
  const first = firstSeen;
  let seen = 0;
  let run = 1;
  let ascending = 1;
  let p = -2;
  let verdict = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) {
      verdict = NOT_ASCII;
      break;
    }
    if (counts[c]++ === 0) first[seen++] = c;
    run = c === p ? run + 1 : 1;
    ascending = c === p + 1 ? ascending + 1 : 1;
    p = c;
    if ((run >= 6 || ascending >= 6) && n >= 6) {
      verdict = 1;
      break;
    }
  }
  let sum = 0;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let rest = 0;
  for (let k = 0; k < seen; k++) {
    const c = first[k] as number;
    const count = counts[c] as number;
    sum += cLog2c(count);
    counts[c] = 0;
    const kind = CLASS_OF[c] as number;
    if (kind === 0) lower += count;
    else if (kind === 1) upper += count;
    else if (kind === 2) digit += count;
    else rest += count;
  }
  if (verdict === NOT_ASCII) return NOT_ASCII;
  if (verdict === 1 || (n >= 6 && seen < Math.min(6, Math.ceil(n / 3)))) return 0;
  const entropy = n === 0 ? 0 : Math.max(0, Math.log2(n) - sum / n);
  return passesBars(value, options, entropy, lower, upper, digit, rest) ? 1 : 0;
}

function anyPassesMeasures(value: string, options: RandomnessOptions): boolean {
  const n = value.length;
  let seen = 0;
  let nonAscii = 0;
  let other: Map<number, number> | undefined;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let rest = 0;
  let run = 1;
  let ascending = 1;
  let filler = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      if (asciiCounts[c] === 0) firstSeen[seen++] = c;
      asciiCounts[c]++;
    } else {
      nonAscii++;
      (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
    }
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
    else rest++;
    if (i === 0) continue;
    const p = value.charCodeAt(i - 1);
    run = c === p ? run + 1 : 1;
    ascending = c === p + 1 ? ascending + 1 : 1;
    if (n >= 6 && (run >= 6 || ascending >= 6)) {
      filler = true;
      break;
    }
  }
  // As isFiller counts them: each character outside ASCII as a distinct one.
  if (n >= 6 && seen + nonAscii < Math.min(6, Math.ceil(n / 3))) filler = true;
  let sum = 0;
  for (let k = 0; k < seen; k++) {
    const c = firstSeen[k] as number;
    sum += cLog2c(asciiCounts[c] as number);
    asciiCounts[c] = 0;
  }
  if (filler) return false;
  if (other !== undefined) for (const count of other.values()) sum += cLog2c(count);
  const entropy = n === 0 ? 0 : Math.max(0, Math.log2(n) - sum / n);
  return passesBars(value, options, entropy, lower, upper, digit, rest);
}

/**
 * The bars of looksRandom once a value's entropy and classes are known. The entropy bar grows with
 * length because a short random string cannot reach the entropy of a long one: 0.75·log2(len)
 * bits/char, capped at 3.4 (random base62 of 16 chars averages ≈3.8, of 32 chars ≈4.6; English
 * words sit near 2.5–3.2).
 */
function passesBars(value: string, options: RandomnessOptions, entropy: number, lower: number, upper: number, digit: number, other: number): boolean {
  const n = value.length;
  if (options.minEntropy !== undefined && entropy < options.minEntropy) return false;
  if (isHex(value)) {
    return options.allowHex === true && n >= 32 && entropy >= 3.0 && /\d/.test(value) && /[a-f]/i.test(value);
  }
  const kinds = (lower > 0 ? 1 : 0) + (upper > 0 ? 1 : 0) + (digit > 0 ? 1 : 0);
  if (kinds < 2) return false;
  if (digit === 0 && other === 0 && !isRandomCase(value)) return false;
  return entropy >= Math.min(3.4, 0.75 * Math.log2(n));
}

export interface RandomnessOptions {
  /** Shortest value that can pass. */
  minLength: number;
  /** Accept hex-only values (a 32+ char hex string is a key in a secret context, a digest elsewhere). */
  allowHex?: boolean;
  /** Raise the entropy bar above the length-derived default. */
  minEntropy?: number;
}

/**
 * Whether `value` looks machine-generated: long enough, not an ordinary value (a name, path, URL,
 * version…), not filler, high enough entropy for its length (see passesBars), and not readable
 * words. Readable words are checked last: it is the dearest test, and few values get that far.
 */
export function looksRandom(value: string, options: RandomnessOptions): boolean {
  const n = value.length;
  if (n < options.minLength || n > 8192) return false;
  if (isOrdinaryValue(value) || isUuid(value)) return false;
  return passesMeasures(value, options) && !isWordLike(value);
}
