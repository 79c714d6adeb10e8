/**
 * Writes the generated corpus as JSON lines for inspection (it is never committed):
 *   npx tsc -p tsconfig.test.json --outDir out-redact && node out-redact/test/redaction/writeCorpus.js corpus.jsonl
 * Without a path it does nothing, because `node --test out/test/` also loads this file.
 */
import * as fs from 'node:fs';
import { describeCorpus, generateCorpus } from './corpus';

const target = require.main === module ? process.argv[2] : undefined;
if (target !== undefined) {
  const corpus = generateCorpus(process.argv[3] === undefined ? undefined : Number(process.argv[3]));
  const lines = [...corpus.positives, ...corpus.negatives].map((e) => JSON.stringify(e));
  fs.writeFileSync(target, lines.join('\n') + '\n');
  process.stdout.write(`${JSON.stringify(describeCorpus(corpus))} → ${target}\n`);
}
