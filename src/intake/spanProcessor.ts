import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The single door into the pipeline (SPEC §3.2): the OTLP receiver, file import and other
 * extensions' tracers all end spans here. `onEnd` runs on the producer's hot path, so it only
 * queues the span; the queue drains to the consumer in one batch per turn of the event loop. Not in
 * a microtask: the receiver answers a request once its spans are journaled, and that answer (the
 * sender waits for it before sending the next batch) must not wait for turn assembly and
 * translation of the spans it carried.
 */
export class RelaySpanProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private drainScheduled = false;
  private isShutdown = false;

  constructor(private readonly consumer: (spans: ReadableSpan[]) => void) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown) {
      return;
    }
    this.queue.push(span);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  forceFlush(): Promise<void> {
    this.drain();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.drain();
    this.isShutdown = true;
    return Promise.resolve();
  }

  private drain(): void {
    this.drainScheduled = false;
    if (this.queue.length === 0) {
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.consumer(batch);
  }
}
