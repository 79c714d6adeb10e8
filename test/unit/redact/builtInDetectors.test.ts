import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../../../src/redact/secretRedactor';
import { builtInKinds } from '../../../src/redact/patterns';
import { fakes } from './fakeSecrets';

const redactor = createRedactor();
const f = fakes(0x5e55);

/** A place a secret shows up in a chat: the text around it, with `s` standing for the secret. */
type Context = (s: string) => string;

interface Family {
  readonly name: string;
  readonly kind: string;
  readonly secret: () => string;
  readonly contexts: readonly Context[];
}

/** `{"output":"…"}` as a tool result carries file contents: newlines and quotes escaped. */
const jsonEscaped = (inner: string): string => JSON.stringify({ output: inner });

const families: readonly Family[] = [
  {
    name: 'GitHub classic token',
    kind: 'github-token',
    secret: () => f.githubClassic('p'),
    contexts: [
      (s) => `GITHUB_TOKEN=${s}\nNODE_ENV=production`,
      (s) => `git clone https://x-access-token:${s}@github.com/acme/api.git`,
      (s) => `Here is my token ${s} - can you check why the push fails?`,
      (s) => jsonEscaped(`export GH_TOKEN="${s}"\necho done`),
    ],
  },
  {
    name: 'GitHub OAuth/app/server/refresh tokens',
    kind: 'github-token',
    secret: () => f.githubClassic((['o', 'u', 's', 'r'] as const)[f.b62(1).charCodeAt(0) % 4] ?? 'o'),
    contexts: [(s) => `{"token": "${s}", "expires_at": "2025-01-01T00:00:00Z"}`, (s) => `Authorization: token ${s}`],
  },
  {
    name: 'GitHub fine-grained token',
    kind: 'github-token',
    secret: () => f.githubFineGrained(),
    contexts: [(s) => `gh auth login --with-token <<< ${s}`, (s) => `  token: ${s}\n  user: octocat`],
  },
  {
    name: 'GitLab token',
    kind: 'gitlab-token',
    secret: () => f.gitlab(),
    contexts: [
      (s) => `curl --header "PRIVATE-TOKEN: ${s}" https://gitlab.example.com/api/v4/projects`,
      (s) => `GITLAB_TOKEN=${s}`,
    ],
  },
  {
    name: 'npm token',
    kind: 'npm-token',
    secret: () => f.npm(),
    contexts: [(s) => `//registry.npmjs.org/:_authToken=${s}\nalways-auth=true`, (s) => `NPM_TOKEN=${s} npm publish`],
  },
  {
    name: 'PyPI token',
    kind: 'pypi-token',
    secret: () => f.pypi(),
    contexts: [(s) => `[pypi]\n  username = __token__\n  password = ${s}\n`, (s) => `TWINE_PASSWORD=${s} twine upload dist/*`],
  },
  {
    name: 'AWS access key id',
    kind: 'aws-access-key-id',
    secret: () => f.awsKeyId(),
    contexts: [
      (s) => `[default]\naws_access_key_id = ${s}\nregion = eu-west-1`,
      (s) => `{"AccessKey": {"UserName": "ci", "AccessKeyId": "${s}", "Status": "Active"}}`,
      (s) => `the key ${s} was rotated yesterday`,
    ],
  },
  {
    name: 'AWS temporary access key id',
    kind: 'aws-access-key-id',
    secret: () => f.awsKeyId('ASIA'),
    contexts: [(s) => `export AWS_ACCESS_KEY_ID=${s}`, (s) => jsonEscaped(`{"Credentials": {"AccessKeyId": "${s}"}}`)],
  },
  {
    name: 'AWS secret access key',
    kind: 'aws-secret-access-key',
    secret: () => f.awsSecret(),
    contexts: [
      (s) => `[default]\naws_secret_access_key = ${s}\n`,
      (s) => `{"Credentials": {"SecretAccessKey": "${s}", "Expiration": "2025-01-01"}}`,
      (s) => `export AWS_SECRET_ACCESS_KEY=${s}`,
      (s) => `new S3Client({ credentials: { accessKeyId: id, secretAccessKey: '${s}' } })`,
    ],
  },
  {
    name: 'AWS session token',
    kind: 'aws-session-token',
    secret: () => f.awsSessionToken(),
    contexts: [(s) => `aws_session_token = ${s}`, (s) => `{"SessionToken": "${s}"}`],
  },
  {
    name: 'Azure storage / Cosmos account key',
    kind: 'azure-account-key',
    secret: () => f.azureStorageKey(),
    contexts: [
      (s) => `DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${s};EndpointSuffix=core.windows.net`,
      (s) => `"ConnectionStrings": { "Cosmos": "AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey=${s};" }`,
    ],
  },
  {
    name: 'Azure Service Bus shared access key',
    kind: 'azure-shared-access-key',
    secret: () => f.azureSharedAccessKey(),
    contexts: [
      (s) => `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`,
      (s) => jsonEscaped(`SERVICEBUS="Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${s};EntityPath=orders"`),
    ],
  },
  {
    name: 'Azure AD client secret',
    kind: 'azure-ad-client-secret',
    secret: () => f.azureAdSecret(),
    contexts: [
      (s) => `AZURE_CLIENT_SECRET=${s}`,
      (s) => `{"appId": "5f0c4e5e-2b8d-4c4e-9a57-0c9a1f0e8a11", "password": "${s}", "tenant": "contoso"}`,
      (s) => `az login --service-principal -u $APP_ID -p ${s} --tenant $TENANT`,
    ],
  },
  {
    name: 'Azure SAS signature',
    kind: 'azure-sas-signature',
    secret: () => f.sasSignature(),
    contexts: [
      (s) => `https://acme.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig=${s}`,
      (s) => `BlobEndpoint=https://acme.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&sp=rl&sig=${s}`,
    ],
  },
  {
    name: 'Azure API Management subscription key',
    kind: 'azure-apim-key',
    secret: () => f.hex(32),
    contexts: [
      (s) => `curl -H "Ocp-Apim-Subscription-Key: ${s}" https://acme.azure-api.net/orders`,
      (s) => `GET https://acme.azure-api.net/orders?subscription-key=${s}&top=10`,
    ],
  },
  {
    name: 'Google API key',
    kind: 'google-api-key',
    secret: () => f.googleApiKey(),
    contexts: [
      (s) => `fetch("https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=${s}")`,
      (s) => `{"apiKey": "${s}", "authDomain": "acme.firebaseapp.com"}`,
    ],
  },
  {
    name: 'Google OAuth access token',
    kind: 'google-oauth-token',
    secret: () => f.googleOauth(),
    contexts: [(s) => `$ gcloud auth print-access-token\n${s}\n$ `, (s) => `{"access_token": "${s}", "expires_in": 3599}`],
  },
  {
    name: 'OpenAI project key',
    kind: 'openai-key',
    secret: () => f.openai('proj-'),
    contexts: [
      (s) => `OPENAI_API_KEY=${s}`,
      (s) => `client = OpenAI(api_key="${s}")`,
      (s) => `curl https://api.openai.com/v1/models -H "Authorization: Bearer ${s}"`,
    ],
  },
  {
    name: 'OpenAI legacy, service-account and admin keys',
    kind: 'openai-key',
    secret: () => f.openai((['', 'svcacct-', 'admin-'] as const)[f.b62(1).charCodeAt(0) % 3] ?? ''),
    contexts: [(s) => `openai.api_key = '${s}'`, (s) => jsonEscaped(`{"openai": {"key": "${s}"}}`)],
  },
  {
    name: 'Anthropic key',
    kind: 'anthropic-key',
    secret: () => f.anthropic(),
    contexts: [
      (s) => `curl https://api.anthropic.com/v1/messages -H "x-api-key: ${s}" -H "anthropic-version: 2023-06-01"`,
      (s) => `export ANTHROPIC_API_KEY=${s}`,
    ],
  },
  {
    name: 'Hugging Face token',
    kind: 'huggingface-token',
    secret: () => f.huggingFace(),
    contexts: [(s) => `huggingface-cli login --token ${s}`, (s) => `HF_TOKEN=${s}`],
  },
  {
    name: 'Groq key',
    kind: 'groq-key',
    secret: () => f.groq(),
    contexts: [(s) => `GROQ_API_KEY=${s}`, (s) => `const groq = new Groq({ apiKey: "${s}" });`],
  },
  {
    name: 'Slack bot token',
    kind: 'slack-token',
    secret: () => f.slackBot(),
    contexts: [(s) => `SLACK_BOT_TOKEN=${s}`, (s) => `curl -H "Authorization: Bearer ${s}" https://slack.com/api/auth.test`],
  },
  {
    name: 'Slack webhook URL',
    kind: 'slack-webhook',
    secret: () => f.slackWebhookPath(),
    contexts: [
      (s) => `curl -X POST -d '{"text":"deployed"}' https://hooks.slack.com/services/${s}`,
      (s) => `{"webhook_url": "https://hooks.slack.com/services/${s}"}`,
    ],
  },
  {
    name: 'Discord webhook URL',
    kind: 'discord-webhook',
    secret: () => f.discordWebhookPath(),
    contexts: [
      (s) => `DISCORD_WEBHOOK=https://discord.com/api/webhooks/${s}`,
      (s) => `requests.post("https://discordapp.com/api/webhooks/${s}", json=payload)`,
    ],
  },
  {
    name: 'Stripe secret key',
    kind: 'stripe-key',
    secret: () => f.stripe('sk_live_'),
    contexts: [(s) => `STRIPE_SECRET_KEY=${s}`, (s) => `const stripe = require('stripe')('${s}');`],
  },
  {
    name: 'Stripe restricted test key',
    kind: 'stripe-key',
    secret: () => f.stripe('rk_test_'),
    contexts: [(s) => `curl https://api.stripe.com/v1/charges -u ${s}:`, (s) => `stripe:\n  key: ${s}`],
  },
  {
    name: 'Stripe webhook secret',
    kind: 'stripe-webhook-secret',
    secret: () => f.stripeWebhook(),
    contexts: [(s) => `STRIPE_WEBHOOK_SECRET=${s}`, (s) => `Your webhook signing secret is ${s} (^C to quit)`],
  },
  {
    name: 'Twilio account SID',
    kind: 'twilio-credential',
    secret: () => f.twilioSid('AC'),
    contexts: [(s) => `TWILIO_ACCOUNT_SID=${s}`, (s) => `{"twilio": {"accountSid": "${s}"}}`],
  },
  {
    name: 'Twilio auth token',
    kind: 'twilio-credential',
    secret: () => f.hex(32),
    contexts: [(s) => `TWILIO_AUTH_TOKEN=${s}`, (s) => `{"TWILIO_AUTH_TOKEN": "${s}"}`],
  },
  {
    name: 'SendGrid key',
    kind: 'sendgrid-key',
    secret: () => f.sendgrid(),
    contexts: [(s) => `SENDGRID_API_KEY=${s}`, (s) => `sg = SendGridAPIClient('${s}')`],
  },
  {
    name: 'Mailgun key',
    kind: 'mailgun-key',
    secret: () => f.mailgun(),
    contexts: [(s) => `curl -s --user 'api:${s}' https://api.mailgun.net/v3/mg.acme.io/messages`, (s) => `MAILGUN_API_KEY=${s}`],
  },
  {
    name: 'Shopify token',
    kind: 'shopify-token',
    secret: () => f.shopify(),
    contexts: [(s) => `X-Shopify-Access-Token: ${s}`, (s) => `SHOPIFY_ACCESS_TOKEN=${s}`],
  },
  {
    name: 'DigitalOcean token',
    kind: 'digitalocean-token',
    secret: () => f.digitalOcean(),
    contexts: [(s) => `doctl auth init --access-token ${s}`, (s) => `{"do_token": "${s}"}`],
  },
  {
    name: 'Databricks token',
    kind: 'databricks-token',
    secret: () => f.databricks(),
    contexts: [
      (s) => `[DEFAULT]\nhost = https://adb-123.azuredatabricks.net\ntoken = ${s}\n`,
      (s) => `{"token_value": "${s}", "token_info": {"comment": "ci"}}`,
      (s) => `curl -H "Authorization: Bearer ${s}" https://adb-123.azuredatabricks.net/api/2.0/clusters/list`,
      (s) => `export DATABRICKS_TOKEN=${s}`,
    ],
  },
  {
    name: 'Vault token',
    kind: 'vault-token',
    secret: () => f.vault(),
    contexts: [(s) => `vault login ${s}`, (s) => `{"auth": {"client_token": "${s}", "renewable": true}}`],
  },
  {
    name: 'Vault legacy token',
    kind: 'vault-token',
    secret: () => f.vaultLegacy(),
    contexts: [(s) => `export VAULT_TOKEN=${s}`, (s) => `curl -H "X-Vault-Token: ${s}" https://vault.acme.io/v1/secret/data/app`],
  },
  {
    name: 'Docker Hub token',
    kind: 'docker-hub-token',
    secret: () => f.dockerHub(),
    contexts: [(s) => `echo ${s} | docker login -u acme --password-stdin`, (s) => `DOCKERHUB_TOKEN=${s}`],
  },
  {
    name: 'age secret key',
    kind: 'age-secret-key',
    secret: () => f.ageKey(),
    contexts: [(s) => `# created: 2024-05-01\n# public key: age1abc\n${s}\n`, (s) => `SOPS_AGE_KEY=${s}`],
  },
  {
    name: 'JWT',
    kind: 'jwt',
    secret: () => f.jwt(),
    contexts: [
      (s) => `Authorization: Bearer ${s}`,
      (s) => `{"id_token": "${s}", "token_type": "Bearer"}`,
      (s) => `https://app.acme.io/callback#access_token=${s}&state=xyz`,
      (s) => `Set-Cookie: session=${s}; Path=/; HttpOnly`,
    ],
  },
  {
    name: 'Bearer credential',
    kind: 'bearer',
    secret: () => f.opaque(40),
    contexts: [
      (s) => `GET /v1/items HTTP/1.1\nHost: api.acme.io\nAuthorization: Bearer ${s}\n`,
      (s) => `curl -H 'Authorization: Bearer ${s}' https://api.acme.io/v1/items`,
      (s) => `{"headers": {"authorization": "Bearer ${s}"}}`,
      (s) => `:method: GET\nauthorization: bearer ${s}\n`,
    ],
  },
  {
    name: 'Basic credential',
    kind: 'basic-auth',
    secret: () => Buffer.from('deploy:' + f.password(18)).toString('base64'),
    contexts: [
      (s) => `Authorization: Basic ${s}`,
      (s) => `{"authorization":"Basic ${s}"}`,
      (s) => `curl -H "Authorization: Basic ${s}" https://ci.acme.io/job/build`,
    ],
  },
  {
    name: 'curl -u password',
    kind: 'basic-auth',
    secret: () => f.urlPassword(18),
    contexts: [(s) => `curl -u admin:${s} https://jenkins.acme.io/api/json`, (s) => `curl --user "deploy:${s}" -X POST https://x.acme.io`],
  },
  {
    name: 'Other Authorization schemes',
    kind: 'authorization-header',
    secret: () => f.opaque(48),
    contexts: [(s) => `Authorization: Bot ${s}`, (s) => `{"Authorization": "sso-key ${s}"}`],
  },
  {
    name: 'PEM private key (real newlines)',
    kind: 'pem-private-key',
    secret: () => f.pem('RSA PRIVATE KEY'),
    contexts: [(s) => `$ cat ~/.ssh/deploy_rsa\n${s}\n$ ls`, (s) => `ssh-add - <<'EOF'\n${s}\nEOF`],
  },
  {
    name: 'PEM private key (OpenSSH, EC, encrypted)',
    kind: 'pem-private-key',
    secret: () => f.pem((['OPENSSH PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'] as const)[f.b62(1).charCodeAt(0) % 3] ?? 'EC PRIVATE KEY'),
    contexts: [(s) => `${s}\n`, (s) => `Found key file:\n\n${s}`],
  },
  {
    name: 'GCP service-account private key (escaped newlines in JSON)',
    kind: 'pem-private-key',
    secret: () => f.pem('PRIVATE KEY', true, 25),
    contexts: [
      (s) => `{"type": "service_account", "project_id": "acme", "private_key_id": "${f.hex(40)}", "private_key": "${s}\\n", "client_email": "ci@acme.iam.gserviceaccount.com"}`,
      (s) => `$ cat sa.json\n{\n  "type": "service_account",\n  "private_key": "${s}\\n",\n  "client_id": "1234567890"\n}`,
    ],
  },
  {
    name: 'Database URL password',
    kind: 'url-credentials',
    secret: () => f.urlPassword(),
    contexts: [
      (s) => `DATABASE_URL=postgresql://app:${s}@db.acme.internal:5432/app?sslmode=require`,
      (s) => `mysql://root:${s}@127.0.0.1:3306/shop`,
      (s) => `const uri = "mongodb+srv://svc:${s}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true";`,
      (s) => `REDIS_URL=rediss://:${s}@cache.acme.io:6380/0`,
      (s) => `amqps://worker:${s}@mq.acme.io/vhost`,
      (s) => jsonEscaped(`psql postgres://admin:${s}@localhost:5432/dev -c 'select 1'`),
    ],
  },
  {
    name: 'HTTP/FTP URL password',
    kind: 'url-credentials',
    secret: () => f.urlPassword(),
    contexts: [
      (s) => `pip install --index-url https://ci:${s}@pypi.acme.io/simple acme-lib`,
      (s) => `ftp://upload:${s}@files.acme.io/incoming/`,
      (s) => `HTTPS_PROXY=http://proxyuser:${s}@proxy.acme.io:3128`,
    ],
  },
  {
    name: 'Token as URL user',
    kind: 'url-credentials',
    secret: () => f.opaque(40),
    contexts: [(s) => `git remote set-url origin https://${s}@git.acme.io/acme/api.git`],
  },
  {
    name: 'Password assignment',
    kind: 'password-assignment',
    secret: () => f.password(),
    contexts: [
      (s) => `DB_PASSWORD=${s}\nDB_HOST=localhost`,
      (s) => `database:\n  user: app\n  PASSWORD: ${s}\n`,
      (s) => `{"username": "admin", "password": "${s}"}`,
      (s) => `pwd=${s}`,
      (s) => `passwd: '${s}'`,
      (s) => `spring.datasource.password=${s}`,
      (s) => `mysqldump --user=root --password ${s} shop > dump.sql`,
      (s) => `Server=tcp:acme.database.windows.net,1433;User ID=sa;Password=${s};Encrypt=true`,
      (s) => `conn = psycopg2.connect(host="db", user="app", password="${s}")`,
      (s) => jsonEscaped(`{"password": "${s}"}`),
      (s) => `export PGPASSWORD='${s}'`,
    ],
  },
  {
    name: 'Generic high-entropy assignment',
    kind: 'secret-assignment',
    secret: () => f.opaque(32),
    contexts: [
      (s) => `const apiKey = "${s}";`,
      (s) => `api_key: ${s}`,
      (s) => `export SERVICE_TOKEN=${s}`,
      (s) => `https://api.acme.io/oauth/token?client_id=acme&client_secret=${s}&grant_type=client_credentials`,
      (s) => `X-API-Key: ${s}`,
      (s) => `{"access_token": "${s}", "token_type": "bearer"}`,
      (s) => `private static final String SECRET_KEY = "${s}";`,
      (s) => `apiKey: string = "${s}"`,
      (s) => `webhook_secret := "${s}"`,
      (s) => `'client_secret' => '${s}',`,
      (s) => `<add key="ApiToken" value="x" />\nAPI_TOKEN_PROD=${s}`,
      (s) => jsonEscaped(`SESSION_SECRET=${s}\nPORT=3000`),
      (s) => `myapp --api-key ${s} --verbose`,
    ],
  },
  {
    name: 'Hex secret in a token assignment',
    kind: 'secret-assignment',
    secret: () => f.hex(64),
    contexts: [(s) => `secret_key_base: ${s}`, (s) => `JWT_SECRET="${s}"`],
  },
  {
    name: 'Docker config auth',
    kind: 'secret-assignment',
    secret: () => Buffer.from('acme:' + f.opaque(24)).toString('base64'),
    contexts: [(s) => `{"auths": {"ghcr.io": {"auth": "${s}"}}}`],
  },
  {
    name: 'Presigned URL signature',
    kind: 'url-signature',
    secret: () => f.hex(64),
    contexts: [
      (s) => `https://acme.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${s}`,
      (s) => `https://storage.googleapis.com/acme/a.zip?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=${s}`,
    ],
  },
];

