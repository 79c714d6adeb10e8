import type { SpooledEvent } from './spool';

/*
 * Reading an event back from its spool record without parsing it: the destination sends the
 * event's JSON text as it was journaled, so only the record's short head and the event's `id` are
 * looked at. The spool writes JSON as `JSON.stringify` does (no whitespace between tokens), which
 * is all these scanners assume; anything else reads as "not this record".
 */

/**
 * The event of an event record's payload (checksum already verified), with `seq` the record's seq:
 * its text cut from the bytes as `store` wrote them, and its id. The payload is
 * `{"k":"e","q":<seq>,"s":<session>[,"m":<meta>],"e":<event>}`: only the short head is walked, and
 * of the event only its keys up to `id` (the first one, as the tracker builds events). Undefined
 * when the payload is not that: it is not the record asked for, or not one this spool wrote.
 */
export function eventIn(payload: Buffer, seq: number): SpooledEvent | undefined {
  let at = literalAt(payload, literalAt(payload, 0, '{"k":"e","q":'), String(seq));
  at = valueEnd(payload, literalAt(payload, at, ',"s":'), payload.length);
  const afterMeta = valueEnd(payload, literalAt(payload, at, ',"m":'), payload.length);
  const start = literalAt(payload, afterMeta < 0 ? at : afterMeta, ',"e":');
  const end = payload.length - 1;
  if (start < 0 || payload[end] !== CLOSE_BRACE || payload[end - 1] !== CLOSE_BRACE) return undefined;
  const id = idIn(payload, start, end);
  return id === undefined ? undefined : { id, json: payload.toString('utf8', start, end), bytes: end - start };
}

/** The string value of the top-level key `id` of the JSON object `b[start, end)`. */
function idIn(b: Buffer, start: number, end: number): string | undefined {
  if (b[start] !== OPEN_BRACE) return undefined;
  let at = start + 1;
  while (b[at] === QUOTE) {
    const keyEnd = stringEnd(b, at, end);
    if (keyEnd < 0 || b[keyEnd] !== COLON) return undefined;
    const value = keyEnd + 1;
    const next = valueEnd(b, value, end);
    if (next < 0) return undefined;
    if (keyEnd - at === 4 && b[at + 1] === 0x69 /* i */ && b[at + 2] === 0x64 /* d */) {
      return b[value] === QUOTE ? stringAt(b, value, next) : undefined;
    }
    if (b[next] !== COMMA) return undefined;
    at = next + 1;
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Where `text` (ASCII) ends if `b` holds it at `at`, else -1 (also for `at` -1). */
function literalAt(b: Buffer, at: number, text: string): number {
  if (at < 0 || at + text.length > b.length) return -1;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return -1;
  return at + text.length;
}

/**
 * Where the JSON value at `at` ends (before `end`), else -1 (also for `at` -1). JSON as
 * `JSON.stringify` writes it: no whitespace between tokens.
 */
function valueEnd(b: Buffer, at: number, end: number): number {
  if (at < 0 || at >= end) return -1;
  const first = b[at];
  if (first === QUOTE) return stringEnd(b, at, end);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = at; i < end; i++) {
      const c = b[i];
      if (c === QUOTE) {
        const after = stringEnd(b, i, end);
        if (after < 0) return -1;
        i = after - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
        return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to what follows a value.
  let i = at;
  while (i < end && b[i] !== COMMA && b[i] !== CLOSE_BRACE && b[i] !== CLOSE_BRACKET) i++;
  return i;
}

/** Where the JSON string opening at `at` ends (after its closing quote), else -1. */
function stringEnd(b: Buffer, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The JSON string `b[at, end)` (quotes included), decoded. */
function stringAt(b: Buffer, at: number, end: number): string {
  for (let i = at + 1; i < end - 1; i++) {
    if (b[i] === BACKSLASH) return JSON.parse(b.toString('utf8', at, end)) as string;
  }
  return b.toString('utf8', at + 1, end - 1);
}
