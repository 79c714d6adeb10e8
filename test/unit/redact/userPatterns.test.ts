import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catastrophicReason, compileUserPatterns } from '../../../src/redact/userPatterns';
import { createRedactor } from '../../../src/redact/secretRedactor';

test('valid patterns redact their matches as [REDACTED:custom]', () => {
  const r = createRedactor({ extraPatterns: ['acme_[a-z0-9]{16}', '/INTERNAL-[0-9]{6}/i'] });
  assert.deepEqual(r.problems, []);
  assert.equal(r.redact('key acme_0123456789abcdef here'), 'key [REDACTED:custom] here');
  assert.equal(r.redact('ticket internal-123456 and INTERNAL-654321'), 'ticket [REDACTED:custom] and [REDACTED:custom]');
  assert.equal(r.redact('nothing to see'), 'nothing to see');
});

test('a group named secret limits the redaction to that group', () => {
  const r = createRedactor({ extraPatterns: ['employee_pin=(?<secret>\\d{6})'] });
  assert.equal(r.redact('employee_pin=482913 ok'), 'employee_pin=[REDACTED:custom] ok');
});

test('user patterns and built-in detectors combine; overlaps become one marker', () => {
  const r = createRedactor({ extraPatterns: ['corp-[A-Z]{4}'] });
  const text = 'see corp-ABCD and https://u:hunter2x@db.example.com/x';
  assert.equal(r.redact(text), 'see [REDACTED:custom] and https://u:[REDACTED:url-credentials]@db.example.com/x');
  const r2 = createRedactor({ extraPatterns: ['u:hunter2x@db'] });
  assert.equal(r2.redact(text), 'see corp-ABCD and https://[REDACTED:custom].example.com/x');
});

test('invalid patterns are reported once by index and reason, never by their text, and ignored', () => {
  const messages: string[] = [];
  const secretLooking = '(sk-live-very-secret-part';
  const r = createRedactor({ extraPatterns: ['ok_[0-9]{4}', secretLooking, '[unclosed', ''], onProblem: (m) => messages.push(m) });
  assert.equal(messages.length, 3);
  assert.deepEqual(r.problems, messages);
  assert.match(messages[0] ?? '', /^sessionRelay\.redaction\.extraPatterns\[1\] ignored: invalid regular expression \(.+\)\.$/);
  assert.match(messages[1] ?? '', /extraPatterns\[2\] ignored: invalid regular expression/);
  assert.match(messages[2] ?? '', /extraPatterns\[3\] ignored: not a non-empty string/);
  for (const m of messages) assert.ok(!m.includes('very-secret') && !m.includes('unclosed'), m);
  assert.equal(r.redact('ok_1234 (sk-live-very-secret-part'), '[REDACTED:custom] (sk-live-very-secret-part');
});

test('non-string entries and bad flags are reported', () => {
  const { patterns, problems } = compileUserPatterns([42, null, '/abc/x', '/abc/ii', '/abc/gim']);
  assert.equal(patterns.length, 1);
  assert.equal(patterns[0]?.index, 4);
  assert.equal(patterns[0]?.regex.flags, 'gim');
  assert.equal(problems.length, 4);
  assert.match(problems[0] ?? '', /\[0\] ignored: not a non-empty string/);
  assert.match(problems[2] ?? '', /\[2\] ignored: unsupported or repeated flags/);
});

test('a pattern matching the empty string is rejected', () => {
  const { patterns, problems } = compileUserPatterns(['a*', 'x?']);
  assert.equal(patterns.length, 0);
  for (const p of problems) assert.match(p, /matches the empty string/);
});

const catastrophic = [
  '(a+)+$',
  '(a*)*b',
  '(.*)*x',
  '(\\w+\\s?)*$',
  '(?:a?)+',
  '((ab)*c)+',
  '(a|aa)*',
  '(\\w|\\d)+z',
  '(.|\\s)*end',
  '(?:x+|y)+',
  '([a-z]+)*@',
  '(a{1,3})+b',
  '(\\d+)\\1',
  '(?<n>a)\\k<n>',
];

test('catastrophic patterns are rejected with a reason', () => {
  for (const source of catastrophic) {
    assert.notEqual(catastrophicReason(source), null, source);
  }
  const { patterns, problems } = compileUserPatterns(catastrophic);
  assert.equal(patterns.length, 0);
  assert.equal(problems.length, catastrophic.length);
  for (const p of problems) assert.match(p, /ignored: rejected because (a repeated group|it uses a backreference)/);
});

test('safe patterns with groups, alternation, classes and bounded repeats are accepted', () => {
  for (const source of [
    'acme_[a-z0-9]{32}',
    '(?:foo|bar)+baz',
    '(?:ab){2,4}',
    '(?:\\d{3}-)+\\d{4}',
    'tok_(?:live|test)_[A-Za-z0-9]{24}',
    '[(a+)+]x',
    '\\(a+\\)+',
    '(?<secret>[A-F0-9]{40})',
    '(?=x)y+',
    'a(b|c)d',
  ]) {
    assert.equal(catastrophicReason(source), null, source);
  }
});

test('an accepted pattern runs over a large text without trouble', () => {
  const r = createRedactor({ extraPatterns: ['acme_[a-z0-9]{16}'] });
  const text = 'a'.repeat(1_000_000) + ' acme_0123456789abcdef';
  assert.equal(r.redact(text), 'a'.repeat(1_000_000) + ' [REDACTED:custom]');
});
