import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCodeName,
  isFiller,
  isPathLike,
  isPlaceholder,
  isRandomCase,
  isReference,
  isWordLike,
  looksRandom,
  shannonEntropy,
} from '../../../src/redact/valueShape';
import { B62, Rng } from './fakeSecrets';

test('shannonEntropy counts bits per character', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abab'), 1);
  assert.equal(shannonEntropy('abcd'), 2);
  assert.equal(shannonEntropy('ééaa'), 1);
});

test('generated tokens look random; names, words, hashes with prefixes and paths do not', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 200; i++) {
    assert.ok(looksRandom(rng.chars(B62, 24) + '7', { minLength: 16 }), 'random base62');
  }
  for (const value of [
    'my-app-session-secret',
    'PROD_DB_PASSWORD_NAME',
    'AbstractSingletonProxyFactoryBean',
    'sha256:0123456789abcdef0123456789abcdef',
    '/home/dev/.config/acme/token.json',
    'https://example.com/path/to/something',
    '1.2.3-beta.4',
    '0123456789',
    'xxxxxxxxxxxxxxxxxxxxxxxx',
    'abcdefghijklmnopqrstuvwxyz012345',
    '550e8400-e29b-41d4-a716-446655440000',
  ]) {
    assert.equal(looksRandom(value, { minLength: 16, allowHex: true }), false, value);
  }
  assert.equal(looksRandom('5f4dcc3b5aa765d61d8327deb882cf99', { minLength: 16 }), false, 'hex needs allowHex');
  assert.equal(looksRandom('5f4dcc3b5aa765d61d8327deb882cf99', { minLength: 16, allowHex: true }), true);
});

test('random case is told from camelCase, PascalCase and acronyms', () => {
  for (const name of ['platformAuthDOMGetToken', 'AbstractSingletonProxyFactoryBean', 'XMLHttpRequest', 'isNotCommaToken', 'ntlmOptions', 'NodeJS']) {
    assert.equal(isRandomCase(name), false, name);
  }
  for (const letters of ['SqcdgIzpSNqPjTLGCLCVGognNsjVIAJD', 'EVlBidxSKiSgZK', 'jGkQmWzPxRtYvB']) {
    assert.equal(isRandomCase(letters), true, letters);
  }
});

test('code names are told from identifier-shaped literals', () => {
  for (const name of ['RESET_PASSWORD_V2_SUBMIT', 'OAuth2TokenCredential', 'Ed25519PrivateKey', 'secretValue', 'DEFAULT_TOKEN']) {
    assert.equal(isCodeName(name), true, name);
  }
  for (const literal of ['EVlBidxS3Ki0SgZK', 'yz97zu4ifgdlushehjmy228e', 'j4V4MlP9U0Op', 'bea43007348fcdcde32dafe758833d38']) {
    assert.equal(isCodeName(literal), false, literal);
  }
  assert.equal(isCodeName('hunter2'), true, 'one word with a number reads as a name in code');
  assert.equal(isCodeName('hunter2', 2), false, 'but not where literals are the norm');
});

test('word-like values, strict for passwords', () => {
  assert.equal(isWordLike('deps-linux-x64'), true);
  assert.equal(isWordLike('deps-linux-x64', true), false);
  assert.equal(isWordLike('my_app-2024'), true);
  assert.equal(isWordLike('M_Dc-EFUctOA', true), false);
  assert.equal(isWordLike('Tr0ub4dor'), false);
});

test('placeholders, filler, references and paths', () => {
  for (const p of ['<your-token>', 'your-api-key-here', 'changeme', 'xxxx-xxxx', '********', 'REDACTED', 'null', 'example-key']) {
    assert.equal(isPlaceholder(p), true, p);
  }
  assert.equal(isFiller('aaaaaaaaaaaa'), true);
  assert.equal(isFiller('abcdefgh1234'), true);
  assert.equal(isFiller('q8Zr2LmW0xTk'), false);
  for (const r of ['$TOKEN', '${TOKEN}', '$(gh auth token)', '${{ secrets.X }}', '%API_KEY%', '*defaultPassword', '!Ref', 'process.env.X']) {
    assert.equal(isReference(r), true, r);
  }
  for (const v of ['*GJpo^NDAOQi', '$2b$12$abc', '!uhMbVgQr5Lr']) assert.equal(isReference(v), false, v);
  assert.equal(isPathLike('/run/secrets/db_password'), true);
  assert.equal(isPathLike('~/.aws/credentials'), true);
  assert.equal(isPathLike('/Xk3p9Qz/Lw8vR2t+Jm4='), false);
});
