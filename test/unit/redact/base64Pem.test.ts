/** Private keys stored base64-encoded as one value (kubeconfig, Kubernetes Secrets, CI variables). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { B64, Rng, fakes } from './fakeSecrets';

const redactor = createRedactor();
const f = fakes(0xb64e);
const rng = new Rng(0xce27);

test('a base64-encoded PEM private key is redacted whole', () => {
  for (const label of ['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY']) {
    const b64 = Buffer.from(f.pem(label) + '\n').toString('base64');
    for (const text of [`    client-key-data: ${b64}\n`, `SSH_KEY_B64=${b64}`, `{"data": {"tls.key": "${b64}"}}`]) {
      const out = redactor.redact(text);
      assert.ok(!out.includes(b64.slice(20, 60)), label);
      assert.ok(out.includes('[REDACTED:pem-private-key]'), out);
    }
  }
});

test('base64 certificates, and base64 that merely contains the header bytes, stay', () => {
  const cert = Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIC${rng.chars(B64, 200)}\n-----END CERTIFICATE-----\n`).toString('base64');
  const notAtStart = rng.chars(B64, 12) + Buffer.from('-----BEGIN PRIVATE KEY-----').toString('base64');
  for (const text of [`    certificate-authority-data: ${cert}\n`, `blob: ${notAtStart}`]) assert.equal(redactor.redact(text), text);
});
