/**
 * Recall and false-positive rate of the built-in redactor on the labelled corpus (see corpus.ts).
 * Misses are reported by kind and context, never with the secret or the text around it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../src/redact/secretRedactor';
import { CorpusEntry, describeCorpus, generateCorpus } from './corpus';

const MIN_RECALL = 0.99;
const MAX_FALSE_POSITIVE_RATE = 0.005;

const corpus = generateCorpus();
const redactor = createRedactor();

/** Every credential family SPEC §7 names, by corpus kind. */
const SPEC_FAMILIES = [
  'jwt', 'bearer-opaque', 'basic-auth', 'password-assignment', 'github-classic', 'github-app', 'github-fine-grained',
  'gitlab', 'npm', 'pypi', 'aws-access-key-id', 'aws-secret-access-key', 'azure-storage-connection',
  'azure-service-bus-connection', 'azure-cosmos-connection', 'azure-apim-key', 'azure-ad-client-secret', 'azure-sas',
  'google-api-key', 'gcp-service-account', 'openai-legacy', 'openai-project', 'openai-svcacct', 'openai-admin',
  'anthropic', 'huggingface', 'groq', 'slack-token', 'slack-webhook', 'discord-webhook', 'stripe', 'twilio',
  'sendgrid', 'mailgun', 'shopify', 'digitalocean', 'databricks', 'vault', 'pem-private-key',
  'pem-private-key-escaped', 'pem-private-key-base64', 'url-postgres', 'url-mysql', 'url-mongodb', 'url-redis', 'url-amqp',
  'generic-secret-assignment',
];

/** "kind (context): n" lines for entries grouped by kind, then context. */
function byKind(entries: readonly CorpusEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.kind} (${e.context})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort().map(([k, n]) => `  ${k}: ${n}`);
}

test('the corpus is large and varied enough to mean something', () => {
  const d = describeCorpus(corpus);
  assert.ok(d.kinds >= 30, `${d.kinds} kinds`);
  assert.ok(d.negatives >= 300, `${d.negatives} negatives`);
  const contextsOf = new Map<string, Set<string>>();
  for (const e of corpus.positives) {
    if (!contextsOf.has(e.kind)) contextsOf.set(e.kind, new Set());
    contextsOf.get(e.kind)?.add(e.context);
  }
  for (const [kind, contexts] of contextsOf) assert.ok(contexts.size >= 3, `${kind} appears in ${contexts.size} contexts`);
  for (const family of SPEC_FAMILIES) assert.ok(contextsOf.has(family), `no ${family} in the corpus`);
  // Deterministic: the same seed gives the same corpus, another seed another one.
  assert.deepEqual(generateCorpus(), corpus);
  assert.notDeepEqual(generateCorpus(1), corpus);
});

test(`recall ≥ ${MIN_RECALL * 100}% and false-positive rate ≤ ${MAX_FALSE_POSITIVE_RATE * 100}% on the labelled corpus`, (t) => {
  let secrets = 0;
  const missed: CorpusEntry[] = [];
  for (const entry of corpus.positives) {
    const out = redactor.redact(entry.text);
    for (const s of entry.secret ?? []) {
      secrets++;
      if (out.includes(s)) missed.push(entry);
    }
  }
  const damaged = corpus.negatives.filter((e) => redactor.redact(e.text) !== e.text);
  const recall = (secrets - missed.length) / secrets;
  const fpr = damaged.length / corpus.negatives.length;
  const d = describeCorpus(corpus);
  t.diagnostic(`corpus: ${d.kinds} kinds in ${d.contexts} contexts, ${d.positives} positives (${secrets} secrets), ${d.negatives} negatives`);
  t.diagnostic(`recall ${(recall * 100).toFixed(2)}% (${secrets - missed.length}/${secrets})`);
  t.diagnostic(`false-positive rate ${(fpr * 100).toFixed(2)}% (${damaged.length}/${corpus.negatives.length})`);
  // One diagnostic per line: TAP escapes newlines inside one.
  t.diagnostic(`misses by kind: ${missed.length === 0 ? 'none' : ''}`);
  for (const line of byKind(missed)) t.diagnostic(line);
  t.diagnostic(`damaged negatives by kind: ${damaged.length === 0 ? 'none' : ''}`);
  for (const line of byKind(damaged)) t.diagnostic(line);
  assert.ok(recall >= MIN_RECALL, `recall ${(recall * 100).toFixed(2)}%`);
  assert.ok(fpr <= MAX_FALSE_POSITIVE_RATE, `false-positive rate ${(fpr * 100).toFixed(2)}%`);
});

test('every positive is redacted with a marker, never by deleting text', () => {
  for (const entry of corpus.positives) {
    const out = redactor.redact(entry.text);
    if (out === entry.text) continue; // a miss, counted by the recall test
    assert.match(out, /\[REDACTED:[a-z0-9-]+\]/, `${entry.kind} (${entry.context})`);
    assert.equal(redactor.redact(out), out, `${entry.kind} (${entry.context}) is not idempotent`);
  }
});
