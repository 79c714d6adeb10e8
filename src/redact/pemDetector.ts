/**
 * PEM private key blocks, with real newlines or `\n`-escaped ones (a key inside a JSON string, as
 * in a GCP service-account file, or such a file printed inside a tool result). The whole block is
 * replaced, header to footer. A block cut off before its footer (a truncated tool output) is
 * still redacted up to where its base64 body ends.
 */
import { Detector, Found, charTable } from './detector';

const HEADER = /-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----/y;

/**
 * What a key body is made of: base64, whitespace, escaped newlines (`\n`, `\\n`, `\r`), and the
 * `Proc-Type:`/`DEK-Info:`/`Comment:` header lines of encrypted and PGP keys.
 */
const BODY = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:,- \t\r\n\\');

const BASE64 = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=');
const MIN_BASE64_RUN = 40;

/** Far larger than an RSA-8192 key with escaped newlines; bounds the scan on malformed input. */
const MAX_BODY = 65536;

export const pemDetector: Detector = {
  id: 'pem-private-key',
  kinds: ['pem-private-key'],
  anchors: ['-----BEGIN '],
  priority: 5,
  match(text, anchorAt): Found | null {
    HEADER.lastIndex = anchorAt;
    const header = HEADER.exec(text);
    if (header === null) return null;
    const label = header[1] ?? '';
    const bodyStart = HEADER.lastIndex;
    const limit = Math.min(text.length, bodyStart + MAX_BODY);
    // A real body has base64 lines; a header quoted in prose is followed by words.
    let run = 0;
    let longestRun = 0;
    let i = bodyStart;
    while (i < limit) {
      const c = text.charCodeAt(i);
      if (c === 45 /* - */ && text.startsWith('-----', i)) break;
      if (c >= 128 || BODY[c] !== 1) break;
      run = BASE64[c] === 1 ? run + 1 : 0;
      if (run > longestRun) longestRun = run;
      i++;
    }
    if (longestRun < MIN_BASE64_RUN) return null;
    const footer = `-----END ${label}-----`;
    if (text.startsWith(footer, i)) return { start: anchorAt, end: i + footer.length, kind: 'pem-private-key' };
    // No footer: keep whatever trails the body (closing quote, escaped newline, prose) readable.
    let end = i;
    for (;;) {
      const c = text.charCodeAt(end - 1);
      if (c === 32 || c === 9 || c === 10 || c === 13) end--;
      else if ((c === 110 || c === 114) && text.charCodeAt(end - 2) === 92) end -= 2;
      else if (c === 92) end--;
      else break;
    }
    return { start: anchorAt, end, kind: 'pem-private-key' };
  },
};

const BASE64_BODY = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const BASE64_PEM_HEAD = /^-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/;

/**
 * A PEM private key stored base64-encoded as one value: `client-key-data:` in a kubeconfig,
 * `tls.key:` in a Kubernetes Secret, a key in a CI variable. `LS0tLS1CRUdJTi` is `-----BEGIN `
 * in base64; the run is decoded only far enough to see that a private key (not a certificate)
 * follows, and is redacted whole.
 */
export const base64PemDetector: Detector = {
  id: 'pem-private-key',
  kinds: ['pem-private-key'],
  anchors: ['LS0tLS1CRUdJTi'],
  priority: 5,
  match(text, anchorAt): Found | null {
    // Not the middle of a longer base64 run (`=` may precede it: `KEY=LS0t…`).
    if (anchorAt > 0 && BASE64_BODY[text.charCodeAt(anchorAt - 1)] === 1) return null;
    const limit = Math.min(text.length, anchorAt + MAX_BODY);
    let end = anchorAt;
    while (end < limit && text.charCodeAt(end) < 128 && BASE64[text.charCodeAt(end)] === 1) end++;
    const head = Buffer.from(text.slice(anchorAt, Math.min(end, anchorAt + 80)), 'base64').toString('latin1');
    return BASE64_PEM_HEAD.test(head) ? { start: anchorAt, end, kind: 'pem-private-key' } : null;
  },
};