for (const family of families) {
  test(`redacts ${family.name} (${family.kind}) in ${family.contexts.length} contexts`, () => {
    family.contexts.forEach((context, i) => {
      const secret = family.secret();
      const text = context(secret);
      assert.ok(text.includes(secret), `context ${i} must contain the secret`);
      const out = redactor.redact(text);
      assert.ok(!out.includes(secret), `context ${i}: secret still present`);
      assert.equal(out, text.split(secret).join(`[REDACTED:${family.kind}]`), `context ${i}: only the secret is replaced`);
    });
  });
}

test('every family kind is a kind some built-in detector reports', () => {
  for (const family of families) assert.ok(builtInKinds.includes(family.kind), family.kind);
});

test('a secret is redacted wherever it sits in a line: start, end, alone, between punctuation', () => {
  const s = f.githubClassic();
  for (const text of [s, `${s}\n`, `(${s})`, `"${s}"`, `'${s}',`, `<${s}>`, `\`${s}\``, `[${s}]`, `${s}.`]) {
    assert.equal(redactor.redact(text), text.replace(s, '[REDACTED:github-token]'), JSON.stringify(text.replace(s, 'S')));
  }
});

test('a PEM block cut off before its footer is still redacted up to where its body ends', () => {
  const pem = f.pem('PRIVATE KEY');
  const truncated = pem.slice(0, pem.length - 200);
  const text = `{"result": "${truncated.replace(/\n/g, '\\n')}… [truncated 1200 chars]"}`;
  const out = redactor.redact(text);
  assert.equal(out, '{"result": "[REDACTED:pem-private-key]… [truncated 1200 chars]"}');
});

