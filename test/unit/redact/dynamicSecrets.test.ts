import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DYNAMIC_SECRET_KIND,
  MIN_DYNAMIC_SECRET_LENGTH,
  dynamicSecretForms,
  secretValuesFromEnv,
} from '../../../src/redact/dynamicSecrets';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { fakes } from './fakeSecrets';

const f = fakes(0xd1a);
const MARK = `[REDACTED:${DYNAMIC_SECRET_KIND}]`;

test('secretValuesFromEnv takes well-known and secret-named variables and nothing else', () => {
  const receiver = f.opaque(24);
  const values = secretValuesFromEnv({
    GITHUB_TOKEN: 'gh-value-0001',
    OPENAI_API_KEY: 'openai-value-0002',
    ANTHROPIC_API_KEY: 'anthropic-value-0003',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-value-0004',
    NPM_TOKEN: 'npm-value-0005',
    PGPASSWORD: 'pg-value-0006',
    ACME_RECEIVER_TOKEN: receiver,
    MY_SERVICE_SECRET: 'service-secret-0007',
    DEPLOY_API_KEY: 'deploy-key-0008',
    REDIS_PASSWORD: 'redis-pass-0009',
    PATH: '/usr/local/bin:/usr/bin',
    HOME: '/home/dev',
    EDITOR: 'code --wait',
    NODE_ENV: 'production',
    TOKEN_COUNT_LIMIT: '100000000',
  });
  assert.deepEqual(
    [...values].sort(),
    [
      'anthropic-value-0003', 'aws-secret-value-0004', 'deploy-key-0008', 'gh-value-0001', 'npm-value-0005',
      'openai-value-0002', 'pg-value-0006', receiver, 'redis-pass-0009', 'service-secret-0007',
    ].sort(),
  );
});

test('secretValuesFromEnv skips short values, flags, numbers, paths and duplicates', () => {
  const values = secretValuesFromEnv({
    GH_TOKEN: 'short',
    CI_TOKEN: 'true',
    BUILD_TOKEN: '12345678901',
    APP_SECRET: '/run/secrets/app',
    HOME_SECRET: '~/secrets/app',
    A_TOKEN: '  same-value-123  ',
    B_TOKEN: 'same-value-123',
    UNSET_TOKEN: undefined,
  });
  assert.deepEqual(values, ['same-value-123']);
  assert.equal(MIN_DYNAMIC_SECRET_LENGTH, 8);
});

test('forms cover raw, base64 (padded, unpadded, url-safe), URL-encoded and JSON-escaped', () => {
  const value = 'p@ss/w+rd"ü?=';
  const forms = dynamicSecretForms(value);
  const b64 = Buffer.from(value).toString('base64');
  for (const expected of [
    value,
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(value).toString('base64url'),
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    JSON.stringify(value).slice(1, -1),
  ]) {
    assert.ok(forms.includes(expected), expected);
  }
  assert.equal(new Set(forms).size, forms.length);
  assert.deepEqual(dynamicSecretForms('seven77'), []);
});

test('a dynamic secret is redacted raw, in base64, base64url and URL-encoded, whatever its format', () => {
  const token = 'relay-' + f.b64url(12) + '+/=' + f.b62(6);
  const r = createRedactor({ dynamicSecrets: [token] });
  const b64 = Buffer.from(token).toString('base64');
  const b64url = Buffer.from(token).toString('base64url');
  const uri = encodeURIComponent(token);
  assert.equal(r.redact(`token=${token}; next`), `token=${MARK}; next`);
  assert.equal(r.redact(`blob ${b64} end`), `blob ${MARK} end`);
  assert.equal(r.redact(`blob ${b64url} end`), `blob ${MARK} end`);
  assert.equal(r.redact(`GET /cb?t=${uri}&x=1`), `GET /cb?t=${MARK}&x=1`);
  const lowerHex = uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  assert.notEqual(lowerHex, uri);
  assert.equal(r.redact(`GET /cb?t=${lowerHex}&x=1`), `GET /cb?t=${MARK}&x=1`);
});

test('a dynamic secret with no recognisable shape (a plain word-like password) is still redacted', () => {
  const r = createRedactor({ dynamicSecrets: ['correcthorsebattery'] });
  assert.equal(r.redact('I typed correcthorsebattery twice'), `I typed ${MARK} twice`);
  assert.equal(r.redact('{"note": "correcthorsebattery"}'), `{"note": "${MARK}"}`);
});

test('a dynamic secret that is also a known format keeps the specific kind', () => {
  const gh = f.githubClassic('o');
  const r = createRedactor({ dynamicSecrets: [gh] });
  assert.equal(r.redact(`session token ${gh}`), 'session token [REDACTED:github-token]');
  assert.equal(r.redact(Buffer.from(gh).toString('base64')), MARK);
});

test('dynamic secrets shorter than 8 characters are ignored', () => {
  const r = createRedactor({ dynamicSecrets: ['abc', 'short7!'] });
  const text = 'abc short7! abcabc';
  assert.equal(r.redact(text), text);
});

test('setDynamicSecrets replaces the set: the old token is no longer matched, the new one is', () => {
  const oldToken = 'old-' + f.b62(20);
  const newToken = 'new-' + f.b62(20);
  const r = createRedactor({ dynamicSecrets: [oldToken] });
  assert.equal(r.redact(`a ${oldToken} b`), `a ${MARK} b`);
  r.setDynamicSecrets([newToken]);
  assert.equal(r.redact(`a ${oldToken} b`), `a ${oldToken} b`);
  assert.equal(r.redact(`a ${newToken} b`), `a ${MARK} b`);
  r.setDynamicSecrets([]);
  assert.equal(r.redact(`a ${newToken} b`), `a ${newToken} b`);
});

test('a short text found clean before is redacted once it holds a new dynamic secret', () => {
  const token = 'later-' + f.b62(20);
  const r = createRedactor();
  const text = `session ${token}`;
  // Remembered as clean (short texts are), then the secret becomes known.
  assert.equal(r.redact(text), text);
  assert.equal(r.redact(text), text);
  r.setDynamicSecrets([token]);
  assert.equal(r.redact(text), `session ${MARK}`);
});

test('overlapping dynamic secrets become one marker', () => {
  const r = createRedactor({ dynamicSecrets: ['abcdefgh1234', 'gh1234ijklmn'] });
  assert.equal(r.redact('x abcdefgh1234ijklmn y'), `x ${MARK} y`);
});

test('many dynamic secrets are all found, including ones made only of common letters', () => {
  const values = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? f.hex(24) : 'lowercase' + 'abcdefghij'.charAt(i % 10).repeat(3) + i));
  values.push('reassertion', 'notations');
  const r = createRedactor({ dynamicSecrets: values });
  const text = values.map((v, i) => `line ${i}: ${v}`).join('\n');
  assert.equal(r.redact(text), values.map((_, i) => `line ${i}: ${MARK}`).join('\n'));
});
