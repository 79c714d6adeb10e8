/**
 * What any relay must spend on this workload, whatever its design: read the OTLP/JSON bodies it is
 * sent (JSON.parse), redact every string of every event once (SPEC §7: nothing leaves unredacted),
 * and write each event in the Sessions API's wire format (JSON.stringify). No journal, no spool,
 * no translation, no HTTP. Its CPU per 1,000 events bounds the events/s a relay on one core can
 * reach here, and so says whether a target on the export row is reachable at all.
 */
import { redactDeep } from '../../src/redact/redactDeep';
import { createRedactor } from '../../src/redact/secretRedactor';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { summarize, type Summary } from '../lib/measure';
import { ownCpuMs } from './cpuTime';

const ROUNDS = 5;

export interface RelayFloor {
  /** CPU ms per 1,000 events: JSON.parse of the bodies plus JSON.stringify of the events. */
  readonly parseAndSerialise: Summary;
  /** The same plus one redaction of every event. */
  readonly withRedaction: Summary;
}

export function measureRelayFloor(bodies: readonly Uint8Array[], events: ReadonlyMap<string, SessionEvent[]>): RelayFloor {
  const all = [...events.values()].flat();
  const per1k = all.length / 1000;
  const redactor = createRedactor({ dynamicSecrets: [] });
  let sink = 0;
  const parse = (): void => {
    for (const body of bodies) sink += (JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as { resourceSpans: unknown[] }).resourceSpans.length;
  };
  const serialise = (): void => {
    for (const event of all) sink += JSON.stringify(event).length;
  };
  const redact = (): void => {
    for (const event of all) sink += redactDeep(event.data, redactor) === event.data ? 0 : 1;
  };
  const cpu = (fn: () => void): number => {
    const t0 = ownCpuMs();
    fn();
    return ownCpuMs() - t0;
  };
  // One warm-up round of each, so the JIT has settled before anything counts.
  parse();
  serialise();
  redact();
  const base: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const parsed = cpu(parse) + cpu(serialise);
    base.push(parsed / per1k);
    full.push((parsed + cpu(redact)) / per1k);
  }
  if (sink === 0) throw new Error('relay floor measured nothing');
  return { parseAndSerialise: summarize(base), withRedaction: summarize(full) };
}