test('a PEM block double-escaped (JSON inside a JSON string) is redacted whole', () => {
  const pem = f.pem('PRIVATE KEY', true, 10);
  const doubled = pem.replace(/\\n/g, '\\\\n');
  const text = `{"output": "{\\"private_key\\": \\"${doubled}\\\\n\\"}"}`;
  assert.equal(redactor.redact(text), `{"output": "{\\"private_key\\": \\"[REDACTED:pem-private-key]\\\\n\\"}"}`);
});

test('in a URL only the password goes: scheme, user, host, port and path stay readable', () => {
  const pw = f.urlPassword();
  assert.equal(
    redactor.redact(`postgres://reporting:${pw}@pg-1.acme.internal:6543/analytics`),
    'postgres://reporting:[REDACTED:url-credentials]@pg-1.acme.internal:6543/analytics',
  );
});

test('an unencoded @ inside a URL password does not leak the part before it', () => {
  const pw = f.urlPassword(8) + '@' + f.urlPassword(8);
  assert.equal(redactor.redact(`mysql://app:${pw}@db:3306/x`), 'mysql://app:[REDACTED:url-credentials]@db:3306/x');
});

test('several secrets of different kinds in one tool output are each replaced', () => {
  const gh = f.githubClassic();
  const aws = f.awsKeyId();
  const pw = f.password();
  const text = `$ env\nGITHUB_TOKEN=${gh}\nAWS_ACCESS_KEY_ID=${aws}\nDB_PASSWORD=${pw}\nHOME=/home/dev\n`;
  assert.equal(
    redactor.redact(text),
    '$ env\nGITHUB_TOKEN=[REDACTED:github-token]\nAWS_ACCESS_KEY_ID=[REDACTED:aws-access-key-id]\nDB_PASSWORD=[REDACTED:password-assignment]\nHOME=/home/dev\n',
  );
});
