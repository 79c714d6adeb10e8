import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../common/logger';
import { ReceivedSpan } from '../intake/receivedSpan';
import { ResourceCache, attributesAsRead, spanFromSerializedSpan } from '../intake/serializedSpan';
import { redactDeep } from '../redact/redactDeep';
import type { Redactor } from '../redact/redactor';
import { encodeRecord, readAndRepair } from './journalRecords';
import { claimOwnedDirectory, segmentFiles, type OwnedDirectory } from './ownerDirectory';

const PREFIX = 'spans-';

/**
 * The receiver's write-ahead journal (SPEC §8, "acknowledge only what is durable"): an OTLP request
 * is answered 200 only once its spans — redacted first, secrets never reach the disk — are in this
 * journal and fsynced (group commit: concurrent requests share one fsync). After a crash the next
 * start replays the journal through the pipeline; deterministic event ids make that idempotent.
 * The journal is released once the pipeline is settled (every derived event delivered or spooled).
 */
export class SpanJournal {
  private segment = 0;
  private handle: Promise<fs.FileHandle> | undefined;
  private queue: Buffer[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private writing = false;
  private bytes = 0;
  private readonly resources = new ResourceCache();

  private constructor(
    private readonly owned: OwnedDirectory,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
  ) {}

  /**
   * Opens this process's journal and adopts those of processes that are gone: their spans come
   * back in `replay`, in order, and are journaled again here before the old files go.
   */
  static async open(root: string, redactor: Redactor, logger: Logger): Promise<{ journal: SpanJournal; replay: ReadableSpan[] }> {
    const owned = await claimOwnedDirectory(root);
    const journal = new SpanJournal(owned, redactor, logger);
    const replay: ReadableSpan[] = [];
    for (const dir of owned.adopted) {
      for (const file of await segmentFiles(dir, PREFIX)) {
        const { records, cutBytes } = await readAndRepair(file);
        if (cutBytes > 0) logger.warn(`span journal: cut a torn tail of ${cutBytes} bytes after a crash`);
        for (const { payload } of records) {
          const spans = (payload as { spans: Array<Record<string, unknown>> }).spans ?? [];
          journal.queue.push(encodeRecord({ spans }));
          for (const obj of spans) {
            const span = spanFromSerializedSpan(obj, journal.resources);
            if (typeof span !== 'string') replay.push(span);
          }
        }
      }
    }
    await journal.commit();
    for (const dir of owned.adopted) await fs.rm(dir, { recursive: true, force: true });
    if (replay.length > 0) logger.info(`span journal: replaying ${replay.length} spans from a previous run`);
    return { journal, replay };
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * Redacts the spans, journals them durably and returns the redacted spans — the ones the pipeline
   * must get, so that a replay yields exactly the same events as the first pass.
   */
  async append(spans: readonly ReadableSpan[]): Promise<ReadableSpan[]> {
    const redaction = new SpanRedaction(this.redactor);
    const serialized: Array<Record<string, unknown>> = [];
    const asRead: boolean[] = [];
    for (const span of spans) {
      serialized.push(redaction.span(span));
      asRead.push(redaction.readsBackAsIs);
    }
    this.queue.push(encodeRecord({ spans: serialized }));
    await this.commit();
    const out: ReadableSpan[] = [];
    for (let i = 0; i < serialized.length; i++) {
      // A span whose values all read back from JSON unchanged is taken as it is; any other goes
      // through JSON, as a replay reads it (NaN becomes null, `undefined` disappears…).
      const span = asRead[i]
        ? spanFromSerializedSpan(serialized[i], this.resources, attributesAsRead)
        : spanFromSerializedSpan(JSON.parse(JSON.stringify(serialized[i])) as Record<string, unknown>, this.resources);
      if (typeof span !== 'string') out.push(span);
    }
    return out;
  }

  /** Drops everything journaled so far: the pipeline no longer needs it to recover. */
  async release(): Promise<void> {
    await this.commit();
    const old = this.handle;
    const oldFile = this.fileOf(this.segment);
    this.segment++;
    this.handle = undefined;
    this.bytes = 0;
    if (old) await (await old).close().catch(() => undefined);
    await fs.rm(oldFile, { force: true });
  }

  /** Closes; with `release` everything is gone, otherwise the next start replays it. */
  async close(release: boolean): Promise<void> {
    await this.commit().catch(() => undefined);
    if (this.handle) await (await this.handle).close().catch(() => undefined);
    this.handle = undefined;
    await this.owned.release(release);
  }

  private fileOf(segment: number): string {
    return path.join(this.owned.dir, `${PREFIX}${String(segment).padStart(6, '0')}.log`);
  }

  private commit(): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.run();
    });
  }

  /** Group commit: one write and one fsync for everything queued meanwhile. */
  private async run(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.queue.length > 0 || this.waiters.length > 0) {
      // Mostly a single record (one request in flight): written as it is, not copied first.
      const data = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      try {
        if (data.length > 0) {
          const handle = await (this.handle ??= fs.open(this.fileOf(this.segment), 'a', 0o600));
          await handle.appendFile(data);
          await handle.datasync();
          this.bytes += data.length;
        }
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.logger.error(`span journal: write failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        for (const w of waiters) w.reject(err as Error);
      }
    }
    this.writing = false;
  }
}

/**
 * Spans in the JSON shape of the SDK's objects (what `spanFromSerializedSpan` reads back), every
 * string value redacted. Attribute values holding JSON (the GenAI message lists) are redacted value
 * by value and re-serialised, exactly as their content is redacted after translation. One per
 * `append`: the spans of a request share one resource, redacted once (the redactor cannot change
 * while a request's spans are redacted, nothing awaits in between).
 */
class SpanRedaction {
  /**
   * Whether the last span's journal form reads back from JSON exactly as it is: a span the
   * decoders made (validated, normalised), without events or links (which the journal keeps only
   * in part), whose attribute values JSON gives back unchanged and `attributesFromMap` keeps.
   */
  readsBackAsIs = false;
  /** Whether the last map `attributes` made holds only values that read back as they are. */
  private plain = true;
  private resource: Resource | undefined;
  private resourceForm: { attributes: unknown } | undefined;
  private resourcePlain = false;

  constructor(private readonly redactor: Redactor) {}

  span(span: ReadableSpan): Record<string, unknown> {
    const redactor = this.redactor;
    const context = span.spanContext();
    const attributes = this.attributes(span.attributes);
    const asIs = this.plain && span instanceof ReceivedSpan && !holdsNegativeZero(span);
    const events = span.events.map((e) => ({ name: redactor.redact(String(e.name)), time: e.time, attributes: this.attributes(e.attributes) }));
    const links = span.links.map((l) => ({ context: l.context, attributes: this.attributes(l.attributes) }));
    if (this.resourceForm === undefined || span.resource !== this.resource) {
      this.resourceForm = { attributes: this.attributes(span.resource.attributes) };
      this.resourcePlain = this.plain;
      this.resource = span.resource;
    }
    this.readsBackAsIs = asIs && events.length === 0 && links.length === 0 && this.resourcePlain;
    // The key order is that of the journal since its first version: records stay byte for byte the same.
    return {
      traceId: context.traceId,
      spanId: context.spanId,
      traceFlags: context.traceFlags,
      parentSpanId: span.parentSpanContext?.spanId,
      name: typeof span.name === 'string' ? redactor.redact(span.name) : span.name,
      kind: span.kind,
      startTime: span.startTime,
      endTime: span.endTime,
      status: redactDeep(span.status, redactor),
      attributes,
      events,
      links,
      resource: this.resourceForm,
      instrumentationScope: span.instrumentationScope,
    };
  }

  private attributes(value: unknown): unknown {
    if (value === null || typeof value !== 'object') {
      this.plain = false;
      return value;
    }
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let plain = true;
    for (const key of Object.keys(source)) {
      const redacted = redactValue(source[key], this.redactor);
      if (key === '__proto__') {
        // An own property, as JSON.parse makes it; assigning would set the prototype.
        Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
        plain = false;
      } else {
        out[key] = redacted;
        plain &&= readsBackAsIs(redacted);
      }
    }
    this.plain = plain;
    return out;
  }
}

/**
 * True for an attribute value that JSON gives back unchanged and `attributeFromJson` keeps as it
 * is. Not so: NaN and ±Infinity (JSON null), -0 (0), null and undefined (dropped), objects and
 * nested arrays (turned into JSON text), holes and undefined in arrays (null).
 */
function readsBackAsIs(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return isPlainNumber(value);
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (!(typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && isPlainNumber(v)))) return false;
  }
  return true;
}

function isPlainNumber(n: number): boolean {
  return Number.isFinite(n) && !Object.is(n, -0);
}

/** -0 is the one value the decoders let through (a time of "-0" ns, an outfile's kind) that JSON changes. */
function holdsNegativeZero(span: ReadableSpan): boolean {
  return Object.is(span.kind, -0) || Object.is(span.startTime[0], -0) || Object.is(span.startTime[1], -0) || Object.is(span.endTime[0], -0) || Object.is(span.endTime[1], -0);
}

function redactValue(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return JSON.stringify(redactDeep(JSON.parse(value) as unknown, redactor));
      } catch {
        // Not JSON after all: redact it as text.
      }
    }
    return redactor.redact(value);
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redactor));
  return value;
}
