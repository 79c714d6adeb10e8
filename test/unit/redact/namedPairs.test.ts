/**
 * Secrets whose name and value are not joined by `=`/`:`: sibling `name`/`value` fields, a value
 * flag of a command that sets a named secret, a password flag of a known command, and a name and
 * value passed as two string arguments. Each form has look-alikes that must stay untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { fakes } from './fakeSecrets';

const redactor = createRedactor();
const f = fakes(0x9a15);

function assertRedacted(text: string, secret: string, kind: string): void {
  const out = redactor.redact(text);
  assert.ok(!out.includes(secret), `secret survived in: ${out.replace(secret, '<secret>')}`);
  assert.ok(out.includes(`[REDACTED:${kind}]`), out);
}

test('a value named by a sibling name/key field is redacted (Kubernetes, ECS, app settings)', () => {
  const pw = f.password(14);
  assertRedacted(`env:\n  - name: POSTGRES_PASSWORD\n    value: "${pw}"\n`, pw, 'password-assignment');
  const token = f.opaque(40);
  assertRedacted(`{"name": "API_TOKEN", "value": "${token}"}`, token, 'secret-assignment');
  assertRedacted(JSON.stringify({ out: `[{"key": "CLIENT_SECRET", "Value": "${token}"}]` }), token, 'secret-assignment');
});

test('a value flag of a command that sets a named secret is redacted', () => {
  const secret = f.awsSecret();
  assertRedacted(`gh secret set AWS_SECRET_ACCESS_KEY --body "${secret}"`, secret, 'aws-secret-access-key');
  const pw = f.password(16);
  assertRedacted(`az keyvault secret set --vault-name kv --name db-password --value '${pw}'`, pw, 'password-assignment');
});

test('password flags of known commands are redacted', () => {
  const pw = f.password(14);
  assertRedacted(`sshpass -p '${pw}' ssh deploy@10.0.0.4`, pw, 'password-assignment');
  assertRedacted(`docker login -u bot -p ${pw} registry.example.com`, pw, 'password-assignment');
  assertRedacted(`mysql -u root -p${pw} orders`, pw, 'password-assignment');
  assertRedacted(`redis-cli -h cache -a ${pw} ping`, pw, 'password-assignment');
});

test('a name and value passed as two string arguments are redacted', () => {
  const secret = f.opaque(32);
  assertRedacted(`os.environ.setdefault("JWT_SECRET", "${secret}")`, secret, 'secret-assignment');
  const pw = f.password(14);
  assertRedacted(`System.setProperty('db.password', '${pw}');`, pw, 'password-assignment');
});

test('look-alikes of these forms stay untouched', () => {
  for (const text of [
    '- name: LOG_LEVEL\n  value: debug',
    '{"name": "DB_HOST", "value": "db.internal"}',
    '{"name": "TOKEN_TTL", "value": "3600"}',
    '{"name": "GITHUB_TOKEN", "value": "${{ secrets.GITHUB_TOKEN }}"}',
    'gh secret set NPM_TOKEN --body "$NPM_TOKEN"',
    'gh issue create --title "rotate the token" --body "the deploy token expired"',
    'ssh -p 2222 deploy@host',
    'mkdir -p out/bench && docker run -p 8080:80 nginx',
    'mysql -u root -p orders',
    'docker login -u bot -p "$REGISTRY_PASSWORD" registry.example.com',
    'getSecret("db-password")',
    'os.Setenv("GITHUB_TOKEN", token)',
    'headers.set("x-api-key", apiKey)',
    'log("token", "refreshed")',
    'NEXT_PUBLIC_SITE_KEY=6LcAbCdEfGhIjKlMnOpQrStUvWxYz0123456789AB',
  ]) {
    assert.equal(redactor.redact(text), text);
  }
});
