/**
 * A large, seeded, realistic text for the redaction benchmark: what flows through a chat session's
 * tool results — source files, build and test logs, git output, JSON API responses, lockfile
 * fragments — with one secret about every 10 KB, taken from the labelled corpus (so secrets sit
 * in the same contexts as there). Returned as separate documents, since the redactor is called
 * once per event string.
 */
import { generateCorpus } from '../../test/redaction/corpus';
import { B64, FakeSecrets, Rng } from '../../test/unit/redact/fakeSecrets';

const WORDS = [
  'request', 'handler', 'session', 'config', 'user', 'order', 'payment', 'cache', 'queue', 'worker', 'event', 'token',
  'result', 'error', 'value', 'item', 'index', 'buffer', 'stream', 'client', 'server', 'route', 'model', 'schema',
  'password', 'key', 'retry', 'timeout', 'metrics', 'trace', 'span', 'build', 'deploy', 'test', 'render', 'state',
];

export interface Workload {
  readonly documents: readonly string[];
  readonly bytes: number;
  readonly secrets: number;
}

export function generateWorkload(targetBytes: number, seed = 0xbe7c4): Workload {
  const rng = new Rng(seed);
  const f = new FakeSecrets(rng);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const word = (): string => pick(WORDS);
  const camel = (): string => word() + word().replace(/^./, (c) => c.toUpperCase());
  const uuid = (): string => `${f.hex(8)}-${f.hex(4)}-4${f.hex(3)}-a${f.hex(3)}-${f.hex(12)}`;
  const ts = (i: number): string => new Date(Date.UTC(2025, 0, 6, 9) + i * 731).toISOString();

  const sourceFile = (): string => {
    const lines: string[] = [`import { ${camel()}, ${camel()} } from './${word()}/${camel()}';`, ''];
    for (let fn = 0; fn < 6 + rng.int(10); fn++) {
      lines.push(`/** ${word()} the ${word()} of a ${word()} before the ${word()} is sent. */`);
      lines.push(`export async function ${camel()}(${word()}: ${pick(['string', 'number', 'Request', 'Buffer'])}, options = {}): Promise<${pick(['void', 'string', 'Result'])}> {`);
      for (let s = 0; s < 3 + rng.int(8); s++) {
        lines.push(
          pick([
            `  const ${camel()} = await this.${camel()}(${word()}, { ${word()}: ${rng.int(1000)} });`,
            `  if (!${camel()}) throw new Error('${word()} ${word()} is required');`,
            `  logger.debug(\`${word()} \${${word()}.id} took \${Date.now() - start} ms\`);`,
            `  for (const ${word()} of ${camel()}) ${camel()}.push(${word()}.${camel()});`,
            `  const password = options.password ?? process.env.DB_PASSWORD;`,
            `  return ${camel()}.map((x) => x.${camel()}).filter(Boolean);`,
          ]),
        );
      }
      lines.push('}', '');
    }
    return lines.join('\n');
  };

  const logFile = (): string => {
    const lines: string[] = [];
    for (let i = 0; i < 40 + rng.int(80); i++) {
      lines.push(
        pick([
          `${ts(i)} INFO  [${pick(['api', 'worker', 'scheduler'])}] ${pick(['GET', 'POST', 'PUT'])} /v1/${word()}s/${uuid()} ${pick([200, 201, 204, 404, 500])} ${rng.int(900)}ms`,
          `${ts(i)} DEBUG ${word()} ${word()} trace_id=${f.hex(32)} span_id=${f.hex(16)}`,
          `${ts(i)} WARN  retrying ${word()} after ${rng.int(5000)}ms (attempt ${rng.int(5)}/5)`,
          `${ts(i)} ERROR ${camel()}Error: ${word()} ${word()} failed\n    at ${camel()} (/app/dist/${word()}.js:${rng.int(900)}:${rng.int(80)})`,
        ]),
      );
    }
    return lines.join('\n');
  };

  const gitLog = (): string => {
    const lines: string[] = [];
    for (let i = 0; i < 10 + rng.int(20); i++) {
      lines.push(`commit ${f.hex(40)}`, `Author: Dev ${word()} <${word()}@example.com>`, `Date:   Mon Jan 6 10:${10 + rng.int(49)}:00 2025 +0100`, '', `    ${pick(['fix', 'feat', 'chore'])}: ${word()} ${word()} ${word()}`, '');
    }
    return lines.join('\n');
  };

  const apiResponse = (): string => {
    const items = [];
    for (let i = 0; i < 10 + rng.int(30); i++) {
      items.push({ id: uuid(), sha: f.hex(40), name: `${word()}-${word()}`, created_at: ts(i), size: rng.int(1e6), url: `https://api.example.com/${word()}/${f.hex(8)}` });
    }
    return JSON.stringify({ total_count: items.length, items }, null, 2);
  };

  const lockfile = (): string => {
    const lines: string[] = [];
    for (let i = 0; i < 20 + rng.int(30); i++) {
      const name = `${word()}-${word()}`;
      lines.push(`    "node_modules/${name}": {`, `      "version": "${rng.int(20)}.${rng.int(20)}.${rng.int(20)}",`, `      "resolved": "https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz",`, `      "integrity": "sha512-${rng.chars(B64, 86)}=="`, '    },');
    }
    return lines.join('\n');
  };

  const makers = [sourceFile, sourceFile, logFile, logFile, gitLog, apiResponse, lockfile];
  const positives = generateCorpus(seed).positives;
  const documents: string[] = [];
  let bytes = 0;
  let secrets = 0;
  let sinceSecret = 0;
  while (bytes < targetBytes) {
    let doc = pick(makers)();
    sinceSecret += doc.length;
    // About one secret per 10 KB, placed inside the document at a line boundary.
    while (sinceSecret >= 10_000) {
      const at = doc.indexOf('\n', rng.int(doc.length));
      const secret = pick(positives).text;
      doc = at < 0 ? doc + '\n' + secret : doc.slice(0, at + 1) + secret + '\n' + doc.slice(at + 1);
      sinceSecret -= 10_000;
      secrets++;
    }
    documents.push(doc);
    bytes += Buffer.byteLength(doc);
  }
  return { documents, bytes, secrets };
}
