import * as crypto from 'node:crypto';

// A fixed namespace makes the ids Session Relay's own: the same inputs hashed by another tool with
// another namespace never collide with ours.
const NAMESPACE = Buffer.from('6f1c9a52d7e04b8f9c3e2a1b5d4f7e60', 'hex');

// UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
const MAX_UTF8_BYTES_PER_UNIT = 3;
const SEPARATOR = 0;
const INITIAL_SCRATCH_BYTES = 1024;

// `crypto.hash` came with Node 20.12; `engines` allows any Node 20. Taken once: in the bundle each
// `crypto.x` is a getter call.
const oneShotHash = crypto.hash as typeof crypto.hash | undefined;
const sha1Hex: (data: Buffer) => string = oneShotHash
  ? (data) => oneShotHash('sha1', data, 'hex')
  : (data) => crypto.createHash('sha1').update(data).digest('hex');

// Where the 32 hex digits of the first 16 digest bytes go in `xxxxxxxx-xxxx-5xxx-Vxxx-xxxxxxxxxxxx`.
const UUID_POSITION = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
const HEX_DIGIT = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/**
 * The ids of events, derived from what they were translated from (SPEC §6.2): the same span
 * translated twice — re-import, replay after a crash, a second window — yields the same id, so
 * every destination can deduplicate. Formatted as RFC 4122 version 5 (SHA-1, name-based) UUIDs
 * of `sessionId NUL spanId NUL kind NUL index` in UTF-8.
 *
 * Every event gets an id, so this is on the intake's hot path, where a Hash object, two updates, a
 * digest Buffer and a dozen intermediate strings per event were a tenth of the cost per span. The
 * name is written after the namespace into one reused buffer (views of it cached by length),
 * hashed in one call, and the UUID is made from the digest's characters as one string. One
 * instance per owner (the session tracker): the buffers are its own.
 */
export class EventIds {
  private scratch = withNamespace(INITIAL_SCRATCH_BYTES);
  private views: Buffer[] = [];
  private readonly uuid: number[] = new Array<number>(36).fill(0x2d /* - */);

  id(sessionId: string, spanId: string, kind: string, index = 0): string {
    const number = String(index);
    const units = sessionId.length + spanId.length + kind.length + number.length + 3;
    const needed = NAMESPACE.length + units * MAX_UTF8_BYTES_PER_UNIT;
    if (needed > this.scratch.length) {
      this.scratch = withNamespace(needed);
      this.views = [];
    }
    const scratch = this.scratch;
    let end = writeAscii(scratch, sessionId, NAMESPACE.length);
    end = writeAscii(scratch, spanId, separated(scratch, end));
    end = writeAscii(scratch, kind, separated(scratch, end));
    end = writeAscii(scratch, number, separated(scratch, end));
    if (end < 0) {
      end = NAMESPACE.length + scratch.write(`${sessionId}\u0000${spanId}\u0000${kind}\u0000${number}`, NAMESPACE.length, 'utf8');
    }
    const hex = sha1Hex((this.views[end] ??= scratch.subarray(0, end)));
    const uuid = this.uuid;
    for (let i = 0; i < 32; i++) {
      uuid[UUID_POSITION[i] as number] = hex.charCodeAt(i);
    }
    // The version (5) in the high nibble of byte 6, the RFC 4122 variant (10xx) in that of byte 8.
    uuid[14] = 0x35;
    const variantDigit = hex.charCodeAt(16);
    uuid[19] = HEX_DIGIT[((variantDigit <= 0x39 ? variantDigit - 0x30 : variantDigit - 0x57) & 0x3) | 0x8] as number;
    return String.fromCharCode.apply(null, uuid);
  }
}

/**
 * Writes `text` at `offset` when it is all ASCII (ids, kinds and numbers nearly always are) and
 * returns where it ends; -1 otherwise, or when an earlier part was not, so the caller encodes the
 * whole name instead.
 */
function writeAscii(scratch: Buffer, text: string, offset: number): number {
  if (offset < 0) {
    return -1;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      return -1;
    }
    scratch[offset + i] = code;
  }
  return offset + text.length;
}

function separated(scratch: Buffer, end: number): number {
  if (end < 0) {
    return -1;
  }
  scratch[end] = SEPARATOR;
  return end + 1;
}

function withNamespace(size: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(size);
  NAMESPACE.copy(buffer, 0);
  return buffer;
}
