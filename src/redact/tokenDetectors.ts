/**
 * Credentials with a recognisable literal prefix (vendor token formats, JWTs, connection-string
 * keys). Each is a sticky regex run only where its prefix occurs, bounded in length so a long run
 * of token characters costs at most one bounded scan.
 */
import { ALNUM, Detector, tokenDetector } from './detector';
import { isFiller, isWordLike, shannonEntropy } from './valueShape';

const WORD = ALNUM + '_';
const WORD_DASH = ALNUM + '_-';

/**
 * The random part of a token must not be filler (`ghp_xxxx…`) or a readable name. Bodies made of
 * letters only (Hugging Face) are judged by entropy alone: a name's case pattern cannot be told
 * from random case reliably enough to reject a real token on it.
 */
function randomBody(prefix: RegExp, minEntropy = 3.0): (secret: string) => boolean {
  return (secret) => {
    const body = secret.replace(prefix, '');
    if (isFiller(body) || shannonEntropy(body) < minEntropy) return false;
    // The prefix and length already say "token", so only plain words and numbers (`npm_my_test_token`)
    // make it a name; random mixed-case runs without digits (`XLHKGhmcyum`) are a token's body.
    return /^[A-Za-z]+$/.test(body) || !isWordLike(body, true);
  };
}

/** A JWT header is base64url JSON naming its algorithm or type. */
function isJwtHeader(segment: string): boolean {
  const json = Buffer.from(segment, 'base64url').toString('latin1');
  return json.startsWith('{') && /"(?:alg|typ|enc|kid)"/.test(json);
}

/**
 * Formats whose prefix is made of common lower-case letters only (`dapi`): scanning every text
 * for it would cost more than all other anchors together, so these are recognised only where a
 * generic detector has already isolated a credential (an assignment, a header, a flag) and named
 * by their format there.
 */
const UNANCHORED_FORMATS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'databricks-token', pattern: /^dapi[a-f0-9]{32}(?:-\d+)?$/ },
];

/** The vendor kind of a credential isolated by a generic detector, if its format is known. */
export function unanchoredFormatKind(value: string): string | undefined {
  return UNANCHORED_FORMATS.find((f) => f.pattern.test(value))?.kind;
}

export const unanchoredFormatKinds: readonly string[] = UNANCHORED_FORMATS.map((f) => f.kind);

