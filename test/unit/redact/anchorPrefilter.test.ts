import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { generateCorpus } from '../../redaction/corpus';
import { Rng } from './fakeSecrets';

// The WebAssembly prefilter only decides where the detectors look; these tests hold it to finding
// exactly what the JavaScript passes find, including where characters above U+00FF lose their
// high byte on the way into the kernel and may look like anchors.

const withKernel = createRedactor();
const withoutKernel = createRedactor({ prefilter: false });

function sameSecrets(text: string): void {
  assert.deepEqual(withKernel.findSecrets(text), withoutKernel.findSecrets(text), JSON.stringify(text.slice(0, 200)));
}

test('the prefilter finds the same secrets as the JavaScript scan on every corpus entry, in long texts', () => {
  const corpus = generateCorpus(7);
  const entries = [...corpus.positives, ...corpus.negatives].map((e) => e.text);
  const rng = new Rng(11);
  for (let round = 0; round < 120; round++) {
    // Long enough for the kernel, with entries at the start, the end and in between.
    const parts: string[] = [];
    for (let k = 0; k < 6; k++) parts.push(entries[rng.int(entries.length)] as string);
    const text = parts.join(rng.int(2) === 0 ? '\n' : ' ');
    sameSecrets(text.length >= 300 ? text : text.padEnd(300, ' lorem'));
  }
});

test('characters above U+00FF next to anchors change nothing (they may look like ASCII to the kernel)', () => {
  const corpus = generateCorpus(8);
  // Low bytes of these are : = - , _ " ' and letters of secret words.
  const lookalikes = ['\u013a', '\u013d', '\u012d', '\u012c', '\u015f', '\u0122', '\u0127', '\u0170', '\u0161', '\u0174', '\u4e2d', '\u{1f600}', '\u00e9'];
  const rng = new Rng(12);
  for (const e of corpus.positives.slice(0, 150)) {
    let text = e.text;
    for (let k = 0; k < 8; k++) {
      const at = rng.int(text.length + 1);
      text = text.slice(0, at) + (lookalikes[rng.int(lookalikes.length)] as string) + text.slice(at);
    }
    sameSecrets(('\u4e2d\u6587 '.repeat(40) + text + ' \u{1f600}').repeat(2));
  }
});

test('secrets at the very start and end of a long text, and in texts of every length around the threshold', () => {
  const secret = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  for (let len = 240; len <= 280; len++) {
    const filler = 'x'.repeat(Math.max(0, len - secret.length * 2 - 20));
    for (const text of [`${secret} ${filler} password=Tr0ub4dor&3x!`, `api_key: "${filler}" ${secret}`]) {
      sameSecrets(text);
      assert.ok(withKernel.findSecrets(text).length >= 1);
    }
  }
});

test('anchors in the last, partial block of a text are found as in JavaScript, in every lane', () => {
  // 288 characters of code, then secrets ending the text at every offset of the last block.
  const code = 'const options = { retries: 3, delay: 250 };\n'.repeat(7).slice(0, 288);
  for (let pad = 0; pad < 32; pad++) {
    for (const tail of ['password=Tr0ub4dor&3x!', 'postgres://app:Zq8vT2mW9xLp@db:5432', 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8']) {
      const text = code + '\n' + ' '.repeat(pad) + tail;
      sameSecrets(text);
      assert.equal(withKernel.findSecrets(text).length, 1, `${pad} ${tail.slice(0, 8)}`);
    }
  }
});

test('the compiled kernel in src/ is the one its AssemblyScript source builds', () => {
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'scripts', 'buildWasm.mjs'))) root = path.dirname(root);
  // Exits 1 and names the file when src/redact/anchorPrefilterWasm.ts is stale.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'buildWasm.mjs'), '--check'], { cwd: root, stdio: 'pipe' });
});

test('a name holding its secret word anywhere (twilio) passes the kernel guard as it passes in JavaScript', () => {
  // Digits only: the twilio-credential token format wants a hex letter, so only the name tells.
  const sid = 'AC83710592648301957264810395726481';
  const filler = 'const options = { retries: 3 };\n'.repeat(10);
  for (const name of ['TWILIO_ACCOUNT_SID', 'myTwilioSid', 'twilio.account.sid', 'X_TWILIO_SID_PROD']) {
    const text = `${filler}${name}=${sid}\n${filler}`;
    sameSecrets(text);
    assert.equal(withKernel.findSecrets(text).length, 1, name);
  }
  // Without the word, the same shape is not a secret (the guard turns the name away).
  const text = `${filler}ACCOUNT_SID=${sid}\n${filler}`;
  sameSecrets(text);
  assert.equal(withKernel.findSecrets(text).length, 0);
});
