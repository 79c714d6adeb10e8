import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { B64, Rng, fakes } from './fakeSecrets';

const f = fakes(0xfeed);
const redactor = createRedactor();

/** Mixed secrets and ordinary lines, the shape of a chat transcript. */
function sampleTexts(): string[] {
  const pw = f.password();
  return [
    `GITHUB_TOKEN=${f.githubClassic()}\nAWS_ACCESS_KEY_ID=${f.awsKeyId()}\naws_secret_access_key = ${f.awsSecret()}`,
    `curl -H "Authorization: Bearer ${f.jwt()}" https://api.acme.io`,
    `postgres://app:${f.urlPassword()}@db:5432/app and postgres://localhost/dev`,
    `{"password": "${pw}", "user": "admin"}`,
    JSON.stringify({ output: `${f.pem('PRIVATE KEY')}\nDB_PASSWORD=${pw}\n` }),
    `Authorization: Basic ${Buffer.from('u:' + f.password()).toString('base64')}`,
    `const apiKey = "${f.opaque(32)}"; // ${f.openai()}`,
    `https://hooks.slack.com/services/${f.slackWebhookPath()} ${f.slackBot()}`,
    `commit ${f.hex(40)} token: string; if (!password) throw; SECRET=${f.opaque(24)}`,
    `AccountKey=${f.azureStorageKey()};SharedAccessKey=${f.azureSharedAccessKey()}`,
  ];
}

test('redaction is idempotent: redact(redact(x)) === redact(x)', () => {
  const r = createRedactor({ dynamicSecrets: ['dynamic-' + f.b62(16)], extraPatterns: ['acme_[a-z0-9]{8}'] });
  const texts = sampleTexts();
  texts.push(texts.join('\n'), 'already [REDACTED:github-token] and acme_12345678');
  for (const text of texts) {
    const once = r.redact(text);
    assert.notEqual(once, text, 'every sample holds a secret');
    assert.equal(r.redact(once), once);
  }
});

test('existing markers are left as they are, also where a detector would read them as a value', () => {
  for (const text of [
    'GITHUB_TOKEN=[REDACTED:github-token]',
    'password=[REDACTED:password-assignment]',
    '{"password": "[REDACTED:password-assignment]"}',
    'postgres://app:[REDACTED:url-credentials]@db:5432/app',
    'https://[REDACTED:url-credentials]@git.acme.io/a.git',
    'Authorization: Bearer [REDACTED:jwt]',
    'Authorization: token [REDACTED:authorization-header]',
    '--password [REDACTED:password-assignment] --verbose',
    '"private_key": "[REDACTED:pem-private-key]\\n"',
  ]) {
    assert.equal(redactor.redact(text), text);
  }
});

test('text without secrets is returned without being copied (the fast path)', () => {
  const text = 'ordinary text with a password mention, a key: value pair and https://example.com\n'.repeat(20_000);
  // Strings are primitives, so identity is not observable; a rebuilt result would have to be
  // assembled from slices of the input, so watch for any large slice being taken.
  const originalSlice = String.prototype.slice;
  let largest = 0;
  String.prototype.slice = function (this: string, start?: number, end?: number): string {
    const out = originalSlice.call(this, start, end);
    if (out.length > largest) largest = out.length;
    return out;
  };
  let out: string;
  try {
    out = redactor.redact(text);
  } finally {
    String.prototype.slice = originalSlice;
  }
  assert.equal(out, text);
  assert.ok(largest < 1000, `took a slice of ${largest} characters`);
  assert.equal(redactor.findSecrets(text).length, 0);
});

test('the fast-path check can see a rebuilt result: redacting a text with a secret takes large slices', () => {
  const text = 'x'.repeat(50_000) + ` ${f.githubClassic()} ` + 'y'.repeat(50_000);
  const originalSlice = String.prototype.slice;
  let largest = 0;
  String.prototype.slice = function (this: string, start?: number, end?: number): string {
    const out = originalSlice.call(this, start, end);
    if (out.length > largest) largest = out.length;
    return out;
  };
  try {
    redactor.redact(text);
  } finally {
    String.prototype.slice = originalSlice;
  }
  assert.ok(largest >= 50_000);
});