export const tokenDetectors: readonly Detector[] = [
  tokenDetector({
    kind: 'github-token',
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])/y,
    notAfter: ALNUM,
    validate: randomBody(/^gh._/),
  }),
  tokenDetector({
    kind: 'github-token',
    anchors: ['github_pat_'],
    pattern: /github_pat_[A-Za-z0-9_]{50,255}(?![A-Za-z0-9_])/y,
    notAfter: ALNUM,
    validate: randomBody(/^github_pat_/),
  }),
  tokenDetector({
    kind: 'gitlab-token',
    anchors: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glft-', 'glcbt-', 'glsoat-', 'gloas-', 'glimt-', 'glagent-', 'glffct-'],
    pattern:
      /gl(?:pat|dt|rt|ptt|ft|cbt|soat|oas|imt|agent|ffct)-[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{2,64}){0,3}(?![A-Za-z0-9_-])/y,
    notAfter: ALNUM,
    validate: randomBody(/^gl[a-z]+-/),
  }),
  tokenDetector({
    kind: 'npm-token',
    anchors: ['npm_'],
    pattern: /npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y,
    notAfter: WORD,
    validate: randomBody(/^npm_/),
  }),
  tokenDetector({
    kind: 'pypi-token',
    anchors: ['pypi-'],
    pattern: /pypi-[A-Za-z0-9_-]{50,1024}(?![A-Za-z0-9_-])/y,
    notAfter: ALNUM,
    validate: randomBody(/^pypi-/),
  }),
  tokenDetector({
    kind: 'aws-access-key-id',
    anchors: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    pattern: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/y,
    notAfter: ALNUM,
    // AKIAIOSFODNN7EXAMPLE is AWS's documentation key, quoted everywhere.
    validate: (secret) => !isFiller(secret.slice(4)) && !secret.endsWith('EXAMPLE'),
  }),
  tokenDetector({
    kind: 'azure-account-key',
    anchors: ['AccountKey='],
    pattern: /AccountKey=([A-Za-z0-9+/]{20,200}={0,2})(?![A-Za-z0-9+/=])/y,
    group: 1,
    validate: (secret) => !isFiller(secret),
  }),
  tokenDetector({
    kind: 'azure-shared-access-key',
    anchors: ['SharedAccessKey='],
    pattern: /SharedAccessKey=([A-Za-z0-9+/]{20,200}={0,2})(?![A-Za-z0-9+/=])/y,
    group: 1,
    validate: (secret) => !isFiller(secret),
  }),
  tokenDetector({
    // Entra ID (Azure AD) client secrets: 3 chars, a version digit and `Q~`, then 31–34 chars.
    kind: 'azure-ad-client-secret',
    anchors: ['7Q~', '8Q~'],
    lead: 3,
    pattern: /[A-Za-z0-9_~.-]{3}[78]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~-])/y,
    notAfter: WORD_DASH + '~.',
    validate: (secret) => /\d/.test(secret) && !isFiller(secret.slice(6)),
  }),
  tokenDetector({
    // Shared access signatures: the `sig` query parameter of a SAS URL or connection string.
    kind: 'azure-sas-signature',
    anchors: ['sig='],
    pattern: /sig=([A-Za-z0-9%+/=_-]{16,256})(?![A-Za-z0-9%+/=_-])/y,
    onlyAfter: '?&;"\' \t\n',
    group: 1,
    validate: (secret) => !isFiller(secret),
  }),
  tokenDetector({
    kind: 'url-signature',
    anchors: ['X-Amz-Signature=', 'x-amz-signature=', 'X-Goog-Signature=', 'x-goog-signature='],
    pattern: /[Xx]-(?:Amz|amz|Goog|goog)-[Ss]ignature=([0-9a-fA-F]{32,1024})(?![0-9A-Za-z])/y,
    onlyAfter: '?&',
    group: 1,
    validate: (secret) => !isFiller(secret),
  }),
  tokenDetector({
    kind: 'google-api-key',
    anchors: ['AIza'],
    pattern: /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y,
    notAfter: WORD_DASH,
    validate: randomBody(/^AIza/),
  }),
  tokenDetector({
    kind: 'google-oauth-token',
    anchors: ['ya29.'],
    pattern: /ya29\.[0-9A-Za-z_-]{20,2048}(?![0-9A-Za-z_-])/y,
    notAfter: ALNUM,
    validate: randomBody(/^ya29\./),
  }),
  tokenDetector({
    // OpenAI (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`) and Anthropic (`sk-ant-…`) share the prefix.
    kind: 'openai-key',
    kinds: ['openai-key', 'anthropic-key'],
    anchors: ['sk-'],
    pattern: /sk-[A-Za-z0-9_-]{20,512}(?![A-Za-z0-9_-])/y,
    notAfter: WORD_DASH,
    validate: randomBody(/^sk-(?:ant-(?:api|admin|sid)\d\d-|proj-|svcacct-|admin-|None-)?/, 3.5),
    kindOf: (m) => (m[0].startsWith('sk-ant-') ? 'anthropic-key' : 'openai-key'),
  }),
  tokenDetector({
    kind: 'huggingface-token',
    anchors: ['hf_'],
    pattern: /hf_[A-Za-z0-9]{30,64}(?![A-Za-z0-9_])/y,
    notAfter: WORD,
    validate: randomBody(/^hf_/, 3.5),
  }),
  tokenDetector({
    kind: 'groq-key',
    anchors: ['gsk_'],
    pattern: /gsk_[A-Za-z0-9]{40,64}(?![A-Za-z0-9_])/y,
    notAfter: WORD,
    validate: randomBody(/^gsk_/, 3.5),
  }),
  tokenDetector({
    kind: 'slack-token',
    // Refresh tokens (`xoxe.xoxp-…`) are caught at their inner `xoxp-`.
    anchors: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxo-', 'xoxe-', 'xapp-'],
    pattern: /(?:xox[abposre]-|xapp-)[A-Za-z0-9-]{10,512}(?![A-Za-z0-9-])/y,
    notAfter: ALNUM,
    validate: (secret) => /\d/.test(secret) && !isFiller(secret.slice(5).replace(/-/g, '')),
  }),
  tokenDetector({
    kind: 'stripe-key',
    anchors: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    pattern: /[sr]k_(?:live|test)_[A-Za-z0-9]{10,256}(?![A-Za-z0-9])/y,
    notAfter: WORD,
    validate: randomBody(/^[sr]k_[a-z]+_/),
  }),
  tokenDetector({
    kind: 'stripe-webhook-secret',
    anchors: ['whsec_'],
    pattern: /whsec_[A-Za-z0-9+/=]{24,128}(?![A-Za-z0-9+/=])/y,
    notAfter: WORD,
    validate: randomBody(/^whsec_/),
  }),
  tokenDetector({
    // Account and API key SIDs: the exact shape (two letters, 32 lower-case hex, word boundaries)
    // is specific enough without the word "twilio" nearby.
    kind: 'twilio-credential',
    anchors: ['AC', 'SK'],
    pattern: /(?:AC|SK)[0-9a-f]{32}(?![A-Za-z0-9])/y,
    notAfter: ALNUM,
    validate: (secret) => /[a-f]/.test(secret.slice(2)) && /\d/.test(secret) && !isFiller(secret.slice(2)),
  }),
  tokenDetector({
    kind: 'sendgrid-key',
    anchors: ['SG.'],
    pattern: /SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])/y,
    notAfter: WORD_DASH + '.',
    validate: randomBody(/^SG\./),
  }),
  tokenDetector({
    kind: 'mailgun-key',
    anchors: ['key-'],
    pattern: /key-[0-9a-f]{32}(?![A-Za-z0-9])/y,
    notAfter: WORD_DASH,
    validate: (secret) => !isFiller(secret.slice(4)),
  }),
  tokenDetector({
    kind: 'shopify-token',
    anchors: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])/y,
    notAfter: WORD,
    validate: (secret) => !isFiller(secret.slice(6)),
  }),
  tokenDetector({
    kind: 'digitalocean-token',
    anchors: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: /do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/y,
    notAfter: WORD,
    validate: (secret) => !isFiller(secret.slice(7)),
  }),
  tokenDetector({
    // Service, batch and recovery tokens; legacy `s.` tokens are too short a prefix to trust
    // outside an assignment and are handled there.
    kind: 'vault-token',
    anchors: ['hvs.', 'hvb.', 'hvr.'],
    pattern: /hv[sbr]\.[A-Za-z0-9_-]{24,1024}(?![A-Za-z0-9_-])/y,
    notAfter: ALNUM,
    validate: randomBody(/^hv.\./),
  }),
  tokenDetector({
    kind: 'docker-hub-token',
    anchors: ['dckr_pat_'],
    pattern: /dckr_pat_[A-Za-z0-9_-]{27,64}(?![A-Za-z0-9_-])/y,
    notAfter: WORD,
    validate: randomBody(/^dckr_pat_/),
  }),
  tokenDetector({
    kind: 'age-secret-key',
    anchors: ['AGE-SECRET-KEY-1'],
    pattern: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/y,
    notAfter: ALNUM,
    validate: (secret) => !isFiller(secret.slice(16)),
  }),
  tokenDetector({
    // Three dot-separated base64url parts (five for JWE), the first one a JSON header.
    kind: 'jwt',
    anchors: ['eyJ'],
    pattern:
      /eyJ([A-Za-z0-9_-]{8,4096})\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,4096}(?:\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{2,4096})?(?![A-Za-z0-9_-])/y,
    notAfter: WORD_DASH,
    validate: (_secret, m) => isJwtHeader('eyJ' + (m[1] ?? '')),
    priority: 20,
  }),
];
