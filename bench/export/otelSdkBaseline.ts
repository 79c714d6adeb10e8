/**
 * Baseline (a), what a user would run instead of the relay: the OpenTelemetry JS SDK —
 * BasicTracerProvider, BatchSpanProcessor, OTLPTraceExporter (http/json) — exporting the workload's
 * spans, with the same names, ids, times and attributes, to a local OTLP sink. The queue holds the
 * whole workload so nothing is dropped; the export delay is our fast cadence (200 ms) rather than
 * the SDK's 5 s so the last partial batch does not idle. Runs in its own process (a bench worker):
 * the clock starts at the first span's end and stops when every span's export has succeeded.
 */
import { ROOT_CONTEXT, TraceFlags, trace, type Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ownCpuMs } from './cpuTime';
import type { TimedRun } from './timedRun';
import { generateSpans, sessionSpecs } from './workload';

const EXPORT_DELAY_MS = 200;
const TIMEOUT_MS = 180_000;

/** Hands out the recorded ids, so the re-created spans carry the workload's trace and span ids. */
class ReplayedIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** The OTLP exporter, counting spans whose export succeeded: the end of the timed window. */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed: Error | undefined;
  onProgress: () => void = () => {};

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === 0) this.exported += spans.length;
      else this.failed ??= result.error ?? new Error('export failed');
      done(result);
      this.onProgress();
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Worker entry: args are the sink's URL, sessions and turns per session. */
export async function otelSdkWorker(args: readonly string[]): Promise<TimedRun> {
  const [url, sessions, turns] = args;
  const recorded = generateSpans(sessionSpecs(Number(sessions), Number(turns)));
  const ids = new ReplayedIds();
  const exporter = new CountingExporter(new OTLPTraceExporter({ url }));
  const processor = new BatchSpanProcessor(exporter, { maxQueueSize: recorded.length, maxExportBatchSize: 512, scheduledDelayMillis: EXPORT_DELAY_MS });
  const first = recorded[0];
  if (!first) throw new Error('empty workload');
  const provider = new BasicTracerProvider({ idGenerator: ids, resource: resourceFromAttributes(first.resource.attributes), spanProcessors: [processor] });
  const tracer = provider.getTracer(first.instrumentationScope.name, first.instrumentationScope.version);

  const allExported = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exported ${exporter.exported} of ${recorded.length} spans in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    exporter.onProgress = () => {
      if (exporter.failed) reject(exporter.failed);
      if (exporter.exported < recorded.length) return;
      clearTimeout(timer);
      resolve();
    };
  });
  const cpu0 = ownCpuMs();
  const t0 = process.hrtime.bigint();
  for (const span of recorded) {
    const context = span.spanContext();
    ids.traceId = context.traceId;
    ids.spanId = context.spanId;
    const parent: Context = span.parentSpanContext
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId: context.traceId, spanId: span.parentSpanContext.spanId, traceFlags: TraceFlags.SAMPLED })
      : ROOT_CONTEXT;
    const replayed = tracer.startSpan(span.name, { kind: span.kind, startTime: span.startTime, attributes: span.attributes, links: span.links }, parent);
    replayed.setStatus(span.status);
    replayed.end(span.endTime);
  }
  await allExported;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = ownCpuMs() - cpu0;
  await provider.shutdown();
  return { ms, cpuMs, items: exporter.exported };
}
