/**
 * HTTP credentials: `Bearer <token>` and `Basic <base64(user:pass)>` wherever they appear, and
 * `curl -u user:pass`. The assignment detector also reads `Authorization: <scheme> <credential>`
 * (any scheme, any case: `authorization: bearer …` in HTTP/2 dumps), so these anchors only need
 * the capitalised spellings.
 */
import { ALNUM, Detector, Found, tokenDetector } from './detector';
import { unanchoredFormatKind, unanchoredFormatKinds } from './tokenDetectors';
import { isPlaceholder, isReference, looksRandom } from './valueShape';

/** Printable ASCII `user:password` (the user may be empty, as some APIs use `:key`). */
export function isBasicCredential(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  if (decoded.length < 3 || !decoded.includes(':')) return false;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return password.length > 0 && !isPlaceholder(password);
}

const bearer = tokenDetector({
  kind: 'bearer',
  anchors: ['Bearer ', 'BEARER ', 'Bearer\t'],
  // The last character is not a period: a sentence may end right after the token.
  pattern: /B(?:earer|EARER)[ \t]+([A-Za-z0-9\-._~+/]{15,8191}[A-Za-z0-9\-_~+/]=*)(?![A-Za-z0-9\-_~+/=])/y,
  notAfter: ALNUM,
  group: 1,
  validate: (secret) => looksRandom(secret, { minLength: 16, allowHex: true }),
  kindOf: (m) => unanchoredFormatKind(m[1] ?? '') ?? 'bearer',
  kinds: ['bearer', ...unanchoredFormatKinds],
  priority: 30,
});

const basic = tokenDetector({
  kind: 'basic-auth',
  anchors: ['Basic ', 'BASIC '],
  pattern: /B(?:asic|ASIC)[ \t]+([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/=])/y,
  notAfter: ALNUM,
  group: 1,
  validate: isBasicCredential,
  priority: 30,
});

const CURL_USER = /(?:-u|--user)(?:[ \t]+|=)(['"]?)([^\s:'"]{1,256}):([^\s'"]{1,512})\1/y;

/** `curl -u user:password`: only on a line that runs curl, since `-u` means other things elsewhere. */
const curlUser: Detector = {
  id: 'basic-auth',
  kinds: ['basic-auth'],
  anchors: ['-u ', '--user ', '--user='],
  priority: 30,
  neighbours: { '-u ': { onlyAfter: ' \t' }, '--user ': { onlyAfter: ' \t' }, '--user=': { onlyAfter: ' \t' } },
  match(text, anchorAt): Found | null {
    const before = text.charCodeAt(anchorAt - 1);
    if (anchorAt === 0 || (before !== 32 && before !== 9)) return null;
    const window = text.slice(Math.max(0, anchorAt - 512), anchorAt);
    if (!window.slice(window.lastIndexOf('\n') + 1).includes('curl')) return null;
    CURL_USER.lastIndex = anchorAt;
    const m = CURL_USER.exec(text);
    if (m === null) return null;
    const password = m[3] ?? '';
    if (isReference(password) || isPlaceholder(password)) return null;
    const end = anchorAt + m[0].length - (m[1] ?? '').length;
    return { start: end - password.length, end, kind: 'basic-auth' };
  },
};

export const httpAuthDetectors: readonly Detector[] = [bearer, basic, curlUser];
