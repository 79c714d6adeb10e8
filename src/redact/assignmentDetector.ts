/**
 * Secrets given a name: `key = value`, `key: value`, `"key": "value"`, `key := value`,
 * `'key' => 'value'`, `--key value` and `--key=value`, in env files, YAML, JSON (also JSON escaped
 * inside JSON), INI/properties, shell, HTTP headers, URL query strings and source code.
 *
 * The detector runs at each `=`, `:` and `--` the anchor scanner reports. It reads the name to the
 * left; only names that end in a secret word (password, secret, token, api key, …) go on. The
 * value to the right is then judged by its shape: references (`$X`, `${{ secrets.X }}`,
 * `process.env.X`, `config.apiKey`), code (`getToken()`), types (`string`), placeholders and
 * readable words stay; generated-looking values (entropy and character-class thresholds) go.
 * Passwords are judged more leniently than tokens because people make them up.
 */
import { ALNUM, Detector, Found, charTable, inTable } from './detector';
import { isBasicCredential } from './httpAuthDetectors';
import { KeywordAutomaton } from './keywordAutomaton';
import { NameGuard } from './nameGuard';
import { unanchoredFormatKind, unanchoredFormatKinds } from './tokenDetectors';
import {
  isDottedIdentifier,
  isCodeName,
  isHex,
  isIdentifier,
  isOrdinaryValue,
  isPlaceholder,
  isRandomCase,
  isReference,
  isUuid,
  isWordLike,
  looksRandom,
  wordShare,
} from './valueShape';

type Strength = 'password' | 'strong' | 'weak' | 'authorization' | 'twilio';

const KEY_CHARS = charTable(ALNUM + '_.-');
const MAX_KEY = 80;
const MAX_UNQUOTED = 512;
const MAX_QUOTED = 4096;

/**
 * Cheap first filter on the name (no slicing, no regex) before splitting it into words. A secret
 * word must sit near the end of the name (`DB_PASSWORD`, `GITHUB_TOKEN_PROD`), so a separator's
 * name is read backwards, at most NAME_TAIL characters, and most names are rejected after one or
 * two characters.
 */
const ROOTS = ['pass', 'pw', 'secret', 'token', 'key', 'auth', 'cred', 'pat', 'twilio'];
const KEYWORD_ROOTS = new KeywordAutomaton(ROOTS);
const KEYWORD_ROOTS_REVERSED = new KeywordAutomaton(ROOTS.map((w) => [...w].reverse().join('')));
const NAME_TAIL = 32;
/** Whether a secret word ends within NAME_TAIL name characters before a position. */
const rootBefore = KEYWORD_ROOTS_REVERSED.backward(KEY_CHARS);
/** Trailing name parts that do not change what the value is (`GITHUB_TOKEN_PROD`, `secretValue`). */
const NEUTRAL = new Set([
  'prod', 'production', 'dev', 'development', 'staging', 'stage', 'test', 'testing', 'live', 'old', 'new',
  'value', 'val', 'base', 'b64', 'base64', 'raw', 'local', 'ci', 'default', 'current', 'prev', 'previous',
  'primary', 'secondary', 'backup', 'encoded', 'str', 'string', 'hex', 'data',
]);

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'passwort', 'pw', 'pword']);
const STRONG_WORDS = new Set(['secret', 'secrets', 'token', 'apikey', 'credential', 'credentials', 'creds', 'cred', 'auth', 'pat']);

/**
 * The scanner's check before it calls the detectors below at a separator. judgeName accepts a
 * name whose words, after dropping NEUTRAL ones and numbers at the end, end with one of these (every
 * STRONG_ENDINGS entry ends with `secret`, `token`, `key` or `credential(s)`), or that holds
 * `twilio`; namedValue needs a key ending in `value`. rootBefore finds a secret word within the
 * last NAME_TAIL name characters, and none of the NEUTRAL words holds one, so the ending lies
 * within them too. Skips what nameBefore and namedValue skip (spaces, `?`, `]`, a closing quote,
 * backslashes), so it accepts every position they do.
 */
const SECRET_NAME_GUARD = new NameGuard({
  endings: [...PASSWORD_WORDS, ...STRONG_WORDS, 'authorization', 'key', 'value'],
  suffixes: [...NEUTRAL],
  anywhere: ['twilio'],
  nameChars: ALNUM + '_.-',
  separators: '_.-',
  skipBefore: ' \t?]"\'`\\',
  maxSkip: 64,
  maxName: NAME_TAIL,
});

