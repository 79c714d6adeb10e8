import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../common/logger';
import { ResourceCache, spanFromSerializedSpan } from '../intake/serializedSpan';
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
    const serialized = spans.map((s) => redactSerialized(serializeSpan(s), this.redactor));
    this.queue.push(encodeRecord({ spans: serialized }));
    await this.commit();
    const out: ReadableSpan[] = [];
    for (const obj of serialized) {
      const span = spanFromSerializedSpan(obj, this.resources);
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
      const data = Buffer.concat(this.queue);
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

/** A span in the JSON shape of the SDK's objects (what `spanFromSerializedSpan` reads back). */
export function serializeSpan(span: ReadableSpan): Record<string, unknown> {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes })),
    links: span.links.map((l) => ({ context: l.context, attributes: l.attributes })),
    resource: { attributes: span.resource.attributes },
    instrumentationScope: span.instrumentationScope,
  };
}

/**
 * Every string value redacted. Attribute values holding JSON (the GenAI message lists) are redacted
 * value by value and re-serialised, exactly as their content is redacted after translation.
 */
export function redactSerialized(obj: Record<string, unknown>, redactor: Redactor): Record<string, unknown> {
  const attributes = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redactor)]));
  };
  return {
    ...obj,
    name: typeof obj.name === 'string' ? redactor.redact(obj.name) : obj.name,
    status: redactDeep(obj.status, redactor),
    attributes: attributes(obj.attributes),
    events: (obj.events as Array<Record<string, unknown>>).map((e) => ({ ...e, name: redactor.redact(String(e.name)), attributes: attributes(e.attributes) })),
    links: (obj.links as Array<Record<string, unknown>>).map((l) => ({ ...l, attributes: attributes(l.attributes) })),
    resource: { attributes: attributes((obj.resource as { attributes: unknown }).attributes) },
  };
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
