/**
 * A labelled redaction corpus, generated in memory from a seed (nothing here is a literal key: a
 * repository holding token-shaped literals would rightly be blocked by push protection, and
 * generated values cannot be real).
 *
 * Positives: every credential family of SPEC §7, each in several places a chat shows secrets —
 * env files, shell commands, JSON and YAML config, source code, HTTP headers, URLs, log lines,
 * tool results that carry a file as a JSON-escaped string, PEM blocks with real and `\n`-escaped
 * newlines. Each entry names the exact substrings that must be gone after redaction.
 *
 * Negatives: ordinary developer content that resembles secrets (hashes, digests, ids, encodings,
 * code that names credentials without holding one, references, placeholders, prose about token
 * formats, versions). Each must come out unchanged.
 *
 * The contexts are written as a developer or a tool would write them, not after the detectors:
 * variable names, quoting and surrounding text vary per entry so that a rule tuned to one
 * spelling does not pass for a general one.
 */
import { B62, B64, FakeSecrets, Rng, UPPER } from '../unit/redact/fakeSecrets';

export interface CorpusEntry {
  /** Credential family (positives) or kind of look-alike (negatives). */
  readonly kind: string;
  /** Where the text comes from: env, shell, json, yaml, source, header, url, log, tool-json, pem, prose… */
  readonly context: string;
  readonly text: string;
  /** Positives only: substrings that must not survive redaction. */
  readonly secret?: readonly string[];
}

export interface Corpus {
  readonly positives: readonly CorpusEntry[];
  readonly negatives: readonly CorpusEntry[];
}

/** A context renders a secret into text. `name` is a variable/setting name fitting the family. */
type Render = (s: string, name: string, p: Pick) => string;

interface Context {
  readonly context: string;
  readonly render: Render;
}

/** Random choice helper bound to the corpus RNG. */
type Pick = <T>(items: readonly T[]) => T;

interface Family {
  readonly kind: string;
  /** Makes one secret; may return several parts (all must disappear) and the text to embed. */
  readonly make: (f: FakeSecrets, p: Pick) => string;
  /** Names this secret is typically stored under (env var style; contexts re-case them). */
  readonly names: readonly string[];
  readonly contexts: readonly Context[];
}

// ---------------------------------------------------------------------------------------------
// Name casing: the same setting is `OPENAI_API_KEY` in an env file, `openaiApiKey` in code,
// `openai_api_key` in Python and YAML.

