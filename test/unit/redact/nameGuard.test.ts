/**
 * The name guard runs before the assignment and pair detectors at every `=`, `:`, `",` and `',`:
 * it may turn a position away only where those detectors would find nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignmentDetector, pairDetector } from '../../../src/redact/assignmentDetector';
import type { NameGuard } from '../../../src/redact/nameGuard';
import { generateCorpus } from '../../redaction/corpus';
import { Rng } from './fakeSecrets';

const guard = assignmentDetector.nameGuard?.['='] as NameGuard;

function passes(name: string, separator = '='): boolean {
  const text = `${name}${separator}`;
  return guard.test(text, text.length - separator.length);
}

test('the guard passes names ending in a secret word, past neutral words and numbers', () => {
  const yes = [
    'DB_PASSWORD', 'password', 'apiKey', 'x-api-key', 'GITHUB_TOKEN_PROD', 'secretValue', 'AUTH_TOKEN_V2', 'client_secret_1',
    'TWILIO_SID', 'my.twilio.account', 'Authorization', 'PGPASSWORD', 'pass_word', 'SECRETS', 'awsCredentials', 'value',
    'token_base64', 'apikey_encoded_old', 'KEY2',
  ];
  for (const name of yes) assert.equal(passes(name), true, name);
  for (const text of ['{"password": 1', "x['password'] = 1", 'password ?] = 1', 'my \\"password\\": 1']) {
    assert.equal(guard.test(text, text.search(/[=:]/)), true, text);
  }
});

test('the guard turns away names whose last word is not a secret word', () => {
  const no = ['id', 'created_at', 'password.js', 'token-event', 'Author', 'keyboard', 'passwordHash', 'tokenizer', 'integrity', 'version', 'options'];
  for (const name of no) assert.equal(passes(name), false, name);
});

test('wherever the assignment or pair detector finds a secret, the guard passes', () => {
  const corpus = generateCorpus(21);
  const texts = [...corpus.positives, ...corpus.negatives].map((e) => e.text);
  const rng = new Rng(5);
  // Corpus texts, and the same with random neighbours glued on (names running on, quotes, spaces).
  for (let k = 0; k < 400; k++) texts.push(rng.chars('aZ_9 -."\'', rng.int(6)) + (texts[rng.int(texts.length)] as string) + rng.chars('aZ_9 -."', rng.int(4)));
  let checked = 0;
  for (const text of texts) {
    for (let at = 0; at < text.length; at++) {
      const c = text[at];
      const detector = c === '=' || c === ':' ? assignmentDetector : (c === '"' || c === "'") && text[at + 1] === ',' ? pairDetector : null;
      if (detector === null || detector.match(text, at) === null) continue;
      checked++;
      assert.equal(guard.test(text, at), true, JSON.stringify(text.slice(Math.max(0, at - 60), at + 20)));
    }
  }
  assert.ok(checked > 200, `only ${checked} positions found a secret`);
});