const STRONG_ENDINGS = [
  'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'accountkey', 'masterkey', 'signingkey',
  'encryptionkey', 'authkey', 'clientkey', 'licensekey', 'subscriptionkey', 'servicekey', 'adminkey', 'appkey',
  'hmackey', 'sessionkey', 'deploykey', 'writekey', 'ingestkey', 'instrumentationkey', 'primarykey',
  'secondarykey', 'webhookkey', 'restkey', 'serverkey', 'devkey', 'userkey', 'cryptokey', 'jwtkey', 'sharedkey',
  'encryptkey', 'decryptkey', 'credential', 'credentials',
];
/** Names that end like a secret but hold something public or structural. */
const NOT_SECRET_ENDINGS = [
  'publickey', 'publishablekey', 'pubkey', 'cachekey', 'sortkey', 'partitionkey', 'foreignkey', 'idempotencykey',
  'rowkey', 'hotkey', 'shortcutkey', 'querykey', 'i18nkey', 'translationkey', 'localekey', 'messagekey',
  'labelkey', 'routekey', 'objectkey', 'lookupkey', 'mapkey', 'hashkey', 'rangekey', 'groupkey', 'uniquekey',
  'nexttoken', 'pagetoken', 'continuationtoken', 'paginationtoken', 'cursortoken', 'synctoken', 'bypass',
  'compass', 'passkey', 'sitekey',
];

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

interface Named {
  readonly strength: Strength;
  /** The name's words joined, lower case, neutral suffixes dropped (`awssecretaccesskey`). */
  readonly words: string;
}

/** Names repeat (JSON keys, env files, logs): remember recent verdicts. Bounded by clearing. */
const nameCache = new Map<string, Named | null>();
const NAME_CACHE_SIZE = 2048;

/** How strongly the name says "secret", after dropping neutral trailing words. */
function nameStrength(name: string): Named | null {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const verdict = judgeName(name);
  if (nameCache.size >= NAME_CACHE_SIZE) nameCache.clear();
  nameCache.set(name, verdict);
  return verdict;
}

function judgeName(name: string): Named | null {
  const words = nameWords(name);
  while (words.length > 1) {
    const last = words[words.length - 1] ?? '';
    if (NEUTRAL.has(last) || /^v?\d+$/.test(last)) words.pop();
    else break;
  }
  const joined = words.join('');
  const last = words[words.length - 1] ?? '';
  if (NOT_SECRET_ENDINGS.some((e) => joined.endsWith(e))) return null;
  // `NEXT_PUBLIC_SITE_KEY`, `publishableKey`: public by design (shipped to browsers).
  if (words.includes('public') || words.includes('publishable')) return null;
  if (PASSWORD_WORDS.has(last) || /(?:password|passwd|passphrase)$/.test(joined)) return { strength: 'password', words: joined };
  if (joined.endsWith('authorization')) return { strength: 'authorization', words: joined };
  if (STRONG_WORDS.has(last) || STRONG_ENDINGS.some((e) => joined.endsWith(e))) return { strength: 'strong', words: joined };
  if (last === 'key' || joined.endsWith('key')) return { strength: 'weak', words: joined };
  if (joined.includes('twilio')) return { strength: 'twilio', words: joined };
  return null;
}

/** `{name}` / `{0}` in format strings, `%s`: the value is built at run time. */
const TEMPLATE = /\{[A-Za-z_0-9][\w.]*\}|(?:^|[^A-Za-z0-9])%[sd](?![A-Za-z0-9])/;
/** Balanced brackets (`[0-9A-F]{1,4}`, `(a|b)`): a pattern or expression; tokens have none. */
const BRACKETED = /\[[^\]]*\]|\{[^}]*\}|\([^)]*\)/;

