/**
 * Secrets inside URLs, found at `://`: the password of `scheme://user:password@host` (the scheme,
 * user and host stay readable; a URL without credentials is untouched), a bare token used as the
 * user (`https://<token>@github.com`), and webhook URLs whose path is the credential (Slack,
 * Discord). Query-string secrets (`?access_token=`, `&sig=`) are assignments and handled there.
 */
import { Detector, Found, charTable, inTable } from './detector';
import { isPlaceholder, isReference, looksRandom } from './valueShape';

const SCHEME = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-');
/** Where the authority part of a URL ends in running text, JSON, shell or Markdown. */
const AUTHORITY_END = charTable('/?#"\'`<>\\ \t\r\n()');
const MAX_AUTHORITY = 512;

const SLACK_WEBHOOK = /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{16,256})/y;
const DISCORD_WEBHOOK =
  /(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/(\d{5,30}\/[A-Za-z0-9_-]{20,256})/y;

/** Documentation's stand-ins for a URL password. */
const EXAMPLE_PASSWORD = /^(?:pass|pwd|passwd|password|secret|xyz|abc|pw|changeme|example)$/i;

/**
 * Passwords in URLs are often short and human-made, so only references, placeholders and the
 * one-to-three character stand-ins of documentation (`https://a:b@host`) stay.
 */
function isRealPassword(password: string): boolean {
  return (
    password.length >= 4 &&
    !EXAMPLE_PASSWORD.test(password) &&
    !isReference(password) &&
    !isPlaceholder(password) &&
    !password.startsWith('[REDACTED:')
  );
}

function webhook(text: string, hostAt: number): Found | null {
  for (const [pattern, kind] of [
    [SLACK_WEBHOOK, 'slack-webhook'],
    [DISCORD_WEBHOOK, 'discord-webhook'],
  ] as const) {
    pattern.lastIndex = hostAt;
    const m = pattern.exec(text);
    const path = m?.[1];
    if (m === null || path === undefined || isPlaceholder(path)) continue;
    const end = hostAt + m[0].length;
    return { start: end - path.length, end, kind };
  }
  return null;
}

export const urlDetector: Detector = {
  id: 'url-credentials',
  kinds: ['url-credentials', 'slack-webhook', 'discord-webhook'],
  anchors: ['://'],
  priority: 40,
  match(text, anchorAt): Found | null {
    if (!inTable(SCHEME, text, anchorAt - 1)) return null;
    const authorityStart = anchorAt + 3;
    const first = text.charCodeAt(authorityStart);
    if (first === 104 /* h */ || first === 100 /* d */ || first === 112 /* p */ || first === 99 /* c */) {
      const hook = webhook(text, authorityStart);
      if (hook !== null) return hook;
    }
    const limit = Math.min(text.length, authorityStart + MAX_AUTHORITY);
    let at = -1;
    let i = authorityStart;
    for (; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c < 128 && AUTHORITY_END[c] === 1) break;
      if (c === 64 /* @ */) at = i;
    }
    // The last `@` ends the user info: unencoded `@` in passwords happens.
    if (at <= authorityStart || at + 1 >= i) return null;
    const userInfo = text.slice(authorityStart, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) {
      const password = userInfo.slice(colon + 1);
      return isRealPassword(password) ? { start: authorityStart + colon + 1, end: at, kind: 'url-credentials' } : null;
    }
    const user = userInfo;
    return looksRandom(user, { minLength: 20, allowHex: true }) ? { start: authorityStart, end: at, kind: 'url-credentials' } : null;
  },
};