function camel(name: string): string {
  const parts = name.toLowerCase().split('_');
  return parts[0] + parts.slice(1).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function snake(name: string): string {
  return name.toLowerCase();
}

function kebab(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

const escapeJson = (inner: string): string => JSON.stringify(inner).slice(1, -1);

/** A tool result as Copilot records it: the command output as a JSON string value. */
function toolResult(p: Pick, inner: string): string {
  const tool = p(['runInTerminal', 'readFile', 'grep_search', 'run_in_terminal', 'get_terminal_output']);
  return JSON.stringify({ tool, exitCode: 0, output: inner });
}

function timestamp(p: Pick): string {
  const d = p(['01', '07', '12', '19', '23', '28']);
  const h = p(['03', '09', '14', '17', '22']);
  return `2025-0${p(['1', '3', '5', '8'])}-${d}T${h}:${p(['04', '27', '51'])}:${p(['09', '33', '58'])}.${p(['123', '456', '789'])}Z`;
}

// ---------------------------------------------------------------------------------------------
// Contexts shared by many families.

const env: Context = {
  context: 'env',
  render: (s, n, p) =>
    p([
      `# .env\nNODE_ENV=production\nPORT=8080\n${n}=${s}\nLOG_LEVEL=info\n`,
      `${n}=${s}`,
      `APP_NAME=orders\n${n}="${s}"\nDEBUG=false`,
      `DATABASE_HOST=db.internal\n${n}='${s}'\n`,
    ]),
};

const shell: Context = {
  context: 'shell',
  render: (s, n, p) =>
    p([
      `$ export ${n}=${s}\n$ npm run deploy`,
      `${n}=${s} ./scripts/release.sh --dry-run`,
      `docker run --rm -e ${n}=${s} -p 8080:8080 acme/api:latest`,
      `export ${n}="${s}"`,
      `gh secret set ${n} --body "${s}"`,
    ]),
};

const json: Context = {
  context: 'json',
  render: (s, n, p) => {
    const key = p([camel(n), snake(n), camel(n).replace(/^[a-z]+(?=[A-Z])/, '')]) || camel(n);
    return p([
      JSON.stringify({ name: 'acme-api', region: 'westeurope', [key]: s, retries: 3 }, null, 2),
      `{"${key}":"${s}","timeout":30}`,
      `  "credentials": {\n    "${key}": "${s}"\n  },`,
    ]);
  },
};

const yaml: Context = {
  context: 'yaml',
  render: (s, n, p) =>
    p([
      `service:\n  name: orders\n  ${snake(n)}: ${s}\n  replicas: 2\n`,
      `env:\n  - name: ${n}\n    value: "${s}"\n`,
      `${snake(n)}: '${s}'`,
      `spring:\n  datasource:\n    ${kebab(n)}: ${s}\n`,
    ]),
};

const source: Context = {
  context: 'source',
  render: (s, n, p) =>
    p([
      `const ${camel(n)} = "${s}";\nconst client = createClient({ ${camel(n)} });`,
      `${snake(n)} = "${s}"  # TODO move to vault`,
      `private static final String ${n} = "${s}";`,
      `client := api.NewClient(api.Config{Key: "${s}"})\n_ = ${camel(n)}`,
      `os.environ.setdefault("${n}", "${s}")`,
      `export const config = {\n  ${camel(n)}: '${s}',\n  baseUrl: 'https://api.example.com',\n};`,
    ]),
};

const log: Context = {
  context: 'log',
  render: (s, n, p) =>
    p([
      `${timestamp(p)} INFO  config loaded ${snake(n)}=${s} region=eu-west-1`,
      `[${timestamp(p)}] DEBUG Using ${n}: ${s}`,
      `${timestamp(p)} level=warn msg="retrying request" ${camel(n)}="${s}" attempt=2`,
    ]),
};

const toolJson: Context = {
  context: 'tool-json',
  render: (s, n, p) =>
    toolResult(
      p,
      p([
        `$ cat .env\nNODE_ENV=development\n${n}=${s}\nPORT=3000\n`,
        `{\n  "${camel(n)}": "${s}",\n  "debug": true\n}\n`,
        `config.yaml:\n  ${snake(n)}: "${s}"\n`,
      ]),
    ),
};

/** Vendor tokens are recognisable on their own: users paste them into prompts. */
const prose: Context = {
  context: 'prose',
  render: (s, _n, p) =>
    p([
      `Here is my key ${s} - why does the request still return 401?`,
      `I rotated it, the new one is: ${s}`,
      `Can you check if \`${s}\` is still valid?`,
      `the token (${s}) expires tomorrow`,
    ]),
};

const bearerHeader: Context = {
  context: 'header',
  render: (s, _n, p) =>
    p([
      `curl -sS -H "Authorization: Bearer ${s}" https://api.example.com/v1/models`,
      `GET /v1/me HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer ${s}\r\nAccept: */*\r\n`,
      `fetch(url, { headers: { Authorization: 'Bearer ${s}' } })`,
      `> authorization: bearer ${s}`,
    ]),
};

function headerNamed(header: string): Context {
  return {
    context: 'header',
    render: (s, _n, p) =>
      p([
        `curl -H "${header}: ${s}" https://api.example.com/v2/status`,
        `${header}: ${s}\r\nContent-Type: application/json\r\n`,
        `requests.get(url, headers={"${header}": "${s}"})`,
      ]),
  };
}

function urlQuery(param: string, host: string): Context {
  return {
    context: 'url',
    render: (s, _n, p) =>
      p([
        `https://${host}/v1/data?${param}=${s}&format=json`,
        `GET https://${host}/api?page=2&${param}=${s} 200 143ms`,
        `curl "https://${host}/v3/search?q=weather&${param}=${s}"`,
      ]),
  };
}

// ---------------------------------------------------------------------------------------------
// PEM blocks, with real newlines and `\n` escapes.

const pemReal: Context = {
  context: 'pem',
  render: (s, _n, p) => p([`$ cat ~/.ssh/id_rsa\n${s}\n`, `${s}\n`, `key.pem:\n${s}`]),
};

const pemEscaped: Context = {
  context: 'pem-escaped',
  render: (s, _n, p) =>
    p([
      `{"type": "service_account", "private_key_id": "4c1d9e0f", "private_key": "${s}", "client_email": "ci@acme.iam.gserviceaccount.com"}`,
      `TLS_KEY="${s}"`,
    ]),
};

// ---------------------------------------------------------------------------------------------
// The families.

const dbHosts = ['db.internal', 'prod-db-1.cluster-cx9.eu-west-1.rds.amazonaws.com', '10.0.3.17', 'postgres', 'mongo.acme.io'];

function connectionUrl(scheme: string, port: number, pathPart: string): Context[] {
  const render =
    (wrap: (url: string, p: Pick) => string): Render =>
    (s, _n, p) => {
      const user = p(['app', 'admin', 'orders_rw', 'svc-api', 'postgres']);
      return wrap(`${scheme}://${user}:${s}@${p(dbHosts)}:${port}/${pathPart}`, p);
    };
  return [
    { context: 'env', render: render((u, p) => p([`DATABASE_URL=${u}`, `${scheme.toUpperCase().replace(/\W/g, '_')}_URL="${u}"`])) },
    { context: 'log', render: render((u, p) => `${timestamp(p)} ERROR connect ECONNREFUSED while connecting to ${u}`) },
    { context: 'source', render: render((u, p) => p([`engine = create_engine("${u}")`, `const pool = new Pool({ connectionString: '${u}' });`])) },
    { context: 'tool-json', render: render((u, p) => toolResult(p, `$ printenv | grep URL\nDATABASE_URL=${u}\n`)) },
    { context: 'yaml', render: render((u) => `datasource:\n  url: ${u}\n  pool: 10\n`) },
  ];
}

/** A fixed account SID body (the SID is an identifier; the auth token next to it is the secret). */
const TWILIO_SID_TAIL = '5f3c2e1d0a9b8c7d6e5f4a3b2c1d0e9f';

/** A certificate next to the key (public: it must survive). */
const CERT_B64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0VSVElGSUNBVEU=\n-----END CERTIFICATE-----\n').toString('base64');

function families(): Family[] {
  const tokenContexts = [env, shell, json, yaml, source, log, toolJson, prose];
  return [
    { kind: 'jwt', make: (f) => f.jwt(), names: ['ACCESS_TOKEN', 'ID_TOKEN', 'SESSION_JWT'], contexts: [bearerHeader, json, log, toolJson, prose] },
    {
      kind: 'bearer-opaque',
      make: (f, p) => p([() => f.opaque(40), () => f.b64url(64), () => f.hex(40) + f.b62(8)])(),
      names: ['API_TOKEN'],
      contexts: [
        bearerHeader,
        { context: 'log', render: (s, _n, p) => `${timestamp(p)} DEBUG outgoing request headers={"Authorization": "Bearer ${s}", "Accept": "application/json"}` },
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `$ curl -v https://api.example.com\n> GET / HTTP/2\n> authorization: Bearer ${s}\n< HTTP/2 200\n`) },
        { context: 'source', render: (s) => `axios.defaults.headers.common['Authorization'] = \`Bearer ${s}\`;` },
      ],
    },
    {
      kind: 'basic-auth',
      make: (f) => Buffer.from(`${f.b62(6).toLowerCase()}:${f.password(14)}`).toString('base64'),
      names: ['AUTH'],
      contexts: [
        { context: 'header', render: (s, _n, p) => p([`Authorization: Basic ${s}`, `curl -H "Authorization: Basic ${s}" https://ci.example.com/api/json`]) },
        { context: 'log', render: (s, _n, p) => `${timestamp(p)} DEBUG > Authorization: Basic ${s}` },
        { context: 'source', render: (s) => `headers = {"Authorization": "Basic ${s}"}` },
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `> GET /api HTTP/1.1\n> Authorization: Basic ${s}\n`) },
      ],
    },
    {
      kind: 'password-assignment',
      make: (f) => f.password(12 + (f.b62(1).charCodeAt(0) % 8)),
      names: ['DB_PASSWORD', 'POSTGRES_PASSWORD', 'SMTP_PASS', 'ADMIN_PASSWORD', 'REDIS_PASSWORD', 'PASSWORD'],
      contexts: [env, json, yaml, toolJson, { context: 'shell', render: (s, _n, p) => p([`mysql -u root --password='${s}' orders`, `sshpass -p '${s}' ssh deploy@10.0.0.4`, `psql "host=db user=app password=${s} dbname=orders"`]) }],
    },
    { kind: 'github-classic', make: (f) => f.githubClassic('p'), names: ['GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_PAT'], contexts: [...tokenContexts, bearerHeader, { context: 'url', render: (s) => `git clone https://${s}@github.com/acme/infra.git` }] },
    { kind: 'github-app', make: (f, p) => f.githubClassic(p(['o', 'u', 's', 'r'] as const)), names: ['GITHUB_TOKEN', 'GH_APP_TOKEN'], contexts: [env, json, log, { context: 'header', render: (s, _n, p) => p([`Authorization: token ${s}`, `curl -H "Authorization: token ${s}" https://api.github.com/user`]) }, toolJson, prose] },
    { kind: 'github-fine-grained', make: (f) => f.githubFineGrained(), names: ['GITHUB_TOKEN', 'GH_PAT'], contexts: [env, shell, yaml, source, prose, toolJson] },
    { kind: 'gitlab', make: (f) => f.gitlab(), names: ['GITLAB_TOKEN', 'CI_PUSH_TOKEN'], contexts: [env, headerNamed('PRIVATE-TOKEN'), yaml, prose, toolJson] },
    {
      kind: 'npm',
      make: (f) => f.npm(),
      names: ['NPM_TOKEN', 'NODE_AUTH_TOKEN'],
      contexts: [env, shell, { context: 'npmrc', render: (s, _n, p) => p([`//registry.npmjs.org/:_authToken=${s}`, `@acme:registry=https://npm.pkg.github.com\n//registry.npmjs.org/:_authToken=${s}\n`]) }, toolJson, prose],
    },
    {
      kind: 'pypi',
      make: (f) => f.pypi(),
      names: ['PYPI_TOKEN', 'TWINE_PASSWORD'],
      contexts: [env, shell, { context: 'ini', render: (s) => `[pypi]\nusername = __token__\npassword = ${s}\n` }, toolJson, prose],
    },
    { kind: 'aws-access-key-id', make: (f, p) => f.awsKeyId(p(['AKIA', 'ASIA'] as const)), names: ['AWS_ACCESS_KEY_ID'], contexts: [env, json, { context: 'ini', render: (s) => `[default]\naws_access_key_id = ${s}\nregion = us-east-1\n` }, log, prose, toolJson] },
    {
      kind: 'aws-secret-access-key',
      make: (f) => f.awsSecret(),
      names: ['AWS_SECRET_ACCESS_KEY'],
      contexts: [
        env,
        shell,
        { context: 'ini', render: (s) => `[default]\nregion = eu-central-1\naws_secret_access_key = ${s}\n` },
        { context: 'json', render: (s) => `{"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "${s}", "Expiration": "2025-01-01T00:00:00Z"}}` },
        { context: 'source', render: (s, _n, p) => p([`new S3Client({ region, credentials: { accessKeyId, secretAccessKey: '${s}' } })`, `boto3.client("s3", aws_secret_access_key="${s}")`]) },
        toolJson,
      ],
    },
    {
      kind: 'azure-storage-connection',
      make: (f) => f.azureStorageKey(),
      names: ['AZURE_STORAGE_CONNECTION_STRING'],
      contexts: wrapConn((s) => `DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${s};EndpointSuffix=core.windows.net`),
    },
    {
      kind: 'azure-cosmos-connection',
      make: (f) => f.azureStorageKey(),
      names: ['COSMOS_CONNECTION_STRING'],
      contexts: wrapConn((s) => `AccountEndpoint=https://acme-orders.documents.azure.com:443/;AccountKey=${s};`),
    },
    {
      kind: 'azure-service-bus-connection',
      make: (f) => f.azureSharedAccessKey(),
      names: ['SERVICEBUS_CONNECTION'],
      contexts: wrapConn((s) => `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`),
    },
    {
      kind: 'azure-apim-key',
      make: (f) => f.hex(32),
      names: ['APIM_SUBSCRIPTION_KEY', 'OCP_APIM_SUBSCRIPTION_KEY'],
      contexts: [headerNamed('Ocp-Apim-Subscription-Key'), env, json, urlQuery('subscription-key', 'acme.azure-api.net')],
    },
    { kind: 'azure-ad-client-secret', make: (f) => f.azureAdSecret(), names: ['AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET'], contexts: [env, json, shell, yaml, prose, toolJson] },
    {
      kind: 'azure-sas',
      make: (f) => f.sasSignature(),
      names: ['SAS_URL'],
      contexts: [
        { context: 'url', render: (s, _n, p) => `https://acme.blob.core.windows.net/backups/${p(['db.bak', 'logs/2025-01.tar.gz'])}?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig=${s}` },
        { context: 'env', render: (s) => `BLOB_SAS_URL="https://acme.blob.core.windows.net/uploads?sp=racwdl&st=2025-01-01&se=2025-02-01&sv=2022-11-02&sr=c&sig=${s}"` },
        { context: 'shell', render: (s) => `azcopy copy ./dist "https://acmecdn.blob.core.windows.net/site?sv=2022-11-02&sp=rw&sig=${s}" --recursive` },
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `Uploaded to https://acme.blob.core.windows.net/c/f.zip?sv=2021-08-06&se=2025-01-01&sr=b&sp=r&sig=${s}\n`) },
      ],
    },
    { kind: 'google-api-key', make: (f) => f.googleApiKey(), names: ['GOOGLE_API_KEY', 'GEMINI_API_KEY', 'MAPS_API_KEY'], contexts: [env, json, source, urlQuery('key', 'maps.googleapis.com'), prose, toolJson] },
    {
      kind: 'gcp-service-account',
      make: (f) => f.pem('PRIVATE KEY', true, 10),
      names: ['GOOGLE_CREDENTIALS'],
      contexts: [
        { context: 'json', render: (s) => JSON.stringify({ type: 'service_account', project_id: 'acme-prod', private_key_id: 'k1', private_key: s.replace(/\\n/g, '\n'), client_email: 'ci@acme-prod.iam.gserviceaccount.com' }, null, 2) },
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `$ cat sa.json\n{"type": "service_account", "private_key": "${s}"}\n`) },
        { context: 'env', render: (s) => `GOOGLE_CREDENTIALS_JSON='{"type":"service_account","private_key":"${s}","client_email":"a@b.iam.gserviceaccount.com"}'` },
      ],
    },
    { kind: 'openai-legacy', make: (f) => f.openai(''), names: ['OPENAI_API_KEY'], contexts: [env, shell, source, bearerHeader, prose, toolJson] },
    { kind: 'openai-project', make: (f) => f.openai('proj-'), names: ['OPENAI_API_KEY'], contexts: [env, json, source, bearerHeader, log, prose, toolJson] },
    { kind: 'openai-svcacct', make: (f) => f.openai('svcacct-'), names: ['OPENAI_API_KEY', 'OPENAI_SERVICE_KEY'], contexts: [env, yaml, source, prose] },
    { kind: 'openai-admin', make: (f) => f.openai('admin-'), names: ['OPENAI_ADMIN_KEY'], contexts: [env, shell, bearerHeader, prose] },
    { kind: 'anthropic', make: (f) => f.anthropic(), names: ['ANTHROPIC_API_KEY'], contexts: [env, shell, source, headerNamed('x-api-key'), prose, toolJson] },
    { kind: 'huggingface', make: (f) => f.huggingFace(), names: ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'], contexts: [env, shell, source, bearerHeader, prose] },
    { kind: 'groq', make: (f) => f.groq(), names: ['GROQ_API_KEY'], contexts: [env, source, bearerHeader, prose] },
    { kind: 'slack-token', make: (f) => f.slackBot(), names: ['SLACK_BOT_TOKEN', 'SLACK_TOKEN'], contexts: [env, yaml, bearerHeader, source, prose, toolJson] },
    {
      kind: 'slack-webhook',
      make: (f) => f.slackWebhookPath(),
      names: ['SLACK_WEBHOOK_URL'],
      contexts: [
        { context: 'env', render: (s) => `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/${s}` },
        { context: 'shell', render: (s) => `curl -X POST -H 'Content-type: application/json' --data '{"text":"deployed"}' https://hooks.slack.com/services/${s}` },
        { context: 'json', render: (s) => `{"alerting": {"slack": {"url": "https://hooks.slack.com/services/${s}"}}}` },
        { context: 'prose', render: (s) => `post it to https://hooks.slack.com/services/${s} please` },
      ],
    },
    {
      kind: 'discord-webhook',
      make: (f) => f.discordWebhookPath(),
      names: ['DISCORD_WEBHOOK_URL'],
      contexts: [
        { context: 'env', render: (s) => `DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/${s}` },
        { context: 'source', render: (s) => `requests.post("https://discordapp.com/api/webhooks/${s}", json={"content": msg})` },
        { context: 'yaml', render: (s) => `notify:\n  discord: https://discord.com/api/webhooks/${s}\n` },
      ],
    },
    {
      kind: 'stripe',
      make: (f, p) => f.stripe(p(['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'] as const)),
      names: ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY'],
      contexts: [env, source, bearerHeader, { context: 'shell', render: (s) => `curl https://api.stripe.com/v1/charges -u ${s}: -d amount=2000` }, prose, toolJson],
    },
    {
      kind: 'twilio',
      make: (f) => f.hex(32),
      names: ['TWILIO_AUTH_TOKEN'],
      contexts: [
        env,
        { context: 'source', render: (s, _n, p) => `account_sid = "${p(['AC', 'AC'])}${TWILIO_SID_TAIL}"\nauth_token = "${s}"\nclient = Client(account_sid, auth_token)` },
        { context: 'json', render: (s) => `{"twilio": {"accountSid": "AC${TWILIO_SID_TAIL}", "authToken": "${s}"}}` },
        toolJson,
      ],
    },
    { kind: 'twilio-api-key', make: (f) => f.twilioSid('SK'), names: ['TWILIO_API_KEY'], contexts: [env, json, prose] },
    { kind: 'sendgrid', make: (f) => f.sendgrid(), names: ['SENDGRID_API_KEY'], contexts: [env, source, bearerHeader, prose, toolJson] },
    { kind: 'mailgun', make: (f) => f.mailgun(), names: ['MAILGUN_API_KEY'], contexts: [env, { context: 'shell', render: (s) => `curl -s --user 'api:${s}' https://api.mailgun.net/v3/mg.acme.io/messages` }, source, prose] },
    { kind: 'shopify', make: (f) => f.shopify(), names: ['SHOPIFY_ACCESS_TOKEN'], contexts: [env, headerNamed('X-Shopify-Access-Token'), json, prose] },
    { kind: 'digitalocean', make: (f) => f.digitalOcean(), names: ['DIGITALOCEAN_TOKEN', 'DO_TOKEN'], contexts: [env, shell, bearerHeader, prose] },
    {
      kind: 'databricks',
      make: (f) => f.databricks(),
      names: ['DATABRICKS_TOKEN'],
      contexts: [env, bearerHeader, { context: 'ini', render: (s) => `[DEFAULT]\nhost = https://adb-1234567890123456.7.azuredatabricks.net\ntoken = ${s}\n` }, json],
    },
    { kind: 'vault', make: (f) => f.vault(), names: ['VAULT_TOKEN'], contexts: [env, shell, headerNamed('X-Vault-Token'), prose, toolJson] },
    {
      kind: 'pem-private-key',
      make: (f, p) => f.pem(p(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']), false, 8),
      names: ['PRIVATE_KEY'],
      contexts: [
        pemReal,
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `$ cat deploy_key\n${s}\n`) },
        { context: 'yaml', render: (s) => `tls:\n  key: |\n${s.split('\n').map((l) => '    ' + l).join('\n')}\n` },
      ],
    },
    { kind: 'pem-private-key-escaped', make: (f) => f.pem('RSA PRIVATE KEY', true, 8), names: ['PRIVATE_KEY'], contexts: [pemEscaped, { context: 'env', render: (s) => `PRIVATE_KEY="${s}"` }, { context: 'tool-json', render: (s, _n, p) => toolResult(p, `SSH_KEY=${s}`) }] },
    {
      kind: 'pem-private-key-base64',
      make: (f, p) => Buffer.from(f.pem(p(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY']), false, 6) + '\n').toString('base64'),
      names: ['TLS_KEY'],
      contexts: [
        { context: 'yaml', render: (s, _n, p) => p([`users:\n- name: admin\n  user:\n    client-certificate-data: ${CERT_B64}\n    client-key-data: ${s}\n`, `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${CERT_B64}\n  tls.key: ${s}\n`]) },
        { context: 'env', render: (s) => `SSH_PRIVATE_KEY_B64=${s}` },
        { context: 'tool-json', render: (s, _n, p) => toolResult(p, `$ kubectl get secret web-tls -o json\n{"data": {"tls.key": "${s}"}}\n`) },
      ],
    },
    { kind: 'url-postgres', make: (f) => f.urlPassword(16), names: ['DATABASE_URL'], contexts: connectionUrl('postgres', 5432, 'orders') },
    { kind: 'url-mysql', make: (f) => f.urlPassword(14), names: ['DATABASE_URL'], contexts: connectionUrl('mysql', 3306, 'shop') },
    { kind: 'url-mongodb', make: (f) => f.urlPassword(18), names: ['MONGO_URL'], contexts: connectionUrl('mongodb+srv', 27017, 'app?retryWrites=true&w=majority') },
    { kind: 'url-redis', make: (f) => f.urlPassword(20), names: ['REDIS_URL'], contexts: connectionUrl('redis', 6379, '0') },
    { kind: 'url-amqp', make: (f) => f.urlPassword(16), names: ['AMQP_URL'], contexts: connectionUrl('amqps', 5671, 'vhost') },
    {
      kind: 'url-https-credentials',
      make: (f) => f.urlPassword(15),
      names: ['REGISTRY_URL'],
      contexts: [
        { context: 'shell', render: (s) => `pip install --index-url https://deploy:${s}@pypi.acme.io/simple acme-core` },
        { context: 'log', render: (s, _n, p) => `${timestamp(p)} fetching https://ci-bot:${s}@git.acme.io/platform/infra.git` },
        { context: 'json', render: (s) => `{"registry": "https://builder:${s}@registry.acme.io/v2/"}` },
      ],
    },
    {
      kind: 'generic-secret-assignment',
      make: (f, p) => p([() => f.opaque(32), () => f.b64url(43), () => f.hex(48)])(),
      names: ['JWT_SECRET', 'SESSION_SECRET', 'WEBHOOK_SECRET', 'ENCRYPTION_KEY', 'CLIENT_SECRET', 'SIGNING_KEY', 'API_SECRET', 'AUTH_TOKEN', 'PRIVATE_TOKEN', 'APP_SECRET_KEY'],
      contexts: [env, json, yaml, source, log, toolJson],
    },
  ];
}

/** Connection strings appear in env files, JSON config (appsettings), code and tool output. */
function wrapConn(conn: (s: string) => string): Context[] {
  return [
    { context: 'env', render: (s, n) => `${n}="${conn(s)}"` },
    { context: 'json', render: (s) => JSON.stringify({ ConnectionStrings: { Default: conn(s) }, Logging: { LogLevel: { Default: 'Information' } } }, null, 2) },
    { context: 'source', render: (s) => `var client = new ServiceClient("${conn(s)}");` },
    { context: 'tool-json', render: (s, n, p) => toolResult(p, `$ az storage account show-connection-string\n${n}=${conn(s)}\n`) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Negatives: kinds of look-alikes, each a generator of one text.

type NegativeMaker = (f: FakeSecrets, p: Pick, rng: Rng) => string;

function negativeMakers(): Record<string, { context: string; make: NegativeMaker }[]> {
  const sha1 = (f: FakeSecrets): string => f.hex(40);
  const sha256 = (f: FakeSecrets): string => f.hex(64);
  const uuid = (f: FakeSecrets): string => `${f.hex(8)}-${f.hex(4)}-4${f.hex(3)}-${'89ab'.charAt(f.hex(1).charCodeAt(0) % 4)}${f.hex(3)}-${f.hex(12)}`;
  const sri = (rng: Rng, n: number): string => rng.bytes(n).toString('base64');
  const pkg = (p: Pick): string => p(['left-pad', 'lodash', 'react-dom', '@types/node', 'esbuild', 'typescript', '@babel/core', 'chalk', 'semver', 'undici']);
  const ver = (p: Pick): string => `${p(['1', '2', '4', '7', '18', '20'])}.${p(['0', '3', '12', '21'])}.${p(['0', '1', '5', '9'])}`;
  const ident = (p: Pick): string =>
    p([
      'AbstractSingletonProxyFactoryBean',
      'useInfiniteScrollPaginationWithCursorToken',
      'handleAuthenticationTokenRefreshFailure',
      'validatePasswordStrengthRequirements',
      'PrivateKeyCredentialProviderFactory',
      'ExternalSecretsOperatorReconcileLoop',
      'getAccessTokenSilentlyWithPopupFallback',
    ]);
  return {
    'git-sha': [
      { context: 'log', make: (f) => `commit ${sha1(f)}\nAuthor: Dev One <dev@example.com>\nDate:   Mon Jan 6 10:12:44 2025 +0100\n\n    fix: handle empty token list` },
      { context: 'shell', make: (f, p) => p([`git checkout ${sha1(f)}`, `git cherry-pick ${sha1(f).slice(0, 12)}`, `git rev-parse HEAD\n${sha1(f)}`]) },
      { context: 'json', make: (f) => `{"sha": "${sha1(f)}", "node_id": "C_kwDOAbCdEfXyZ", "parents": [{"sha": "${sha1(f)}"}]}` },
      { context: 'log', make: (f, p) => `${sha1(f).slice(0, 7)} ${p(['feat: add token refresh', 'chore: bump deps', 'fix(auth): reject empty password'])}` },
      { context: 'yaml', make: (f) => `- uses: actions/checkout@${sha1(f)} # v4.1.1` },
    ],
    'lockfile-integrity': [
      { context: 'json', make: (_f, p, rng) => `"node_modules/${pkg(p)}": {\n  "version": "${ver(p)}",\n  "resolved": "https://registry.npmjs.org/${pkg(p)}/-/x-${ver(p)}.tgz",\n  "integrity": "sha512-${sri(rng, 64)}"\n}` },
      { context: 'yarn-lock', make: (f, p, rng) => `"${pkg(p)}@^${ver(p)}":\n  version "${ver(p)}"\n  resolved "https://registry.yarnpkg.com/x/-/x-${ver(p)}.tgz#${sha1(f)}"\n  integrity sha512-${sri(rng, 64)}` },
      { context: 'yaml', make: (_f, p, rng) => `  /${pkg(p)}@${ver(p)}:\n    resolution: {integrity: sha512-${sri(rng, 64)}}\n    dev: true` },
      { context: 'go-sum', make: (_f, p, rng) => `github.com/${p(['spf13/cobra', 'stretchr/testify', 'google/uuid'])} v${ver(p)} h1:${sri(rng, 32)}` },
      { context: 'toml', make: (f, p) => `[[package]]\nname = "serde"\nversion = "${ver(p)}"\nchecksum = "${sha256(f)}"` },
    ],
    'image-digest': [
      { context: 'dockerfile', make: (f, p) => `FROM ${p(['node:20-alpine', 'python:3.12-slim', 'nginx:1.27'])}@sha256:${sha256(f)}` },
      { context: 'json', make: (f) => `{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:${sha256(f)}", "size": 7023}` },
      { context: 'log', make: (f) => `latest: digest: sha256:${sha256(f)} size: 1573` },
      { context: 'shell', make: (f) => `${sha256(f)}  dist/session-relay-0.1.0.vsix` },
    ],
    uuid: [
      { context: 'json', make: (f) => `{"id": "${uuid(f)}", "requestId": "${uuid(f)}", "status": "ok"}` },
      { context: 'header', make: (f) => `x-ms-request-id: ${uuid(f)}\nx-ms-correlation-request-id: ${uuid(f)}` },
      { context: 'url', make: (f) => `/subscriptions/${uuid(f)}/resourceGroups/rg-app/providers/Microsoft.Web/sites/api` },
      { context: 'env', make: (f) => `AZURE_TENANT_ID=${uuid(f)}\nAZURE_CLIENT_ID=${uuid(f)}\nAZURE_SUBSCRIPTION_ID=${uuid(f)}` },
      { context: 'log', make: (f) => `trace_id=${f.hex(32)} span_id=${f.hex(16)} session=${uuid(f)}` },
    ],
    'data-uri': [
      { context: 'markdown', make: (_f, _p, rng) => `![chart](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${rng.chars(B64, 800 + rng.int(800))}=)` },
      { context: 'html', make: (_f, _p, rng) => `<img alt="logo" src="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ${rng.chars(B64, 1200)}">` },
      { context: 'css', make: (_f, _p, rng) => `.icon { background: url("data:image/svg+xml;base64,PHN2ZyB4bWxucz0i${rng.chars(B64, 300)}"); }` },
      { context: 'source', make: (_f, _p, rng) => `//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozL${rng.chars(B64, 400)}` },
    ],
    'code-names-credential': [
      { context: 'source', make: (_f, p) => p([`if (!password) throw new Error('password is required');`, `const { token } = await auth.getSession();`, `private readonly apiKey?: string;`, `def login(username: str, password: str) -> Token:`]) },
      { context: 'source', make: (_f, p) => p([`const apiKey = config.apiKey;`, `token = jwt.sign(payload, secret, { expiresIn: '1h' })`, `self.password = password`, `password: str = Field(..., min_length=8)`]) },
      { context: 'source', make: (_f, p) => p([`if (password === confirmPassword) submit();`, `for (const key of Object.keys(secrets)) {`, `type Keys = keyof typeof tokens;`, `headers: { Authorization: \`Bearer \${token}\` },`]) },
      { context: 'source', make: (_f, p) => p([`"Authorization": "Bearer " + accessToken`, `secret := os.Getenv("JWT_SECRET")`, `apiKey = settings.get('apiKey')`, `let secretKey = try keychain.read(account: "api")`]) },
      { context: 'html', make: (_f, p) => p([`<input type="password" name="password" placeholder="Password" autocomplete="current-password">`, `<label for="token">API token</label>`, `.password-field { border: 1px solid red; }`]) },
      { context: 'yaml', make: (_f, p) => p([`token_type: Bearer\nexpires_in: 3600`, `secretName: my-app-secrets`, `password_file: /run/secrets/db_password`, `env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: { name: db, key: password }`]) },
      { context: 'json', make: (_f, p) => p([`"usage": {"inputTokens": 1234, "outputTokens": 567, "cacheReadTokens": 0}`, `{"max_tokens": 4096, "temperature": 0.2}`, `{"password": "", "remember": false}`, `{"tokenizer": "cl100k_base", "token_count": 812}`]) },
    ],
    'env-reference': [
      { context: 'source', make: (_f, p) => `const ${p(['apiKey', 'token', 'secret', 'password'])} = process.env.${p(['OPENAI_API_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'JWT_SECRET'])};` },
      { context: 'source', make: (_f, p) => `${p(['api_key', 'token', 'password'])} = os.environ["${p(['OPENAI_API_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD'])}"]` },
      { context: 'yaml', make: (_f, p) => `      ${p(['GITHUB_TOKEN', 'NPM_TOKEN', 'OPENAI_API_KEY'])}: \${{ secrets.${p(['GITHUB_TOKEN', 'NPM_TOKEN', 'OPENAI_API_KEY'])} }}` },
      { context: 'env', make: (_f, p) => p([`export NPM_TOKEN=\${NPM_TOKEN}`, `DB_PASSWORD=\${DB_PASSWORD:-}`, `API_KEY=$API_KEY`, `GITHUB_TOKEN=%GITHUB_TOKEN%`]) },
      { context: 'source', make: (_f, p) => p([`password: process.env.DB_PASSWORD,`, `token: vars.DEPLOY_TOKEN`, `"apiKey": "{{ .Values.apiKey }}"`, `client_secret = dbutils.secrets.get(scope="kv", key="sp-secret")`]) },
    ],
    'command-substitution': [
      { context: 'shell', make: (_f, p) => p([`TOKEN=$(gh auth token)`, `export GITHUB_TOKEN=$(gh auth token)`, `GH_TOKEN="$(gh auth token --hostname github.com)"`]) },
      { context: 'shell', make: (_f, p) => p([`PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)`, `export VAULT_TOKEN=$(vault print token)`, `TOKEN=\`cat /run/secrets/token\``]) },
      { context: 'shell', make: (_f, p) => p([`docker login ghcr.io -u octocat --password-stdin <<< "$(gh auth token)"`, `echo "$CR_PAT" | docker login ghcr.io -u USERNAME --password-stdin`, `az acr login --name acme --expose-token --output tsv --query accessToken`]) },
    ],
    'localhost-db-url': [
      { context: 'env', make: (_f, p) => `DATABASE_URL=${p(['postgres://localhost/dev', 'postgresql://localhost:5432/app_test', 'mysql://127.0.0.1:3306/shop', 'mongodb://localhost:27017/orders', 'redis://localhost:6379/0', 'amqp://localhost:5672'])}` },
      { context: 'log', make: (_f, p) => `listening on ${p(['http://localhost:3000', 'http://127.0.0.1:8080/health', 'http://[::1]:4318/v1/traces'])}` },
      { context: 'source', make: (_f, p) => `const url = "${p(['postgres://db:5432/orders', 'redis://cache:6379', 'mongodb://mongo:27017/test', 'postgresql://app@localhost/app'])}";` },
      { context: 'shell', make: (_f, p) => p([`git clone git@github.com:acme/infra.git`, `ssh://git@github.com/acme/api.git`, `psql postgres://postgres@localhost:5432/postgres`, `git remote add origin https://github.com/acme/api.git`]) },
      { context: 'yaml', make: (_f, p) => `datasource:\n  url: ${p(['jdbc:postgresql://localhost:5432/orders', 'postgres://${DB_USER}:${DB_PASSWORD}@db:5432/orders', 'mysql://root:@localhost/test'])}` },
    ],
    'prose-token-prefix': [
      { context: 'prose', make: (_f, p) => p([`GitHub personal access tokens start with ghp_ and fine-grained ones with github_pat_.`, `OpenAI keys look like sk-... and project keys like sk-proj-...`, `AWS access key ids begin with AKIA (long-term) or ASIA (temporary).`]) },
      { context: 'prose', make: (_f, p) => p([`Slack bot tokens start with xoxb- and user tokens with xoxp-.`, `Use a Stripe test key (sk_test_...) in development, never sk_live_.`, `Hugging Face tokens (hf_...) and Groq keys (gsk_...) go in the env file.`]) },
      { context: 'markdown', make: (_f, p) => p([`| prefix | vendor |\n|---|---|\n| \`glpat-\` | GitLab |\n| \`npm_\` | npm |\n| \`pypi-\` | PyPI |`, `Set \`OPENAI_API_KEY\` to your key (it starts with \`sk-\`).`, `A JWT has three parts: header.payload.signature, the header starts with eyJ.`]) },
      { context: 'prose', make: (_f, p) => p([`The token was revoked; please create a new personal access token with repo scope.`, `Never commit your password or API key; store secrets in the vault.`, `Bearer tokens must be sent in the Authorization header.`]) },
    ],
    'long-identifier': [
      { context: 'source', make: (_f, p) => `export class ${ident(p)} extends Base {}` },
      { context: 'source', make: (_f, p) => `import { ${ident(p)} } from './auth/${ident(p)}';` },
      { context: 'log', make: (_f, p) => `at ${ident(p)}.handle (/app/node_modules/@acme/auth/dist/index.js:${p(['12', '345', '1024'])}:${p(['7', '19'])})` },
      { context: 'java', make: (_f, p) => `org.springframework.security.oauth2.server.resource.authentication.${p(['JwtAuthenticationProvider', 'BearerTokenAuthenticationFilter', 'OpaqueTokenIntrospector'])}` },
      { context: 'css', make: (_f, p) => `<div class="${p(['flex items-center justify-between px-4 py-2', 'MuiButtonBase-root MuiIconButton-root', 'css-1x2y3z4-TokenInput'])}">` },
    ],
    version: [
      { context: 'json', make: (_f, p) => `"dependencies": { "${pkg(p)}": "^${ver(p)}", "${pkg(p)}": "~${ver(p)}" }` },
      { context: 'log', make: (_f, p) => `node v${ver(p)} npm ${ver(p)} (${p(['linux-x64', 'darwin-arm64', 'win32-x64'])})` },
      { context: 'yaml', make: (_f, p) => `version: ${ver(p)}-rc.${p(['1', '2'])}+build.${p(['20250101', '7731'])}` },
      { context: 'env', make: (_f, p) => `NODE_VERSION=${ver(p)}\nTOKEN_TTL=3600\nKEY_ROTATION_DAYS=90` },
    ],
    placeholder: [
      { context: 'env', make: (_f, p) => p([`OPENAI_API_KEY=your-api-key-here`, `GITHUB_TOKEN=<your-token>`, `DB_PASSWORD=changeme`, `STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx`, `API_KEY=`]) },
      { context: 'json', make: (_f, p) => p([`{"apiKey": "YOUR_API_KEY", "secret": "<secret>"}`, `{"token": "********", "password": "REDACTED"}`, `{"clientSecret": "{{CLIENT_SECRET}}"}`]) },
      { context: 'yaml', make: (_f, p) => p([`password: "${'$'}{DB_PASSWORD}"`, `api_key: !Ref ApiKeyParam`, `token: "TODO"`]) },
      { context: 'prose', make: (_f, p) => p([`Replace ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX with your token.`, `export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE`, `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`]) },
    ],
    'public-key-material': [
      { context: 'ssh', make: (_f, p, rng) => `${p(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ'])}${rng.chars(B64, 60)} ${p(['dev@laptop', 'ci@build'])}` },
      { context: 'pem', make: (_f, _p, rng) => `-----BEGIN CERTIFICATE-----\nMIIB${rng.chars(B64, 60)}\n${rng.chars(B64, 64)}\n-----END CERTIFICATE-----` },
      { context: 'pem', make: (_f, _p, rng) => `-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A${rng.chars(B64, 32)}\n${rng.chars(B64, 64)}\n-----END PUBLIC KEY-----` },
      { context: 'env', make: (f) => `STRIPE_PUBLISHABLE_KEY=pk_live_${f.b62(40)}\nNEXT_PUBLIC_SITE_KEY=6Lc${f.b62(37)}` },
      { context: 'yaml', make: (_f, _p, rng) => `clusters:\n- cluster:\n    certificate-authority-data: ${Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIC${rng.chars(B64, 120)}\n-----END CERTIFICATE-----\n`).toString('base64')}\n    server: https://10.0.0.1:6443` },
    ],
    'hash-and-id': [
      { context: 'log', make: (f, p) => `${p(['checksum', 'md5', 'etag'])}: ${f.hex(32)}` },
      { context: 'json', make: (f) => `{"traceId": "${f.hex(32)}", "spanId": "${f.hex(16)}", "parentSpanId": "${f.hex(16)}"}` },
      { context: 'source', make: (f) => `<script src="/static/js/main.${f.hex(8)}.js" integrity="sha384-${Buffer.from(f.hex(48), 'hex').toString('base64')}" crossorigin="anonymous"></script>` },
      { context: 'log', make: (f, p) => `Successfully built ${f.hex(12)}\nSuccessfully tagged acme/${p(['api', 'web'])}:${ver(p)}` },
      { context: 'url', make: (f) => `https://github.com/acme/api/blob/${sha1(f)}/src/auth/token.ts#L42-L57` },
      { context: 'json', make: (f, p) => `{"cacheKey": "deps-${p(['linux', 'macos'])}-x64-${f.hex(40)}", "paths": ["node_modules"]}` },
    ],
    'random-looking-non-secret': [
      { context: 'url', make: (f) => `https://www.youtube.com/watch?v=${f.b64url(11)}&t=42s` },
      { context: 'json', make: (f) => `{"node_id": "MDQ6VXNlcjE${f.b62(10)}", "login": "octocat", "id": ${f.hex(6).replace(/[a-f]/g, '1')}}` },
      { context: 'log', make: (f) => `request ${UPPER.charAt(3)}${f.b62(25).toUpperCase().replace(/[^A-Z0-9]/g, 'Q')} completed in 231ms` },
      { context: 'source', make: (f) => `const ALPHABET = "${B62}"; // id charset, ${f.hex(2)}` },
      { context: 'url', make: (f) => `https://docs.google.com/document/d/1${f.b64url(43)}/edit` },
    ],
  };
}

/**
 * The secret as it appears in the text: as generated, JSON-escaped (tool results), or, for a
 * PEM block re-indented or re-encoded by its context, each of its base64 body lines.
 */
function secretForms(text: string, secret: string): string[] {
  if (text.includes(secret)) return [secret];
  if (text.includes(escapeJson(secret))) return [escapeJson(secret)];
  const lines = secret.split(/\n|\\n/).filter((l) => l.length >= 16 && !l.startsWith('-----'));
  return lines.length > 1 && lines.every((l) => text.includes(l)) ? lines : [];
}

/** Per-kind counts chosen so every kind of look-alike is well represented (≥ 300 in all). */
const NEGATIVES_PER_MAKER = 5;
/** Positives: each (kind, context) pair twice, with different secrets and wrappers. */
const POSITIVES_PER_CONTEXT = 2;

export function generateCorpus(seed = 0x5eed_c0de): Corpus {
  const rng = new Rng(seed);
  const f = new FakeSecrets(rng);
  const pick: Pick = (items) => items[rng.int(items.length)] as (typeof items)[number];

  const positives: CorpusEntry[] = [];
  for (const family of families()) {
    for (const ctx of family.contexts) {
      for (let i = 0; i < POSITIVES_PER_CONTEXT; i++) {
        const secret = family.make(f, pick);
        const name = pick(family.names);
        const text = ctx.render(secret, name, pick);
        const forms = secretForms(text, secret);
        if (forms.length === 0) throw new Error(`corpus: ${family.kind}/${ctx.context} lost its secret`);
        positives.push({ kind: family.kind, context: ctx.context, text, secret: forms });
      }
    }
  }

  const negatives: CorpusEntry[] = [];
  for (const [kind, makers] of Object.entries(negativeMakers())) {
    for (const m of makers) {
      for (let i = 0; i < NEGATIVES_PER_MAKER; i++) negatives.push({ kind, context: m.context, text: m.make(f, pick, rng) });
    }
  }
  return { positives, negatives };
}

/** Summary figures used by the test and the inspection script. */
export function describeCorpus(corpus: Corpus): { kinds: number; contexts: number; positives: number; negatives: number } {
  return {
    kinds: new Set(corpus.positives.map((e) => e.kind)).size,
    contexts: new Set(corpus.positives.map((e) => e.context)).size,
    positives: corpus.positives.length,
    negatives: corpus.negatives.length,
  };
}
