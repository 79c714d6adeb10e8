import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common/logger';
import type { ConsentLevel, ExportGate, SessionContext } from '../../src/delivery/exportGate';
import { RelayPipeline } from '../../src/relayPipeline';
import type { RoutedEvent } from '../../src/sessions/sessionEvent';
import type { EventSink } from '../../src/sinks/eventSink';
import { generateCopilotSpans } from '../support/copilotSpans';

class MemorySink implements EventSink {
  readonly events: RoutedEvent[] = [];
  constructor(
    readonly name: string,
    readonly scope: 'local' | 'remote',
  ) {}
  async deliver(batch: readonly RoutedEvent[]): Promise<void> {
    this.events.push(...batch);
  }
  async close(): Promise<void> {}
}

/** A gate whose answers the test sets, per repository URL. */
class TestGate implements ExportGate {
  readonly asked: SessionContext[] = [];
  private readonly answers = new Map<string | null, ConsentLevel>();
  private readonly listeners = new Set<() => void>();
  levelFor(session: SessionContext): ConsentLevel | undefined {
    this.asked.push(session);
    return this.answers.get(session.repository);
  }
  onDidChange(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  answer(repository: string | null, level: ConsentLevel): void {
    this.answers.set(repository, level);
    this.listeners.forEach((l) => l());
  }
}

const REPO_A = 'https://github.com/o/a';
const REPO_B = 'https://github.com/o/b';

function setup() {
  const gate = new TestGate();
  const local = new MemorySink('file', 'local');
  const remote = new MemorySink('api', 'remote');
  const pipeline = new RelayPipeline({ sinks: [local, remote], redactor: { redact: (t) => t }, logger: silentLogger, gate }, { producerVersion: 't', idleMs: 60_000 });
  const { spans } = generateCopilotSpans(
    [
      { sessionId: 'sa', turns: 1, startMs: Date.UTC(2026, 0, 1), repository: REPO_A },
      { sessionId: 'sb', turns: 1, startMs: Date.UTC(2026, 0, 2), repository: REPO_B },
    ],
    9,
  );
  return { gate, local, remote, pipeline, spans };
}

test('nothing reaches any destination before the repository has a decision; events wait, then go in order', async () => {
  const { gate, local, remote, pipeline, spans } = setup();
  pipeline.acceptSpans(spans);
  await pipeline.flush();
  assert.equal(local.events.length + remote.events.length, 0);
  assert.ok(pipeline.status().awaitingConsent > 0);
  assert.deepEqual([...new Set(gate.asked.map((c) => c.repository))].sort(), [REPO_A, REPO_B], 'asked per repository, from session.start');

  gate.answer(REPO_A, 'local');
  await pipeline.flush();
  assert.ok(local.events.length > 0);
  assert.ok(local.events.every((e) => e.sessionId === 'sa'));
  assert.equal(local.events[0].event.type, 'session.start');
  assert.equal(remote.events.length, 0, 'local consent never reaches a remote destination');

  gate.answer(REPO_B, 'none');
  await pipeline.flush();
  assert.ok(local.events.every((e) => e.sessionId === 'sa'), 'never: nothing of repository B is exported');
  assert.ok(pipeline.status().withheld.noConsent > 0);
  assert.equal(pipeline.status().awaitingConsent, 0);
  await pipeline.close(1_000);
});

test('sync to my account reaches both; revoking discards what was not yet sent, and unanswered events are counted at close', async () => {
  const { gate, local, remote, pipeline, spans } = setup();
  gate.answer(REPO_A, 'user');
  pipeline.acceptSpans(spans);
  // Revoke before the delivery timer ran: the queued remote events of A are discarded, counted.
  gate.answer(REPO_A, 'local');
  await pipeline.flush();
  assert.equal(remote.events.length, 0);
  assert.ok(local.events.some((e) => e.sessionId === 'sa'));
  const api = pipeline.status().destinations.find((d) => d.destination === 'api')!;
  assert.ok((api.dropped['consent-revoked'] ?? 0) > 0);
  assert.equal(api.received, api.delivered + api.pending + (api.dropped['consent-revoked'] ?? 0));
  const waiting = pipeline.status().awaitingConsent;
  assert.ok(waiting > 0, 'repository B was never answered');
  await pipeline.close(1_000);
  assert.equal(pipeline.status().withheld.unanswered, waiting + 1, 'plus the session end that arrived while waiting');
});