/** Punctuation people put in passwords but not in names, paths or slugs. */
const PASSWORD_PUNCTUATION = /[!@#$%^&*+=?~|]/;

function isPasswordValue(value: string): boolean {
  if (value.length < 6 || value.length > 256) return false;
  if (isOrdinaryValue(value)) return false;
  if (PASSWORD_PUNCTUATION.test(value)) return true;
  if (isWordLike(value, true)) return false;
  if (/[^A-Za-z]/.test(value)) return true;
  return value.length >= 12 && isRandomCase(value);
}

const TWILIO_ID = /^(?:AC|SK)[0-9a-f]{32}$/;
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;
const AWS_SESSION = /^(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)/;
const VAULT_LEGACY = /^[sbr]\.[A-Za-z0-9]{24,}$/;

function kindFor(strength: Strength, words: string, value: string): string {
  const format = unanchoredFormatKind(value);
  if (format !== undefined) return format;
  if (strength === 'password') return 'password-assignment';
  if (words.includes('twilio')) return 'twilio-credential';
  if ((words.includes('aws') || words.endsWith('secretaccesskey')) && AWS_SECRET.test(value)) return 'aws-secret-access-key';
  if (words.endsWith('sessiontoken') && (words.includes('aws') || AWS_SESSION.test(value))) return 'aws-session-token';
  if (words.includes('vault') || VAULT_LEGACY.test(value)) return 'vault-token';
  if (words.includes('mailgun')) return 'mailgun-key';
  if (words.endsWith('subscriptionkey')) return 'azure-apim-key';
  return 'secret-assignment';
}

function acceptValue(strength: Strength, value: string): boolean {
  switch (strength) {
    case 'password':
      return isPasswordValue(value);
    case 'strong':
    case 'authorization':
      return looksRandom(value, { minLength: 16, allowHex: true }) || isUuid(value);
    case 'weak':
      // A bare `key` names many things; its value must look generated through and through.
      // Hex is held to 32 characters or more (a 128-bit key); hex has at most 4 bits/char.
      return (
        wordShare(value) < 0.5 &&
        (looksRandom(value, { minLength: 24, minEntropy: 3.8 }) || (isHex(value) && looksRandom(value, { minLength: 32, allowHex: true })))
      );
    case 'twilio':
      return TWILIO_ID.test(value);
  }
}

const SPACE = charTable(' \t');
/** Where an unquoted value ends in env files, YAML, shell, query strings and JSON-escaped text. */
const UNQUOTED_END = charTable(' \t\r\n"\'`,;&<>(){}[]|\\:');
const QUOTES = charTable('"\'`');

interface Value {
  start: number;
  end: number;
  quoted: boolean;
}

function skipSpaces(text: string, i: number, max = 16): number {
  const limit = Math.min(text.length, i + max);
  while (i < limit && inTable(SPACE, text, i)) i++;
  return i;
}

/** A quoted value, also with escaped quotes (`\"…\"`, `\\\"…\\\"`) of JSON inside JSON. */
function quotedValue(text: string, i: number): Value | null {
  let slashes = 0;
  while (text.charCodeAt(i + slashes) === 92 && slashes < 4) slashes++;
  const q = text.charCodeAt(i + slashes);
  if (!inTable(QUOTES, text, i + slashes)) return null;
  const start = i + slashes + 1;
  const limit = Math.min(text.length, start + MAX_QUOTED);
  if (slashes > 0) {
    const close = text.slice(start, limit).indexOf('\\'.repeat(slashes) + String.fromCharCode(q));
    return close < 0 ? null : { start, end: start + close, quoted: true };
  }
  for (let j = start; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === q) return { start, end: j, quoted: true };
    if (c === 10 || c === 13) return null;
    if (c === 92) j++;
  }
  return null;
}

function unquotedValue(text: string, i: number): Value | null {
  const limit = Math.min(text.length, i + MAX_UNQUOTED + 1);
  let j = i;
  for (; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c < 128 && UNQUOTED_END[c] === 1) break;
    if (c === 61 /* = */) {
      // `=` belongs to the value only as base64 padding at its end (`key=a=b` is two assignments).
      let k = j;
      while (text.charCodeAt(k) === 61) k++;
      if (k < text.length && !inTable(UNQUOTED_END, text, k)) break;
      j = k;
      break;
    }
  }
  if (j === i || j - i > MAX_UNQUOTED) return null;
  return { start: i, end: j, quoted: false };
}

/** Python/C#/JS string prefixes before a quote: b"…", r'…', f"…", @"…". */
const STRING_PREFIX = charTable('bBrRuUfF@');

function readValue(text: string, i: number, allowTypeAnnotation: boolean): Value | null {
  i = skipSpaces(text, i);
  if (inTable(STRING_PREFIX, text, i) && inTable(QUOTES, text, i + 1)) i++;
  const quoted = quotedValue(text, i);
  if (quoted !== null) return quoted;
  if (inTable(QUOTES, text, i) || text.charCodeAt(i) === 92) return null;
  const plain = unquotedValue(text, i);
  if (plain === null) return null;
  if (allowTypeAnnotation) {
    // `apiKey: string = "…"`, `password: str = "…"`: the value follows the type.
    const after = skipSpaces(text, plain.end);
    if (text.charCodeAt(after) === 61 && text.charCodeAt(after + 1) !== 61 && text.charCodeAt(after + 1) !== 62) {
      return readValue(text, after + 1, false);
    }
  }
  return plain;
}

/**
 * The name left of a separator, `[ks, ke)`, skipping closing quotes, `]`, `?` and spaces; null
 * unless a secret word ends near its end.
 */
