/**
 * The backlog's input: Copilot-shaped span trees (test/support/copilotSpans.ts, the real
 * OpenTelemetry SDK, planted secrets included) fed through the real RelayPipeline, one session at
 * a time, so the events that pile up are exactly those a long outage would leave behind: turn
 * assembly, translation, redaction and the size cap all run on them.
 */
import { silentLogger } from '../../src/common/logger';
import type { Destination } from '../../src/delivery/destination';
import { fixedLevelGate } from '../../src/delivery/exportGate';
import { createRedactor } from '../../src/redact/secretRedactor';
import { RelayPipeline } from '../../src/relayPipeline';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateCopilotSpans } from '../../test/support/copilotSpans';

/** A repository the remote destination accepts (the bench's GitHub-id resolver knows it). */
export const REPOSITORY = 'https://github.com/acme/widgets';
const TURNS_PER_SESSION = 100;
/** What one session becomes: 9 events per turn, plus session.start and the title (no shutdown: it stays open). */
export const EVENTS_PER_SESSION = 9 * TURNS_PER_SESSION + 2;
const START_MS = Date.UTC(2026, 10, 2, 9, 0, 0);

/** The pipeline the extension and `serve` build, with `destination` as its only destination. */
export function backlogPipeline(destination: Destination): RelayPipeline {
  return new RelayPipeline(
    { sinks: [], destinations: [destination], redactor: createRedactor(), logger: silentLogger, gate: fixedLevelGate('user') },
    // Sessions stay open the whole run: an outage does not end them.
    { producerVersion: 'bench', idleMs: 24 * 3_600_000 },
  );
}

/**
 * Feeds `sessions` whole sessions (numbered from `first`), then waits until turn assembly has let
 * go of every span (its tail delay runs on real timers). `afterSession` runs after each session,
 * between two event-loop turns, so the destination's disk writes and a sampler keep up.
 *
 * A session's spans are made up front (the generator builds whole sessions), but they reach the
 * pipeline as a producer hands them over: a turn at a time, as its root ends, each span let go
 * once handed over, as an SDK lets go of a span after `onEnd`. Ending all of a 100-turn session at
 * once and holding its ~650 spans until the last one was processed was an artefact of the
 * generator, and it was measured as the relay's memory: V8 then often pretenured the SDK's span
 * internals (span contexts, start times, event arrays), ~230 bytes per event allocated straight
 * into the old generation, which raised the peak by 25–55 MB depending on that decision.
 */
export async function feedSessions(pipeline: RelayPipeline, first: number, sessions: number, afterSession: () => void): Promise<void> {
  for (let n = first; n < first + sessions; n++) {
    const { spans } = generateCopilotSpans(
      [{ sessionId: `bench-session-${n}`, turns: TURNS_PER_SESSION, startMs: START_MS + n * 60_000, repository: REPOSITORY }],
      n + 1,
    );
    const handedOver: Array<ReadableSpan | undefined> = spans;
    for (let i = 0; i < handedOver.length; i++) {
      const span = handedOver[i]!;
      handedOver[i] = undefined;
      pipeline.processor.onEnd(span);
      // A turn's root ends last: its turn is complete.
      if (span.parentSpanContext === undefined) await pipeline.processor.forceFlush();
    }
    await pipeline.processor.forceFlush();
    afterSession();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await until(() => pipeline.status().spansWaitingForTurn === 0, 30_000, 'turn assembly to let go of every span');
}

/** Polls `done` every few milliseconds until it holds; rejects at the deadline. */
export async function until(done: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`backlog bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, everyMs));
  }
}
