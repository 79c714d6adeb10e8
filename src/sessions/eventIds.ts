import { createHash } from 'node:crypto';

// A fixed namespace makes the ids Session Relay's own: the same inputs hashed by another tool with
// another namespace never collide with ours.
const NAMESPACE = Buffer.from('6f1c9a52d7e04b8f9c3e2a1b5d4f7e60', 'hex');

/**
 * The id of an event, derived from what it was translated from (SPEC §6.2): the same span
 * translated twice — re-import, replay after a crash, a second window — yields the same id, so
 * every destination can deduplicate. Formatted as an RFC 4122 version 5 (SHA-1, name-based) UUID.
 */
export function eventId(sessionId: string, spanId: string, kind: string, index = 0): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${sessionId}\u0000${spanId}\u0000${kind}\u0000${index}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