function nameBefore(text: string, sepAt: number): { start: number; end: number } | null {
  let i = sepAt;
  const floor = Math.max(0, sepAt - 16);
  while (i > floor && inTable(SPACE, text, i - 1)) i--;
  if (text.charCodeAt(i - 1) === 63 /* ? */) i--;
  if (text.charCodeAt(i - 1) === 93 /* ] */) i--;
  if (inTable(QUOTES, text, i - 1)) {
    i--;
    let slashes = 0;
    while (text.charCodeAt(i - 1) === 92 && slashes < 4) {
      i--;
      slashes++;
    }
  }
  const end = i;
  if (!rootBefore(text, end, NAME_TAIL)) return null;
  const floorKey = Math.max(0, end - MAX_KEY);
  while (i > floorKey && inTable(KEY_CHARS, text, i - 1)) i--;
  if (i === end || (i === floorKey && i > 0 && inTable(KEY_CHARS, text, i - 1))) return null;
  return { start: i, end };
}

/** Words that may precede a `NAME=value` at the start of a line (shell, Dockerfile, docker flags). */
const LINE_PREFIXES = new Set(['export', 'set', 'setx', 'declare', 'local', 'env', 'ENV', 'ARG', '-e', '--env', '-', 'SET']);

/**
 * Whether the name starts a line of configuration (env file, YAML, INI, HTTP header, shell
 * assignment) or a query/connection-string field, where a bare word is a literal value; elsewhere
 * (code) a bare word is a variable.
 */
function isLiteralContext(text: string, nameStart: number): boolean {
  let i = nameStart;
  // A quoted name is a JSON/YAML key, or starts a string holding a config line (`"DB_PASSWORD=…`).
  if (inTable(QUOTES, text, i - 1)) return true;
  const c = text.charCodeAt(i - 1);
  if (i === 0 || c === 63 /* ? */ || c === 38 /* & */ || c === 59 /* ; */) return true;
  i = skipSpacesBack(text, i);
  const wordEnd = i;
  while (i > 0 && wordEnd - i < 8 && !inTable(LINE_BREAK_OR_SPACE, text, i - 1)) i--;
  if (i < wordEnd && LINE_PREFIXES.has(text.slice(i, wordEnd))) i = skipSpacesBack(text, i);
  else i = wordEnd;
  return i === 0 || inTable(LINE_BREAK, text, i - 1) || (text.charCodeAt(i - 1) === 110 && text.charCodeAt(i - 2) === 92);
}

const LINE_BREAK = charTable('\n\r');
const LINE_BREAK_OR_SPACE = charTable('\n\r \t');

function skipSpacesBack(text: string, i: number): number {
  const floor = Math.max(0, i - 64);
  while (i > floor && inTable(SPACE, text, i - 1)) i--;
  return i;
}

/**
 * The shortest value `acceptValue` can take for each strength (the checks below only shorten a
 * value), so most values in code (`{ token: 123 }`) are turned away before any slicing or regex.
 */
const MIN_VALUE: Readonly<Record<Strength, number>> = { password: 6, strong: 16, authorization: 16, weak: 24, twilio: 34 };

/**
 * Values repeat as much as names (`password = options.password` in every file of a project), and
 * judging one runs several regexes: remember recent "not a secret" verdicts, per value one bit for
 * each strength and context a verdict depends on (whether the value was quoted, whether code
 * follows it, whether the context is literal; the name's words only name the kind of a secret).
 * Secrets themselves are never kept (they are rare, and should not outlive the text they came in).
 */
const notSecretCache = new Map<string, number>();
const VERDICT_CACHE_SIZE = 4096;
const MAX_CACHED_VALUE = 256;
const STRENGTH_BIT: Readonly<Record<Strength, number>> = { password: 0, strong: 8, weak: 16, twilio: 24, authorization: -1 };

