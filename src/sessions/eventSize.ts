import type { SessionEvent } from './sessionEvent';

/** SPEC §6.3: no event over 100 KiB once serialised. */
export const MAX_EVENT_BYTES = 100 * 1024;

// A string is never cut below this: a reader still sees what it was.
const MIN_KEPT_CHARS = 256;

interface StringLeaf {
  readonly holder: Record<string, unknown> | unknown[];
  readonly key: string | number;
  readonly value: string;
}

/**
 * Caps an event at `maxBytes` by shortening its longest strings, each with a visible marker
 * (`… [truncated N chars]`) — never by dropping the event. Returns the event unchanged (same object)
 * when it fits. Runs after redaction so a cut can never leave half a secret behind.
 */
export function capEventSize(event: SessionEvent, maxBytes = MAX_EVENT_BYTES): { event: SessionEvent; truncated: number } {
  let size = Buffer.byteLength(JSON.stringify(event));
  if (size <= maxBytes) {
    return { event, truncated: 0 };
  }
  const copy = structuredClone(event);
  let truncated = 0;
  // Each round shortens the longest string by what is still over; a handful of rounds settles it.
  for (let round = 0; round < 64 && size > maxBytes; round++) {
    const leaves: StringLeaf[] = [];
    collectStrings(copy.data, leaves);
    leaves.sort((a, b) => b.value.length - a.value.length);
    const longest = leaves[0];
    if (!longest || longest.value.length <= MIN_KEPT_CHARS) {
      break;
    }
    const over = size - maxBytes;
    // Bytes per char can be up to 6 once JSON-escaped (\u00XX); cut by chars with a safety margin.
    const keep = Math.max(MIN_KEPT_CHARS, longest.value.length - over - 64);
    const removed = longest.value.length - keep;
    const next = `${sliceWhole(longest.value, keep)}… [truncated ${removed} chars]`;
    (longest.holder as Record<string | number, unknown>)[longest.key] = next;
    truncated++;
    size = Buffer.byteLength(JSON.stringify(copy));
  }
  return { event: copy, truncated };
}

function collectStrings(value: unknown, out: StringLeaf[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === 'string') {
        out.push({ holder: value, key: i, value: item });
      } else {
        collectStrings(item, out);
      }
    });
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'string') {
        out.push({ holder: record, key, value: item });
      } else {
        collectStrings(item, out);
      }
    }
  }
}

/** Never split a surrogate pair: a lone half would become U+FFFD downstream. */
function sliceWhole(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, length - 1) : text.slice(0, length);
}
