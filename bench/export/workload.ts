/**
 * The export workload: Copilot-shaped sessions (test/support/copilotSpans.ts) whose turns overlap in
 * time, as when several chats run at once, plus the events the relay must make of them. The events
 * come from the same pipeline run in process with a memory sink, so the bench knows how many the
 * Sessions API must end up with and baseline (b) can post exactly those.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { silentLogger } from '../../src/common/logger';
import { createRedactor } from '../../src/redact/secretRedactor';
import { RelayPipeline } from '../../src/relayPipeline';
import type { SessionEvent } from '../../src/sessions/sessionEvent';
import { generateCopilotSpans, type SessionSpec } from '../../test/support/copilotSpans';

/** Repositories the fake GitHub API of the bench server knows (`owner/repo` → ids). */
export const BENCH_REPOS: Readonly<Record<string, { ownerId: number; repoId: number }>> = {
  'bench-org/repo-0': { ownerId: 4000, repoId: 5000 },
  'bench-org/repo-1': { ownerId: 4000, repoId: 5001 },
  'bench-org/repo-2': { ownerId: 4000, repoId: 5002 },
  'bench-org/repo-3': { ownerId: 4000, repoId: 5003 },
};

export interface ExportWorkload {
  /** Every span, in the order they ended (the order an exporter sends them). */
  readonly spans: ReadableSpan[];
  /** Per session, in order, the events that reach the Sessions API while the session is open. */
  readonly events: ReadonlyMap<string, SessionEvent[]>;
  readonly eventCount: number;
}

const SEED = 20261121;

/** `sessions` sessions of `turnsPerSession` turns each (about 9 events per turn), each in a known repository. */
export function sessionSpecs(sessions: number, turnsPerSession: number): SessionSpec[] {
  const start = Date.UTC(2026, 10, 21, 9, 0, 0);
  const specs: SessionSpec[] = [];
  for (let i = 0; i < sessions; i++) {
    specs.push({
      sessionId: `be4c0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      turns: turnsPerSession,
      // Staggered starts, a turn every 5 s: the sessions' turns interleave once sorted by end time.
      startMs: start + i * 700,
      repository: `https://github.com/bench-org/repo-${i % 4}.git`,
      subAgent: i % 5 === 0,
      failingTool: i % 7 === 0,
    });
  }
  return specs;
}

export function generateSpans(specs: SessionSpec[]): ReadableSpan[] {
  const { spans } = generateCopilotSpans(specs, SEED);
  return [...spans].sort((a, b) => a.endTime[0] - b.endTime[0] || a.endTime[1] - b.endTime[1]);
}

/**
 * The events the relay makes of `spans` before any session ends: `session.shutdown` comes only
 * when a session idles out or the relay stops, which the timed part of the bench never reaches.
 */
export async function expectedEvents(spans: readonly ReadableSpan[]): Promise<Map<string, SessionEvent[]>> {
  const bySession = new Map<string, SessionEvent[]>();
  const sink = {
    name: 'memory',
    scope: 'local' as const,
    deliver: (batch: readonly { sessionId: string; event: SessionEvent }[]) => {
      for (const { sessionId, event } of batch) {
        if (event.type === 'session.shutdown') continue;
        let list = bySession.get(sessionId);
        if (!list) bySession.set(sessionId, (list = []));
        list.push(event);
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const pipeline = new RelayPipeline({ sinks: [sink], redactor: createRedactor({ dynamicSecrets: [] }), logger: silentLogger }, { producerVersion: 'bench', idleMs: 60 * 60_000 });
  for (const span of spans) pipeline.processor.onEnd(span);
  await pipeline.flush();
  pipeline.endSessions('closed');
  await pipeline.close(10_000);
  return bySession;
}

export async function buildWorkload(sessions: number, turnsPerSession: number): Promise<ExportWorkload> {
  const spans = generateSpans(sessionSpecs(sessions, turnsPerSession));
  const events = await expectedEvents(spans);
  let eventCount = 0;
  for (const list of events.values()) eventCount += list.length;
  return { spans, events, eventCount };
}