/** `nameStart`: where the name starts, for isLiteralContext (asked only when needed); -1: a literal context. */
function judge(text: string, value: Value | null, strength: Strength, words: string, nameStart: number): Found | null {
  if (value === null || value.end - value.start < MIN_VALUE[strength]) return null;
  if (!value.quoted && isLowerCaseMemberAccess(text, value.start, value.end)) return null;
  const after = text.charCodeAt(value.end);
  const code = after === 40 /* ( */ || after === 60; /* < */
  const base = STRENGTH_BIT[strength];
  // Long values rarely repeat; keeping them would make the cache large.
  const cached = base >= 0 && value.end - value.start <= MAX_CACHED_VALUE;
  const bitOutsideLiteral = base + (value.quoted ? 2 : 0) + (code ? 1 : 0);
  const raw = cached ? text.slice(value.start, value.end) : '';
  const known = cached ? notSecretCache.get(raw) : undefined;
  // Turned away in both kinds of context: no need to tell which this is.
  if (known !== undefined && nameStart >= 0 && ((known >>> bitOutsideLiteral) & (known >>> (bitOutsideLiteral + 4)) & 1) === 1) return null;
  const literal = nameStart < 0 || isLiteralContext(text, nameStart);
  const bit = bitOutsideLiteral + (literal ? 4 : 0);
  if (known !== undefined && ((known >>> bit) & 1) === 1) return null;
  const kind = judgeValue(text, value, strength, words, literal);
  if (kind !== null && kind !== NOT_HERE) return { start: value.start, end: value.end, kind };
  if (cached) {
    if (known === undefined && notSecretCache.size >= VERDICT_CACHE_SIZE) notSecretCache.clear();
    // A verdict that did not hang on the context holds in the other kind of context too.
    notSecretCache.set(raw, (known ?? 0) | (1 << bit) | (kind === null ? 1 << (bitOutsideLiteral + (literal ? 0 : 4)) : 0));
  }
  return null;
}

/**
 * `options.password`, `config.token`: unquoted, lower-case words joined by dots. The commonest value
 * after a secret's name in code, and judgeValue turns every one away (a dotted identifier of plain
 * words), so judge does without the verdict cache's slice and lookup for it, and atSeparator
 * without the name.
 */
function isLowerCaseMemberAccess(text: string, start: number, end: number): boolean {
  let dots = 0;
  let word = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) word++;
    else if (c === 46 /* . */ && word > 0) {
      dots++;
      word = 0;
    } else return false;
  }
  return dots > 0 && word > 0;
}

/** judgeValue's "not a secret" that holds only in this kind of context (a name read as a reference). */
const NOT_HERE = '';

