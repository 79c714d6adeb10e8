/**
 * Dynamic secrets: values that are secret because of where they came from (the GitHub session
 * token, the Sessions API token, the receiver token, secret environment variables), whatever
 * their format. They are matched literally, as they are and in the encodings a chat is likely to
 * show them in: base64 (standard and URL-safe, e.g. inside a `Basic` header or a config blob),
 * URL-encoded (inside a query string) and JSON-escaped (inside a JSON string).
 */

export const DYNAMIC_SECRET_KIND = 'dynamic-secret';

/** Shorter values would match ordinary words and numbers. */
export const MIN_DYNAMIC_SECRET_LENGTH = 8;

/** Environment variables that hold credentials under a name the pattern below would not catch. */
export const WELL_KNOWN_SECRET_ENV_VARS: readonly string[] = [
  'GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'COPILOT_GITHUB_TOKEN',
  'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'AZURE_OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY',
  'GROQ_API_KEY', 'MISTRAL_API_KEY', 'COHERE_API_KEY', 'XAI_API_KEY', 'DEEPSEEK_API_KEY', 'OPENROUTER_API_KEY',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET',
  'AZURE_STORAGE_KEY', 'AZURE_STORAGE_CONNECTION_STRING', 'AZURE_DEVOPS_EXT_PAT', 'SYSTEM_ACCESSTOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS_JSON', 'NPM_TOKEN', 'NODE_AUTH_TOKEN', 'YARN_NPM_AUTH_TOKEN', 'PYPI_TOKEN',
  'TWINE_PASSWORD', 'CARGO_REGISTRY_TOKEN', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACEHUB_API_TOKEN',
  'SLACK_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL', 'DISCORD_WEBHOOK_URL', 'GITLAB_TOKEN', 'CI_JOB_TOKEN',
  'CODECOV_TOKEN', 'SONAR_TOKEN', 'SNYK_TOKEN', 'SENTRY_AUTH_TOKEN', 'SENTRY_DSN', 'VERCEL_TOKEN',
  'NETLIFY_AUTH_TOKEN', 'CLOUDFLARE_API_TOKEN', 'HEROKU_API_KEY', 'DIGITALOCEAN_ACCESS_TOKEN',
  'DATABRICKS_TOKEN', 'VAULT_TOKEN', 'STRIPE_SECRET_KEY', 'SENDGRID_API_KEY', 'TWILIO_AUTH_TOKEN',
  'MAILGUN_API_KEY', 'DOCKER_PASSWORD', 'DOCKERHUB_TOKEN', 'PGPASSWORD', 'MYSQL_PWD', 'REDIS_PASSWORD',
  'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
];

/** Names that say "credential": `*_TOKEN`, `*_SECRET`, `*_API_KEY`, `*_PASSWORD`, … */
export const SECRET_ENV_NAME =
  /(?:^|_)(?:TOKEN|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|ACCESS_TOKEN|AUTH_TOKEN|PASSWORD|PASSWD|PASSPHRASE|PAT|CLIENT_SECRET|CREDENTIALS)$/i;

/**
 * Values that are certainly not a credential even under a secret-looking name (a file path, a
 * flag): matching them everywhere would only damage transcripts.
 */
function isCredentialValue(value: string): boolean {
  if (value.length < MIN_DYNAMIC_SECRET_LENGTH) return false;
  if (/^(?:~|\.{0,2}\/|[A-Za-z]:[\\/])/.test(value)) return false;
  return !/^(?:true|false|yes|no|null|none|undefined|\d+)$/i.test(value);
}

/** The values of well-known and secret-named environment variables (≥ 8 characters), deduplicated. */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const wellKnown = new Set(WELL_KNOWN_SECRET_ENV_VARS);
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!wellKnown.has(name.toUpperCase()) && !SECRET_ENV_NAME.test(name)) continue;
    const trimmed = value.trim();
    if (isCredentialValue(trimmed)) values.add(trimmed);
  }
  return [...values];
}

/**
 * The literal strings under which `value` can appear. Base64 comes padded and unpadded (JWT-style
 * encoders drop the padding); the longest form wins where both match.
 */
export function dynamicSecretForms(value: string): string[] {
  if (value.length < MIN_DYNAMIC_SECRET_LENGTH) return [];
  const bytes = Buffer.from(value, 'utf8');
  const uri = encodeURIComponent(value);
  const forms = new Set<string>([
    value,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    JSON.stringify(value).slice(1, -1),
  ]);
  return [...forms];
}
