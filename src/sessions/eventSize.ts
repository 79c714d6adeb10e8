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
  // Nearly every event is far below the cap: a bound that never underestimates settles those
  // without serialising them (serialising was a tenth of the whole intake cost per span).
  if (jsonBytesAtMost(event, maxBytes)) {
    return { event, truncated: 0 };
  }
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

// Per UTF-16 code unit, the most its JSON form can take in UTF-8: a control character or a lone
// surrogate is escaped as \uXXXX (6 bytes); anything else needs at most 3 bytes.
const MAX_BYTES_PER_CHAR = 6;
// Longer than any JSON number (`-1.2345678901234567e-308`) or literal.
const MAX_SCALAR_BYTES = 24;
// Event data are shallow trees; anything deeper is left to the exact measurement.
const MAX_DEPTH = 32;

/**
 * True when `value` certainly serialises to at most `budget` bytes, from an upper bound that only
 * adds lengths. False means "measure it": over the budget, or a value the bound does not model
 * (class instances with `toJSON`, bigint, very deep nesting).
 */
function jsonBytesAtMost(value: unknown, budget: number): boolean {
  return boundedSize(value, budget, 0) <= budget;
}

/** An upper bound on `JSON.stringify(value)` in UTF-8 bytes; stops adding once past `budget`. */
function boundedSize(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + MAX_BYTES_PER_CHAR * value.length;
    case 'number':
    case 'boolean':
    case 'undefined':
      return MAX_SCALAR_BYTES;
    case 'object':
      break;
    default:
      return Infinity;
  }
  if (value === null) {
    return MAX_SCALAR_BYTES;
  }
  if (depth > MAX_DEPTH) {
    return Infinity;
  }
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += 1 + boundedSize(item, budget - size, depth + 1);
      if (size > budget) return size;
    }
    return size;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    return Infinity;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    size += 4 + MAX_BYTES_PER_CHAR * key.length + boundedSize(record[key], budget - size, depth + 1);
    if (size > budget) return size;
  }
  return size;
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
