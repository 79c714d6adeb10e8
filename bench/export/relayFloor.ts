/**
 * What any relay must spend on this workload, whatever its design (SPEC §8): read the OTLP/JSON
 * bodies it is sent (JSON.parse); redact every string attribute of every span and write the
 * redacted spans down (JSON.stringify) before answering 200, since secrets never reach the disk
 * and only what is journaled is acknowledged; and write each event in the Sessions API's wire
 * format (JSON.stringify). No fsync, no turn assembly, no translation, no spool, no HTTP. Its CPU
 * per 1,000 events bounds the events/s a relay on one core can reach here, and so says whether a
 * target on the export row is reachable at all.
 */
import { createRedactor } from '../../src/redact/secretRedactor';
import type { Redactor } from '../../src/redact/redactor';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { summarize, type Summary } from '../lib/measure';
import { ownCpuMs } from './cpuTime';

const ROUNDS = 5;

export interface RelayFloor {
  /** CPU ms per 1,000 events: JSON.parse of the bodies plus JSON.stringify of the events. */
  readonly parseAndSerialise: Summary;
  /** The same plus the journal: every span's string attributes redacted, the spans serialised. */
  readonly withJournal: Summary;
}

interface OtlpAttribute {
  value?: { stringValue?: string };
}
interface OtlpBody {
  resourceSpans: Array<{ scopeSpans?: Array<{ spans?: Array<{ attributes?: OtlpAttribute[] }> }> }>;
}

function redactSpans(body: OtlpBody, redactor: Redactor): number {
  let changed = 0;
  for (const rs of body.resourceSpans) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const attribute of span.attributes ?? []) {
          const value = attribute.value;
          if (typeof value?.stringValue !== 'string') continue;
          const clean = redactor.redact(value.stringValue);
          if (clean !== value.stringValue) changed++;
          value.stringValue = clean;
        }
      }
    }
  }
  return changed;
}

export function measureRelayFloor(bodies: readonly Uint8Array[], events: ReadonlyMap<string, SessionEvent[]>): RelayFloor {
  const all = [...events.values()].flat();
  const per1k = all.length / 1000;
  let sink = 0;
  const parse = (body: Uint8Array): OtlpBody => JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as OtlpBody;
  // A request at a time, as a relay takes them: nothing parsed outlives its request.
  const parseOnly = (): void => {
    for (const body of bodies) sink += parse(body).resourceSpans.length;
  };
  const parseAndJournal = (): void => {
    // A redactor per round: its memory of clean short texts must not carry over from the last one.
    const redactor = createRedactor({ dynamicSecrets: [] });
    for (const body of bodies) {
      const parsed = parse(body);
      sink += redactSpans(parsed, redactor);
      sink += JSON.stringify(parsed.resourceSpans).length;
    }
  };
  const serialise = (): void => {
    for (const event of all) sink += JSON.stringify(event).length;
  };
  const cpu = (fn: () => void): number => {
    const t0 = ownCpuMs();
    fn();
    return ownCpuMs() - t0;
  };
  // One warm-up round of each, so the JIT has settled before anything counts.
  parseOnly();
  parseAndJournal();
  serialise();
  const base: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const serialising = cpu(serialise);
    base.push((cpu(parseOnly) + serialising) / per1k);
    full.push((cpu(parseAndJournal) + serialising) / per1k);
  }
  if (sink === 0) throw new Error('relay floor measured nothing');
  return { parseAndSerialise: summarize(base), withJournal: summarize(full) };
}