function judgeValue(text: string, value: Value, strength: Strength, words: string, literal: boolean): string | null {
  // Judge the value without base64 padding (`password=` is the word "password", not a secret)
  // and percent-decoded (a query-string value).
  let end = value.end;
  while (end > value.start && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const v = percentDecoded(text.slice(value.start, end));
  if (v.length === 0 || v.startsWith('[REDACTED:')) return null;
  if (isReference(v) || TEMPLATE.test(v) || BRACKETED.test(v) || isPlaceholder(v)) return null;
  if (!value.quoted) {
    // A call, a generic type, optional chaining: code, not a literal.
    const after = text.charCodeAt(value.end);
    if (after === 40 /* ( */ || after === 60 /* < */ || v.includes('?.')) return null;
    if (isDottedIdentifier(v)) return null;
    if (isIdentifier(v)) {
      // Where literals are the norm only a compound name reads as a reference; in code any
      // readable name does.
      const reference = literal
        ? isCodeName(v, 2)
        : /\d/.test(v)
          ? isCodeName(v)
          : !isRandomCase(v);
      if (reference) return NOT_HERE;
    }
  }
  if (!acceptValue(strength, v)) return null;
  return kindFor(strength, words, v);
}

function percentDecoded(value: string): string {
  if (!value.includes('%') || !/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `Authorization: <scheme> <credential>` or a bare credential, in any case and quoting. */
const AUTHORIZATION_VALUE = /(\\{0,3}["'])?[ \t]*(?:([A-Za-z][A-Za-z0-9-]{1,20})[ \t]+)?([A-Za-z0-9\-._~+/]{4,4096}=*)/y;

function authorization(text: string, valueAt: number): Found | null {
  const at = skipSpaces(text, valueAt);
  AUTHORIZATION_VALUE.lastIndex = at;
  const m = AUTHORIZATION_VALUE.exec(text);
  if (m === null) return null;
  const scheme = (m[2] ?? '').toLowerCase();
  // A period ending a sentence is not part of the credential.
  const credential = (m[3] ?? '').replace(/\.+$/, '');
  const end = at + (m[0].length - (m[3] ?? '').length) + credential.length;
  const found = (kind: string): Found => ({ start: end - credential.length, end, kind });
  if (scheme === 'basic') return isBasicCredential(credential) ? found('basic-auth') : null;
  if (isPlaceholder(credential) || !looksRandom(credential, { minLength: 16, allowHex: true })) return null;
  return found(unanchoredFormatKind(credential) ?? (scheme === 'bearer' ? 'bearer' : 'authorization-header'));
}

function atSeparator(text: string, at: number): Found | null {
  const sep = text.charCodeAt(at);
  const next = text.charCodeAt(at + 1);
  const prev = text.charCodeAt(at - 1);
  let valueAt: number;
  if (sep === 61 /* = */) {
    // ==, !=, <=, >=, +=, -= compare or modify; := is handled at its colon.
    if (next === 61 || prev === 61 || prev === 33 || prev === 60 || prev === 62 || prev === 43 || prev === 58) return null;
    valueAt = next === 62 /* => */ ? at + 2 : at + 1;
  } else {
    // `12:34` (times, ports, line:column): digits on both sides never follow a secret's name.
    if (prev >= 48 && prev <= 57 && next >= 48 && next <= 57) return null;
    if (next === 58 || prev === 58) return null;
    if (next === 47 && text.charCodeAt(at + 2) === 47) return null;
    valueAt = next === 61 ? at + 2 : at + 1;
  }
  // `password = options.password`: whatever the name, every path below turns such a value away
  // (judge, and authorization's looksRandom: a credential of plain words), so read it first.
  const early = sep === 61 ? readValue(text, valueAt, false) : null;
  if (early !== null && !early.quoted && isLowerCaseMemberAccess(text, early.start, early.end)) return null;
  const span = nameBefore(text, at);
  if (span === null) return sep === 58 || sep === 61 ? namedValue(text, at, valueAt) : null;
  // A name after `/` or `@` is the tail of a path or package (`"@acme/rule-password": "^1.0"`).
  const before = text.charCodeAt(span.start - 1);
  if (before === 47 || before === 64) return null;
  // `scheme://user:password@host` is the URL detector's: only it knows where the password ends.
  if (text.startsWith('//', span.start - 2)) return null;
  const named = nameStrength(text.slice(span.start, span.end));
  if (named === null) return null;
  if (named.strength === 'authorization') return authorization(text, valueAt);
  const value = sep === 61 ? early : readValue(text, valueAt, true);
  // Too short to be accepted (the check judge starts with): skip reading the context.
  if (value === null || value.end - value.start < MIN_VALUE[named.strength]) return null;
  return judge(text, value, named.strength, named.words, span.start);
}

/** `name` then `value` keys of one item: Kubernetes/ECS env lists, app settings, API payloads. */
const VALUE_KEY = /(?:^|[^A-Za-z0-9_])(?:\\{0,3}["'])?value(?:\\{0,3}["'])?\s*$/i;
const VALUE_KEY_START = /(?:\\{0,3}["'])?value(?:\\{0,3}["'])?\s*$/i;
const NAME_KEY =
  /(?:\\{0,3}["'])?(?:name|key)(?:\\{0,3}["'])?\s*[:=]\s*(?:\\{0,3}["'])?([A-Za-z0-9_.-]{2,80})(?:\\{0,3}["'])?\s*,?(?:\s|\\[nr])*$/i;
const MAX_NAME_VALUE_GAP = 160;

/**
 * `- name: DB_PASSWORD⏎  value: "…"` and `{"name": "API_TOKEN", "value": "…"}`: the secret's name
 * is the value of a sibling `name` (or `key`) field just before. Runs only at a separator whose key
 * is `value`, which the keyword prefilter in nameBefore has already turned away.
 */
function namedValue(text: string, sepAt: number, valueAt: number): Found | null {
  let i = sepAt;
  while (i > 0 && inTable(SPACE, text, i - 1)) i--;
  // Cheap test, before any slicing: the key, past its closing quote, ends in `value` (any case).
  let k = i;
  if (inTable(QUOTES, text, k - 1)) k--;
  while (k > 0 && text.charCodeAt(k - 1) === 92 /* \\ */) k--;
  if (
    k < 5 ||
    (text.charCodeAt(k - 1) | 0x20) !== 101 /* e */ ||
    (text.charCodeAt(k - 2) | 0x20) !== 117 /* u */ ||
    (text.charCodeAt(k - 3) | 0x20) !== 108 /* l */ ||
    (text.charCodeAt(k - 4) | 0x20) !== 97 /* a */ ||
    (text.charCodeAt(k - 5) | 0x20) !== 118 /* v */
  ) {
    return null;
  }
  const keyWindow = text.slice(Math.max(0, i - 12), i);
  if (!VALUE_KEY.test(keyWindow)) return null;
  const keyStart = i - keyWindow.length + keyWindow.search(VALUE_KEY_START);
  const before = text.slice(Math.max(0, keyStart - MAX_NAME_VALUE_GAP), keyStart);
  if (!nameFieldMayEnd(before)) return null;
  const m = NAME_KEY.exec(before);
  if (m === null || !KEYWORD_ROOTS.test(m[1] ?? '', 0, (m[1] ?? '').length)) return null;
  const named = nameStrength(m[1] ?? '');
  if (named === null || named.strength === 'authorization') return null;
  return judge(text, readValue(text, valueAt, false), named.strength, named.words, -1);
}

/**
 * What NAME_KEY needs at the end of `before`, checked without the regex (which tries every start
 * in 160 characters): nothing after the last `:` or `=` but the name, quotes, backslashes, a comma
 * and white space (NAME_KEY's separator is the last one, as nothing it matches after it can be one).
 */
const NAME_FIELD_TAIL = charTable(ALNUM + '_.-"\'\\, \t\n\r\f\v');

function nameFieldMayEnd(before: string): boolean {
  const sep = Math.max(before.lastIndexOf(':'), before.lastIndexOf('='));
  if (sep < 0) return false;
  for (let j = sep + 1; j < before.length; j++) {
    const c = before.charCodeAt(j);
    // Outside ASCII: \s also takes Unicode spaces, so leave those to the regex.
    if (c < 128 && NAME_FIELD_TAIL[c] !== 1) return false;
  }
  return true;
}

/** Commands that set a named secret from a flag: `gh secret set NAME --body V`, `az keyvault secret set --name N --value V`. */
const VALUE_FLAGS = new Set(['body', 'value', 'secret-value']);
/** A token of the command line that names the secret being set. */
const COMMAND_WORD = /[A-Za-z0-9_./-]+/g;

function valueFlag(text: string, at: number, flagEnd: number): Found | null {
  const lineStart = Math.max(text.lastIndexOf('\n', at) + 1, at - 256);
  if (!KEYWORD_ROOTS.test(text, lineStart, at)) return null;
  let named: Named | null = null;
  for (const w of text.slice(lineStart, at).match(COMMAND_WORD) ?? []) {
    const n = nameStrength(w.slice(w.lastIndexOf('/') + 1));
    if (n !== null && n.strength !== 'authorization' && n.strength !== 'weak') named = n;
  }
  if (named === null) return null;
  const valueAt = skipSpaces(text, flagEnd, 4);
  return judge(text, readValue(text, valueAt, false), named.strength, named.words, -1);
}

/** `--password hunter2`, `--api-key "…"` (the `--key=value` form is an ordinary `=` assignment). */
function atFlag(text: string, at: number): Found | null {
  if (at > 0 && !inTable(SPACE, text, at - 1) && text.charCodeAt(at - 1) !== 10) return null;
  let i = at + 2;
  const limit = Math.min(text.length, i + MAX_KEY);
  while (i < limit && inTable(KEY_CHARS, text, i)) i++;
  if (i === at + 2 || !inTable(SPACE, text, i)) return null;
  if (!KEYWORD_ROOTS.test(text, at + 2, i)) {
    return i - at <= 14 && VALUE_FLAGS.has(text.slice(at + 2, i)) ? valueFlag(text, at, i) : null;
  }
  const named = nameStrength(text.slice(at + 2, i));
  if (named === null || named.strength === 'authorization') return null;
  const valueAt = skipSpaces(text, i, 4);
  if (text.charCodeAt(valueAt) === 45 /* - */) return null;
  // Command-line arguments are literals.
  return judge(text, readValue(text, valueAt, false), named.strength, named.words, -1);
}

export const assignmentDetector: Detector = {
  id: 'secret-assignment',
  kinds: [
    'password-assignment', 'secret-assignment', 'authorization-header', 'bearer', 'basic-auth', 'aws-secret-access-key', 'aws-session-token',
    'vault-token', 'twilio-credential', 'mailgun-key', 'azure-apim-key', ...unanchoredFormatKinds,
  ],
  anchors: ['=', ':', '--'],
  priority: 50,
  // `12:34`: a time, a port, a line and column, never a name and its value (see atSeparator).
  skipBetween: { ':': '0123456789' },
  nameGuard: { '=': SECRET_NAME_GUARD, ':': SECRET_NAME_GUARD },
  // What atSeparator and atFlag turn away first thing: `==`, `!=`, `<=`, `>=`, `+=`, `:=` (at its
  // colon), `::`, and `--` that does not start a word.
  neighbours: {
    '=': { notAfter: '=!<>+:', notBefore: '=' },
    ':': { notAfter: ':', notBefore: ':' },
    '--': { onlyAfter: ' \t\n\0' },
  },
  match(text, anchorAt) {
    return text.charCodeAt(anchorAt) === 45 ? atFlag(text, anchorAt) : atSeparator(text, anchorAt);
  },
};

/**
 * Passwords given to known commands by a short flag: `sshpass -p PW`, `docker login -u u -p PW`,
 * `az login -p PW`, `mysql -pPW` (attached: a separate word after mysql's `-p` is the database),
 * `redis-cli -a PW`. Elsewhere `-p` is a port or a path (`ssh -p 22`, `mkdir -p`), so the command
 * must be on the same line.
 */
const PASSWORD_COMMAND =
  /(?:^|[\s;&|(`])(sshpass|(?:docker|podman|buildah|skopeo|nerdctl|oras|cf|az|helm(?:\s+registry)?)\s+login|mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|redis-cli)(?=\s)/g;

function commandName(text: string, at: number): string | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', at) + 1, at - 512);
  const line = text.slice(lineStart, at);
  let last: string | undefined;
  PASSWORD_COMMAND.lastIndex = 0;
  for (let m = PASSWORD_COMMAND.exec(line); m !== null; m = PASSWORD_COMMAND.exec(line)) last = m[1];
  return last;
}

export const commandPasswordDetector: Detector = {
  id: 'password-assignment',
  kinds: ['password-assignment'],
  anchors: ['-p', '-a '],
  priority: 50,
  neighbours: { '-p': { onlyAfter: ' \t' }, '-a ': { onlyAfter: ' \t' } },
  match(text, anchorAt) {
    if (anchorAt === 0 || !inTable(SPACE, text, anchorAt - 1)) return null;
    const attached = !inTable(SPACE, text, anchorAt + 2);
    const command = commandName(text, anchorAt);
    if (command === undefined) return null;
    const mysql = command.startsWith('my') || command.startsWith('maria');
    if (text.charCodeAt(anchorAt + 1) === 97 /* a */ ? command !== 'redis-cli' : command === 'redis-cli') return null;
    // mysql: only the attached form is a password; the others take `-p PW` (sshpass also `-pPW`).
    if (mysql !== attached && !(attached && command === 'sshpass')) return null;
    const value = readValue(text, attached ? anchorAt + 2 : skipSpaces(text, anchorAt + 2, 4), false);
    if (value !== null && text.charCodeAt(value.start) === 45 /* - */) return null;
    return judge(text, value, 'password', 'password', -1);
  },
};

const NAME_CHARS = charTable(ALNUM + '_.-');
const PAIR_START = charTable('({[');
const PAIR_END = charTable(')}]');

/**
 * A secret name and its value as two string arguments or items: `os.environ.setdefault("API_SECRET",
 * "…")`, `os.Setenv("GITHUB_TOKEN", "…")`, `System.setProperty("db.password", "…")`,
 * `{ "ApiKey", "…" }`. Both must be string literals and the pair must close right after the value,
 * so a call that merely passes a name (`getSecret("db-password")`) is left alone.
 */
export const pairDetector: Detector = {
  id: 'secret-assignment',
  kinds: ['secret-assignment', 'password-assignment'],
  // At the quote closing the name: `,` is a rare enough needle, `(` and `"` are not.
  anchors: ['",', "',"],
  priority: 50,
  nameGuard: { '",': SECRET_NAME_GUARD, "',": SECRET_NAME_GUARD },
  // The value, a string, follows (past spaces): most `",` end a JSON item, with a line break next.
  neighbours: { '",': { onlyBefore: ' \t"\'`\\' }, "',": { onlyBefore: ' \t"\'`\\' } },
  match(text, anchorAt) {
    const end = anchorAt;
    const quote = text.charCodeAt(end);
    // The value must be a string too: most `",` end a JSON item, with a line break or `}` next.
    const i = skipSpaces(text, end + 2);
    if (text.charCodeAt(i) !== 92 /* \ */ && !inTable(QUOTES, text, i)) return null;
    if (!rootBefore(text, end, NAME_TAIL)) return null;
    let q = end - 1;
    const floor = Math.max(0, end - MAX_KEY);
    while (q > floor && inTable(NAME_CHARS, text, q)) q--;
    if (text.charCodeAt(q) !== quote || q === end - 1) return null;
    // The name opens the pair: `(`, `{` or `[` before it.
    let o = q;
    while (o > 0 && inTable(SPACE, text, o - 1)) o--;
    if (!inTable(PAIR_START, text, o - 1)) return null;
    const value = quotedValue(text, i);
    if (value === null || !inTable(PAIR_END, text, skipSpaces(text, value.end + 1))) return null;
    const named = nameStrength(text.slice(q + 1, end));
    if (named === null || named.strength === 'authorization') return null;
    return judge(text, value, named.strength, named.words, -1);
  },
};
