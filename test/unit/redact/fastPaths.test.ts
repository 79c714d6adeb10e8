/**
 * The shortcuts taken for speed must not change what is redacted: the specialised backward keyword
 * test, the verdict cache of the assignment detector, the early length check and the jointly
 * chosen scanner needles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchorScanner } from '../../../src/redact/anchorScanner';
import { charTable, ALNUM } from '../../../src/redact/detector';
import { KeywordAutomaton } from '../../../src/redact/keywordAutomaton';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { Rng, fakes } from './fakeSecrets';

test('the specialised backward keyword test agrees with testBackward', () => {
  const words = ['pass', 'pw', 'secret', 'token', 'key', 'auth', 'cred', 'pat', 'twilio'];
  const reversed = new KeywordAutomaton(words.map((w) => [...w].reverse().join('')));
  const table = charTable(ALNUM + '_.-');
  const fast = reversed.backward(table);
  const rng = new Rng(7);
  const alphabet = 'pasSwWoRdTkKEnyYcCrRtThHuUiIlL_.-: "é0123';
  for (let round = 0; round < 2000; round++) {
    const text = rng.chars(alphabet, 1 + rng.int(60));
    const end = rng.int(text.length + 1);
    const max = 1 + rng.int(40);
    assert.equal(fast(text, end, max), reversed.testBackward(text, end, max, table), JSON.stringify([text, end, max]));
  }
});

test('a value turned away in one context is still judged afresh in another', () => {
  const r = createRedactor();
  const value = 'q7Vd2LxP9mZk4RtB8wNc3HsJ';
  // A call in code: not a literal, left alone (and remembered as such for this context only).
  assert.equal(r.redact(`const token = ${value}(x);`), `const token = ${value}(x);`);
  assert.equal(r.redact(`const token = ${value}(x);`), `const token = ${value}(x);`);
  // The same characters as a quoted literal, an env line or under a password name are secrets.
  assert.equal(r.redact(`const token = "${value}";`), 'const token = "[REDACTED:secret-assignment]";');
  assert.equal(r.redact(`API_TOKEN=${value}`), 'API_TOKEN=[REDACTED:secret-assignment]');
  assert.equal(r.redact(`password: "${value}"`), 'password: "[REDACTED:password-assignment]"');
});

test('short values under a secret name are left alone, long enough ones are not', () => {
  const r = createRedactor();
  for (const text of ['{ token: 123 }', 'password = "abc"', 'key: 42', 'secret=ab12']) assert.equal(r.redact(text), text);
  const f = fakes(11);
  const pw = f.password();
  assert.notEqual(r.redact(`password = "${pw}"`), `password = "${pw}"`);
});

test('needles shared across anchors still find every occurrence, dynamic anchors included', () => {
  const anchors = ['ghp_', 'hvs.', 'ya29.', 'eyJ', 'SG.', 'SK', 'AKIA', ':', '=', '--', 'sk-', 'Zq9-x', 'reassert'];
  const scanner = new AnchorScanner(anchors.map((anchor) => ({ anchor, owner: anchor })));
  const rng = new Rng(5);
  for (let round = 0; round < 300; round++) {
    let text = rng.chars('ghp_vsy29.eJSGKAI:=-kZqxreat 0', 1 + rng.int(200));
    for (let k = 0; k < 4; k++) {
      const a = anchors[rng.int(anchors.length)] ?? '';
      const at = rng.int(text.length + 1);
      text = text.slice(0, at) + a + text.slice(at);
    }
    const seen: string[] = [];
    scanner.scan(text, (owner, at) => seen.push(`${at}:${owner}`));
    const expected: string[] = [];
    for (const a of anchors) for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) expected.push(`${i}:${a}`);
    assert.deepEqual(seen.sort(), expected.sort(), JSON.stringify(text));
  }
});

test('a member access of lower-case words after a secret name is left alone, a value that only looks like one is not', () => {
  const r = createRedactor();
  for (const line of ['const password = options.password ?? fallback;', 'apiKey = config.auth.key', 'token: settings.token,']) {
    assert.deepEqual(r.findSecrets(line), [], line);
  }
  // Not lower-case words joined by dots, so judged in full: a digit, punctuation, upper case.
  const password = r.findSecrets('const password = options.passw0rd!;');
  assert.equal(password.length, 1);
  assert.equal(password[0]?.kind, 'password-assignment');
  assert.equal(r.redact('password = hunter.Tr0ub4dor!3'), 'password = [REDACTED:password-assignment]');
});
