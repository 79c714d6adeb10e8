import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactDeep } from '../../../src/redact/redactDeep';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { generateCorpus } from '../../redaction/corpus';
import { fakes } from './fakeSecrets';

const f = fakes(0xdee9);
const redactor = createRedactor();

test('redactDeep redacts every string value at any depth and keeps everything else', () => {
  const gh = f.githubClassic();
  const pw = f.password();
  const event = {
    id: 'evt-1',
    type: 'tool.execution_complete',
    data: {
      toolName: 'run_in_terminal',
      success: true,
      durationMs: 1250,
      result: `GITHUB_TOKEN=${gh}`,
      error: null,
      arguments: { command: `psql postgres://app:${pw}@db/app`, args: ['-c', `password=${pw}`, 3, false] },
    },
    ephemeral: undefined,
  };
  const out = redactDeep(event, redactor);
  assert.deepEqual(out, {
    id: 'evt-1',
    type: 'tool.execution_complete',
    data: {
      toolName: 'run_in_terminal',
      success: true,
      durationMs: 1250,
      result: 'GITHUB_TOKEN=[REDACTED:github-token]',
      error: null,
      arguments: {
        command: 'psql postgres://app:[REDACTED:url-credentials]@db/app',
        args: ['-c', 'password=[REDACTED:password-assignment]', 3, false],
      },
    },
    ephemeral: undefined,
  });
  assert.ok(!JSON.stringify(out).includes(gh) && !JSON.stringify(out).includes(pw));
});

test('redactDeep copies what holds a secret, leaves the input untouched and shares what holds none', () => {
  const gh = f.githubClassic();
  const input = { nested: { list: [gh] } };
  const out = redactDeep(input, redactor);
  assert.notEqual(out, input);
  assert.notEqual(out.nested, input.nested);
  assert.notEqual(out.nested.list, input.nested.list);
  assert.equal(input.nested.list[0], gh);
  assert.equal(out.nested.list[0], '[REDACTED:github-token]');

  const mixed = { clean: { words: ['plain', 'text'] }, dirty: ['before', `token ${gh}`, 'after'], n: 1 };
  const redacted = redactDeep(mixed, redactor);
  assert.equal(redacted.clean, mixed.clean, 'nothing to change: shared, not copied');
  assert.notEqual(redacted.dirty, mixed.dirty);
  assert.deepEqual(redacted.dirty, ['before', 'token [REDACTED:github-token]', 'after']);
  assert.equal(mixed.dirty[1], `token ${gh}`);
  const clean = { a: { b: ['c'] } };
  assert.equal(redactDeep(clean, redactor), clean);
});

test('redactDeep handles top-level strings, primitives and a __proto__ key from parsed JSON', () => {
  assert.equal(redactDeep(`token ${f.githubClassic()}`, redactor), 'token [REDACTED:github-token]');
  assert.equal(redactDeep(42, redactor), 42);
  assert.equal(redactDeep(null, redactor), null);
  const parsed = JSON.parse(`{"__proto__": {"polluted": "${f.githubClassic()}"}}`) as Record<string, unknown>;
  const out = redactDeep(parsed, redactor) as Record<string, unknown>;
  assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
  assert.deepEqual(out['__proto__'], { polluted: '[REDACTED:github-token]' });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('object keys are left as they are', () => {
  const key = f.githubClassic();
  const out = redactDeep({ [key]: 'v' }, redactor);
  assert.deepEqual(Object.keys(out), [key]);
});

test('redactDeep gives what redact gives each string, for every corpus entry inside objects, also when texts recur', () => {
  const corpus = generateCorpus(31);
  const entries = [...corpus.positives, ...corpus.negatives].map((e) => e.text);
  // The reference redacts from findSecrets every time, so nothing is remembered on its side.
  const reference = createRedactor();
  const full = (text: string): string => {
    let out = '';
    let at = 0;
    for (const s of reference.findSecrets(text)) {
      out += `${text.slice(at, s.start)}[REDACTED:${s.kind}]`;
      at = s.end;
    }
    return out + text.slice(at);
  };
  const deep = createRedactor();
  // Twice: the second round meets every short text again (remembered as clean, or not).
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < entries.length; i += 3) {
      const [a, b, c] = [entries[i] as string, entries[i + 1] ?? '', entries[i + 2] ?? ''];
      const value = { tool: 'run_in_terminal', args: { command: a, list: [b, 7, { nested: c }] }, result: `${b}\n${c}`, ok: true };
      const expected = {
        tool: full('run_in_terminal'),
        args: { command: full(a), list: [full(b), 7, { nested: full(c) }] },
        result: full(`${b}\n${c}`),
        ok: true,
      };
      assert.deepEqual(redactDeep(value, deep), expected);
    }
  }
});
