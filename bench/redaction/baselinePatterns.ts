/**
 * The baseline of the redaction benchmark: a list of 21 regular expressions applied one after the
 * other over the whole text, the way simple session exporters redact (GitHub Copilot Chat's own
 * session exporter among them). Written for this benchmark after the kinds such lists cover —
 * vendor token prefixes, JWTs, HTTP credentials, PEM keys, connection strings, password and
 * key assignments — not copied from any of them.
 */
export const BASELINE_PATTERNS: readonly RegExp[] = [
  /gh[pousr]_[A-Za-z0-9]{36,}/g,
  /github_pat_[A-Za-z0-9_]{22,}/g,
  /glpat-[A-Za-z0-9_-]{20,}/g,
  /npm_[A-Za-z0-9]{36}/g,
  /sk-ant-[A-Za-z0-9_-]{20,}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/gi,
  /AIza[0-9A-Za-z_-]{35}/g,
  /xox[abprs]-[A-Za-z0-9-]{10,}/g,
  /[sr]k_(?:live|test)_[A-Za-z0-9]{20,}/g,
  /hf_[A-Za-z0-9]{30,}/g,
  /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g,
  /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /Bearer\s+[A-Za-z0-9._~+/-]+=*/gi,
  /Basic\s+[A-Za-z0-9+/]{8,}=*/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /AccountKey=[A-Za-z0-9+/=]{40,}/g,
  /(?:mongodb(?:\+srv)?|postgres(?:ql)?|mysql|redis|amqps?):\/\/[^\s'"]+/gi,
  /(?:password|passwd|pwd)\s*[=:]\s*["']?[^\s"']+/gi,
  /(?:api[_-]?key|secret|token)\s*[=:]\s*["']?[A-Za-z0-9_\-./+=]{16,}/gi,
];

export function redactWithBaseline(text: string): string {
  let out = text;
  for (const re of BASELINE_PATTERNS) out = out.replace(re, '[REDACTED]');
  return out;
}
