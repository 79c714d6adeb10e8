import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import { SpanJournal } from '../delivery/spanJournal';
import type { Redactor } from '../redact/redactor';

/** Where journaled spans go: the pipeline, and whether it still needs the journal. */
export interface DurableTarget {
  accept(spans: readonly ReadableSpan[]): void;
  /** True when every span taken so far has become delivered or durably spooled events. */
  readonly settled: boolean;
}

// Checking for a settled pipeline is cheap, but releasing rewrites files: not more often than this.
const RELEASE_CHECK_MS = 30_000;

/**
 * The receiver's door into the pipeline with the write-ahead span journal in front (SPEC §8):
 * `accept` resolves — and the OTLP request is answered 200 — only once the spans are redacted and
 * fsynced. Opening adopts the journals of processes that are gone and replays them into the
 * target; deterministic event ids make the replay harmless. Shared by `serve` and the extension.
 */
export class DurableIntake implements Disposable {
  private releasing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly journal: SpanJournal,
    private readonly target: () => DurableTarget,
  ) {
    this.timer = setInterval(() => this.releaseIfSettled(), RELEASE_CHECK_MS);
    this.timer.unref();
  }

  static async open(root: string, redactor: Redactor, logger: Logger, target: () => DurableTarget): Promise<DurableIntake> {
    const { journal, replay } = await SpanJournal.open(root, redactor, logger);
    if (replay.length > 0) {
      target().accept(replay);
    }
    return new DurableIntake(journal, target);
  }

  async accept(spans: readonly ReadableSpan[]): Promise<void> {
    if (this.closed) {
      throw new Error('the span journal is closed');
    }
    while (this.releasing) {
      await this.releasing;
    }
    // The pipeline gets the redacted spans read back from the journal, so a replay after a crash
    // yields exactly the events of the first pass.
    const clean = await this.journal.append(spans);
    this.target().accept(clean);
  }

  /** Closes the journal, releasing it when the pipeline was settled (nothing left to replay). */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearInterval(this.timer);
    while (this.releasing) {
      await this.releasing;
    }
    await this.journal.close(this.target().settled);
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private releaseIfSettled(): void {
    if (!this.releasing && this.journal.sizeBytes > 0 && this.target().settled) {
      this.releasing = this.journal.release().finally(() => (this.releasing = undefined));
    }
  }
}
