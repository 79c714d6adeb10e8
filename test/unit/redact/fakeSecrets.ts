/**
 * Realistic-looking fake credentials, generated from a seeded PRNG and each format's character
 * set. Nothing here is a literal key: GitHub push protection (and any scanner) would rightly block
 * a repository that contains token-shaped literals, and generated values cannot be real.
 */

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const B62 = UPPER + LOWER + DIGITS;
export const B64 = B62 + '+/';
export const B64URL = B62 + '-_';
export const HEX = '0123456789abcdef';

/** mulberry32: small, fast, good enough to make token-shaped strings reproducibly. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chars(charset: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += charset.charAt(this.int(charset.length));
    return s;
  }

  bytes(length: number): Buffer {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i++) b[i] = this.int(256);
    return b;
  }
}

/** Generators for every family the redactor knows, all driven by one seeded Rng. */
export class FakeSecrets {
  constructor(private readonly rng: Rng) {}

  b62(n: number): string {
    return this.rng.chars(B62, n);
  }
  hex(n: number): string {
    return this.rng.chars(HEX, n);
  }
  b64url(n: number): string {
    return this.rng.chars(B64URL, n);
  }

  githubClassic(kind: 'p' | 'o' | 'u' | 's' | 'r' = 'p'): string {
    return `gh${kind}_` + this.b62(36);
  }
  githubFineGrained(): string {
    return 'github' + '_pat_' + this.b62(22) + '_' + this.b62(59);
  }
  gitlab(): string {
    return 'glpat' + '-' + this.b64url(20);
  }
  npm(): string {
    return 'npm' + '_' + this.b62(36);
  }
  pypi(): string {
    return 'pypi' + '-AgEIcHlwaS5vcmc' + this.b64url(70);
  }
  awsKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
    return prefix + this.rng.chars(UPPER + DIGITS, 16);
  }
  /** 40 base64 characters, never starting with `/` (a leading slash reads as a path to any parser). */
  awsSecret(): string {
    return this.b62(1) + this.rng.chars(B64, 39);
  }
  awsSessionToken(): string {
    return 'IQoJb3JpZ2luX2Vj' + this.rng.chars(B64, 300);
  }
  azureStorageKey(): string {
    return this.rng.bytes(64).toString('base64');
  }
  azureSharedAccessKey(): string {
    return this.rng.bytes(32).toString('base64');
  }
  azureAdSecret(): string {
    return this.b62(3) + '8Q~' + this.rng.chars(B62 + '_~.-', 33) + this.b62(1);
  }
  sasSignature(): string {
    return encodeURIComponent(this.rng.bytes(32).toString('base64'));
  }
  googleApiKey(): string {
    return 'AIza' + this.rng.chars(B64URL, 35);
  }
  googleOauth(): string {
    return 'ya29' + '.' + this.b64url(160);
  }
  openai(prefix: '' | 'proj-' | 'svcacct-' | 'admin-' = 'proj-'): string {
    return 'sk-' + prefix + (prefix === '' ? this.b62(48) : this.b64url(156));
  }
  anthropic(): string {
    return 'sk-' + 'ant-api03-' + this.b64url(93) + 'AA';
  }
  huggingFace(): string {
    return 'hf' + '_' + this.rng.chars(UPPER + LOWER, 34);
  }
  groq(): string {
    return 'gsk' + '_' + this.b62(52);
  }
  slackBot(): string {
    return 'xox' + 'b-' + this.rng.chars(DIGITS, 12) + '-' + this.rng.chars(DIGITS, 13) + '-' + this.b62(24);
  }
  slackWebhookPath(): string {
    return 'T' + this.rng.chars(UPPER + DIGITS, 10) + '/B' + this.rng.chars(UPPER + DIGITS, 10) + '/' + this.b62(24);
  }
  discordWebhookPath(): string {
    return this.rng.chars(DIGITS, 18) + '/' + this.b64url(68);
  }
  stripe(prefix: 'sk_live_' | 'sk_test_' | 'rk_live_' | 'rk_test_' = 'sk_live_'): string {
    return prefix + this.b62(99);
  }
  stripeWebhook(): string {
    return 'whsec' + '_' + this.b62(32);
  }
  twilioSid(prefix: 'AC' | 'SK' = 'AC'): string {
    return prefix + this.hex(32);
  }
  sendgrid(): string {
    return 'SG' + '.' + this.b64url(22) + '.' + this.b64url(43);
  }
  mailgun(): string {
    return 'key' + '-' + this.hex(32);
  }
  shopify(): string {
    return 'shpat' + '_' + this.hex(32);
  }
  digitalOcean(): string {
    return 'dop' + '_v1_' + this.hex(64);
  }
  databricks(): string {
    return 'dapi' + this.hex(32);
  }
  vault(): string {
    return 'hvs' + '.CAESI' + this.b64url(85);
  }
  vaultLegacy(): string {
    return 's.' + this.b62(24);
  }
  dockerHub(): string {
    return 'dckr' + '_pat_' + this.b64url(27);
  }
  ageKey(): string {
    return 'AGE-SECRET-KEY-' + '1' + this.rng.chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58);
  }
  jwt(): string {
    const header = Buffer.from('{"alg":"RS256","typ":"JWT","kid":"' + this.hex(8) + '"}').toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ sub: this.hex(12), iat: 1700000000 + this.rng.int(1e6), scope: 'repo read:org' }),
    ).toString('base64url');
    return `${header}.${payload}.${this.b64url(342)}`;
  }
  /** A PEM block with real newlines (`escaped` false) or `\n` escapes as inside a JSON string. */
  pem(label = 'RSA PRIVATE KEY', escaped = false, bodyLines = 12): string {
    const nl = escaped ? '\\n' : '\n';
    const lines = [`-----BEGIN ${label}-----`];
    lines.push('MII' + this.rng.chars(B64, 61));
    for (let i = 1; i < bodyLines; i++) lines.push(this.rng.chars(B64, 64));
    lines.push(this.rng.chars(B64, 20) + '==');
    lines.push(`-----END ${label}-----`);
    return lines.join(nl);
  }
  /** An opaque high-entropy token with no known prefix. */
  opaque(length = 40): string {
    let s = this.b62(length);
    // Guarantee the character mix a generated token has (a 40-char draw nearly always has it).
    s = 'a' + s.slice(1, -2) + 'Z7';
    return s;
  }
  /** A human-made-looking password: letters with digits and punctuation, no shell/URL metacharacters. */
  password(length = 14): string {
    return this.rng.chars(UPPER, 1) + this.rng.chars(LOWER + DIGITS + '!#*_+', length - 3) + this.rng.chars(DIGITS, 1) + '!';
  }
  /** A password safe inside a URL's user info without percent-encoding. */
  urlPassword(length = 16): string {
    return this.rng.chars(LOWER, 1) + this.rng.chars(B62, length - 2) + this.rng.chars(DIGITS, 1);
  }
}

export function fakes(seed: number): FakeSecrets {
  return new FakeSecrets(new Rng(seed));
}
