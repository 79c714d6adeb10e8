import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { B64, Rng, fakes } from './fakeSecrets';

const redactor = createRedactor();
const f = fakes(0x0dd5);
const rng = new Rng(0xbeef);

const sha1 = (): string => f.hex(40);
const sha256 = (): string => f.hex(64);
const uuid = (): string => `${f.hex(8)}-${f.hex(4)}-4${f.hex(3)}-a${f.hex(3)}-${f.hex(12)}`;
const sri = (): string => rng.bytes(64).toString('base64');

/**
 * Ordinary developer content that resembles secrets: hashes, ids, encodings, code that names
 * credentials without holding one, placeholders, prose about token formats. Each must come out of
 * the redactor unchanged.
 */
const negatives: readonly string[] = [
  // Hashes, ids and digests
  `commit ${sha1()}\nAuthor: Dev <dev@example.com>`,
  `${sha1().slice(0, 7)} fix: handle empty token list`,
  `git checkout ${sha1()}`,
  `"sha": "${sha1()}", "node_id": "C_kwDOAbCdEf"`,
  `{"id": "${uuid()}", "requestId": "${uuid()}"}`,
  `x-ms-request-id: ${uuid()}`,
  `/subscriptions/${uuid()}/resourceGroups/rg-app/providers/Microsoft.Web/sites/app`,
  `"integrity": "sha512-${sri()}"`,
  `  integrity sha512-${sri()}`,
  `  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#${sha1()}"`,
  `FROM node:20-alpine@sha256:${sha256()}`,
  `"digest": "sha256:${sha256()}", "mediaType": "application/vnd.oci.image.manifest.v1+json"`,
  `${sha256()}  dist/session-relay.vsix`,
  `checksum: ${f.hex(32)}`,
  `etag: "${f.hex(32)}"`,
  `"traceId": "${f.hex(32)}", "spanId": "${f.hex(16)}"`,
  // Encoded content
  `![diagram](data:image/png;base64,iVBORw0KGgo${rng.chars(B64, 3000)}=)`,
  `<img src="data:image/jpeg;base64,/9j/4AAQSkZJRg${rng.chars(B64, 2000)}">`,
  `//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIi4uL3NyYy9pbmRleC50cyJdfQ==`,
  `-----BEGIN CERTIFICATE-----\nMIIB${rng.chars(B64, 120)}\n-----END CERTIFICATE-----`,
  `-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A${rng.chars(B64, 100)}\n-----END PUBLIC KEY-----`,
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.chars(B64, 43)} dev@laptop`,
  `public_key: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${rng.chars(B64, 60)} ci@build"`,
  // Code that names credentials without a value
  `if (!password) throw new Error('password is required');`,
  `token: string;`,
  `private readonly apiKey?: string | undefined;`,
  `password: process.env.DB_PASSWORD,`,
  `const apiKey = config.apiKey;`,
  `apiKey = settings.get('apiKey')`,
  `token = jwt.sign(payload, secret, { expiresIn: '1h' })`,
  `const secret = await getSecret('db-password');`,
  `password = os.environ["DB_PASSWORD"]`,
  `self.password = password`,
  `def login(username: str, password: str) -> Token:`,
  `password: str = Field(..., min_length=8)`,
  `if (password == confirmPassword) { save(); }`,
  `for (const key of Object.keys(secrets)) {`,
  `type Keys = keyof typeof tokens;`,
  `const { token } = await auth.getSession();`,
  `headers: { Authorization: \`Bearer \${token}\` },`,
  `"Authorization": "Bearer " + accessToken`,
  `.password-field { border: 1px solid red; }`,
  `<input type="password" name="password" placeholder="Password" autocomplete="current-password">`,
  `max_tokens: 4096`,
  `"usage": {"inputTokens": 1234, "outputTokens": 567, "cacheReadTokens": 0}`,
  `tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")`,
  `token_type: Bearer`,
  `secretName: my-app-secrets`,
  `password_file: /run/secrets/db_password`,
  `TOKEN_PATH=~/.config/acme/token.json`,
  `env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: { name: db, key: password }`,
  `KEY_VAULT_NAME=kv-acme-prod`,
  `docker login --password-stdin < token.txt`,
  // References and substitutions
  `TOKEN=$(gh auth token)`,
  `GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}`,
  `export NPM_TOKEN=\${NPM_TOKEN}`,
  `password: "{{ vault_db_password }}"`,
  `API_KEY=%API_KEY%`,
  `DB_PASSWORD=@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)`,
  `"secret": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"`,
  `token = f"{prefix}-{suffix}"`,
  `curl -H "Authorization: Bearer $TOKEN" https://api.github.com/user`,
  `curl -H "Authorization: Bearer \${GITHUB_TOKEN}" https://api.github.com/user`,
  `Authorization: Bearer <token>`,
  // Placeholders
  `API_KEY=your-api-key-here`,
  `OPENAI_API_KEY=sk-...`,
  `password: changeme`,
  `token: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
  `GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`,
  `AWS_SECRET_ACCESS_KEY=<your-secret-key>`,
  `"password": "********"`,
  `secret: REDACTED`,
  `postgres://user:password@localhost:5432/mydb`,
  `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`,
  // URLs without credentials
  `postgres://localhost/dev`,
  `DATABASE_URL=postgresql://localhost:5432/app_dev`,
  `mongodb://localhost:27017/test`,
  `redis://redis:6379/0`,
  `git@github.com:acme/session-relay.git`,
  `ssh://git@github.com/acme/session-relay.git`,
  `https://github.com/acme/session-relay/pull/42#issuecomment-1234567`,
  `Contact dev@example.com or https://example.com/about`,
  // Prose about token formats
  `GitHub classic tokens start with ghp_ and fine-grained ones with github_pat_.`,
  `OpenAI keys look like sk-... and Anthropic keys start with sk-ant-.`,
  `Use a Bearer token in the Authorization header; Basic authentication is disabled.`,
  `Rotate the AWS access key (AKIA...) and the secret key every 90 days.`,
  `The JWT header begins with eyJ because it is base64 of {"`,
  `Set the password in the settings page, then click Save.`,
  `Tokens: 1,234 in / 567 out`,
  // Versions, identifiers, paths
  `"typescript": "5.9.3", "@types/node": "20.19.43"`,
  JSON.stringify({ result: '{"devDependencies": {"@secretlint/secretlint-rule-1password": "^10.2.2", "token-types": "~6.0.0"}}' }),
  `node v20.11.1 (npm v10.2.4)`,
  `AbstractSingletonProxyFactoryBeanTokenProviderConfigurationKey`,
  `export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;`,
  `const PASSWORD_MIN_LENGTH = 12;`,
  `/home/dev/projects/acme/src/auth/tokenStore.ts:42:7`,
  `C:\\Users\\dev\\AppData\\Roaming\\Code\\User\\globalStorage\\session-relay`,
  `src/redact/secretRedactor.ts(12,3): error TS2322: Type 'string' is not assignable to type 'number'.`,
  `2024-05-01T12:34:56.789Z INFO request_id=${f.hex(16)} status=200 duration_ms=12`,
  `Task: disk-usage report; risk-score: low; ask-me-later: true`,
  `AccountName=devstoreaccount1;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`,
  `keyboard shortcut: Ctrl+Shift+P`,
  `monkey: banana`,
  `exports.isNotCommaToken = exports.isCommaToken = exports.isNotColonToken = void 0;`,
  `type LintStatsTimePass = Shared.LintStatsTimePass;`,
  `password: this._ntlmOptions.password,`,
  `const options = { clientSecret: settings.msalClientSecretValue, apiKey: env.OPENAI_KEY };`,
  `AWSAccountID: ["AKIAIOSFODNN7EXAMPLE"]`,
  `submitNewPassword: RESET_PASSWORD_V2_SUBMIT,`,
  `export type ClientCredential = OAuth2TokenCredential<OAuth2Flow> | ApiKeyCredential;`,
  `idToken: cacheRecord?.idToken?.secret || "",`,
  `setPrivateKey(privateKey: NodeJS.ArrayBufferView): void;`,
  `exports.isTokenCredential = exports.isSASCredential = exports.AzureSASCredential = void 0;`,
  `export const PlatformAuthDOMGetToken = "platformAuthDOMGetToken";`,
  `export const SIGNIN_TOKEN = "/oauth2/v2.0/token";`,
  `$token = Get-AzAccessToken @params`,
  `type ClosingBraceToken = ClosingBraceToken$1;`,
  `'x:/resource?key=value%23still-query#first%23still-fragment'`,
  `const myURL = new URL('https://abc:xyz@example.com');`,
  `new Keyv('redis://user:pass@localhost:6379')`,
  `[INFO] 2024-05-01 12:00:00 cache key=deps-linux-x64-3f2a9c1b7e5d4a6f8b0c hit=true`,
  `{ "key": "ctrl+shift+p", "command": "workbench.action.showCommands" }`,
  `password_hash = "$2b$12$KIXQJ5b8kP6E2mC.9z3uXeY1qR7vT0wS4nL8hG2fD6aB3cE5iJ7kO"`,
  `POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-postgres}`,
  `value        = random_password.db.result`,
  `token = self._client.fetch_token(url=self.token_url, client_id=self.client_id, client_secret=self.client_secret)`,
  `WWW-Authenticate: Bearer realm="api", error="invalid_token"`,
];

test(`${negatives.length} hard negatives come out unchanged`, () => {
  assert.ok(negatives.length >= 40);
  const changed = negatives.map((text) => redactor.redact(text)).filter((out, i) => out !== negatives[i]);
  assert.deepEqual(changed, []);
});

test('hard negatives joined into one large text also come out unchanged and as the same string', () => {
  const text = negatives.join('\n');
  assert.equal(redactor.redact(text), text);
});