test('matches inside an existing marker are dropped, even from user patterns and dynamic secrets', () => {
  const r = createRedactor({ extraPatterns: ['REDACTED:[a-z]+'], dynamicSecrets: ['github-token]'] });
  const text = 'see [REDACTED:github-token] and [REDACTED:jwt]';
  assert.equal(r.redact(text), text);
  assert.equal(r.redact('REDACTED:plain'), '[REDACTED:custom]');
});

test('the empty string comes back as it is', () => {
  assert.equal(redactor.redact(''), '');
  assert.deepEqual(redactor.findSecrets(''), []);
});

test('the same span found by a vendor detector and a generic one is named after the vendor format', () => {
  const gh = f.githubClassic();
  assert.equal(redactor.redact(`password=${gh}`), 'password=[REDACTED:github-token]');
  assert.equal(redactor.redact(`Authorization: Bearer ${gh}`), 'Authorization: Bearer [REDACTED:github-token]');
  assert.equal(redactor.redact(`https://x-access-token:${gh}@github.com`), 'https://x-access-token:[REDACTED:github-token]@github.com');
});

test('overlapping matches become one marker covering both, named after the longest', () => {
  const gh = f.githubClassic();
  const r = createRedactor({ extraPatterns: ['prefix-gh[a-z]_'] });
  const out = r.redact(`prefix-${gh} tail`);
  assert.equal(out, '[REDACTED:github-token] tail');
  const r2 = createRedactor({ dynamicSecrets: [gh.slice(10) + ' tail'] });
  assert.equal(r2.redact(`${gh} tail end`), '[REDACTED:github-token] end');
  const r3 = createRedactor({ dynamicSecrets: [gh.slice(10) + ' tail and much more than the token'] });
  assert.equal(r3.redact(`${gh} tail and much more than the token!`), '[REDACTED:dynamic-secret]!');
});

test('findSecrets reports the merged spans in order with their kinds', () => {
  const aws = f.awsKeyId();
  const gh = f.githubClassic();
  const text = `a ${aws} b ${gh} c`;
  const spans = redactor.findSecrets(text);
  assert.deepEqual(
    spans.map((s) => [text.slice(s.start, s.end), s.kind]),
    [
      [aws, 'aws-access-key-id'],
      [gh, 'github-token'],
    ],
  );
});

test('separate redactors do not share dynamic secrets or user patterns', () => {
  const token = 'only-in-a-' + f.b62(12);
  const a = createRedactor({ dynamicSecrets: [token], extraPatterns: ['zz_[0-9]{4}'] });
  const b = createRedactor();
  assert.equal(a.redact(`${token} zz_1234`), '[REDACTED:dynamic-secret] [REDACTED:custom]');
  assert.equal(b.redact(`${token} zz_1234`), `${token} zz_1234`);
});

test('large inputs without secrets come back unchanged (1 MB of a, of =, of base64, and other adversarial runs)', () => {
  const rng = new Rng(7);
  const mb = 1_000_000;
  const repeat = (unit: string): string => unit.repeat(Math.ceil(mb / unit.length));
  const inputs = [
    'a'.repeat(mb),
    '='.repeat(mb),
    rng.chars(B64, mb),
    rng.bytes(750_000).toString('base64'),
    ':'.repeat(mb),
    '-'.repeat(mb),
    '_'.repeat(mb),
    '~'.repeat(mb),
    repeat('key='),
    repeat('password='),
    repeat('"token":"'),
    repeat('token: '),
    repeat('--password '),
    repeat('eyJ'),
    repeat('AKIA'),
    repeat('ghp_'),
    repeat('-----BEGIN PRIVATE KEY-----'),
    repeat('https://'),
    repeat('a:b@'),
    repeat('Bearer '),
    repeat('[REDACTED:'),
    'x'.repeat(mb) + '@',
  ];
  for (const text of inputs) assert.equal(redactor.redact(text), text);
});

test('a secret at the end of a 1 MB line of token characters is still found', () => {
  const gh = f.githubClassic();
  const text = 'a'.repeat(1_000_000) + ' ' + gh;
  assert.equal(redactor.redact(text), 'a'.repeat(1_000_000) + ' [REDACTED:github-token]');
});
