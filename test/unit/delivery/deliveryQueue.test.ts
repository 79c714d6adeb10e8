import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common/logger';
import { Accounting } from '../../../src/delivery/accounting';
import { DeliveryQueue, DEFAULT_DELIVERY_OPTIONS } from '../../../src/delivery/deliveryQueue';
import type { RoutedEvent } from '../../../src/sessions/sessionEvent';
import type { EventSink } from '../../../src/sinks/eventSink';
import { within } from '../../support/deadline';

function events(n: number, from = 0): RoutedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    sessionId: 's',
    event: { id: `e${from + i}`, timestamp: '2026-01-01T00:00:00.000Z', parentId: null, type: 'user.message' as const, data: { content: String(i) } },
  }));
}

class RecordingSink implements EventSink {
  readonly name = 'memory';
  readonly scope = 'local' as const;
  readonly batches: string[][] = [];
  failNext = 0;
  private waiters: Array<() => void> = [];
  async deliver(batch: readonly RoutedEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    this.batches.push(batch.map((e) => e.event.id));
    this.waiters.splice(0).forEach((w) => w());
  }
  async close(): Promise<void> {}
  nextDelivery(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
}

function invariant(a: Accounting): void {
  const s = a.snapshot();
  const dropped = Object.values(s.dropped).reduce((x, y) => x + (y ?? 0), 0);
  assert.equal(s.received, s.delivered + s.pending + dropped);
}

test('no timer runs while nothing is pending; one is armed when events wait', async () => {
  const sink = new RecordingSink();
  const accounting = new Accounting(sink.name);
  const queue = new DeliveryQueue(sink, accounting, silentLogger, { ...DEFAULT_DELIVERY_OPTIONS, intervalMs: 10 });
  assert.equal(queue.timerArmed, false);
  const delivered = sink.nextDelivery();
  queue.enqueue(events(3));
  assert.equal(queue.timerArmed, true);
  invariant(accounting);
  await within(delivered);
  await queue.flush();
  assert.equal(queue.timerArmed, false);
  assert.deepEqual(sink.batches, [['e0', 'e1', 'e2']]);
  assert.deepEqual(accounting.snapshot().delivered, 3);
  invariant(accounting);
  queue.dispose();
});

test('an urgent enqueue (session ended) delivers without waiting for the timer', async () => {
  const sink = new RecordingSink();
  const queue = new DeliveryQueue(sink, new Accounting('m'), silentLogger, { ...DEFAULT_DELIVERY_OPTIONS, intervalMs: 3_600_000 });
  const delivered = sink.nextDelivery();
  queue.enqueue(events(2), true);
  await within(delivered);
  assert.deepEqual(sink.batches, [['e0', 'e1']]);
  queue.dispose();
});

test('batches are bounded and keep order', async () => {
  const sink = new RecordingSink();
  const queue = new DeliveryQueue(sink, new Accounting('m'), silentLogger, { ...DEFAULT_DELIVERY_OPTIONS, maxBatchEvents: 4, intervalMs: 3_600_000 });
  queue.enqueue(events(10));
  queue.enqueue([{ ...events(1, 99)[0], sessionId: 'other' }]);
  assert.deepEqual([...queue.pendingBySession()], [['s', 10], ['other', 1]], 'Show Status lists what each session still has pending');
  await queue.flush();
  assert.equal(queue.pendingBySession().size, 0);
  assert.deepEqual(sink.batches.map((b) => b.length), [4, 4, 3]);
  assert.deepEqual(sink.batches.flat(), [...events(10).map((e) => e.event.id), 'e99']);
  queue.dispose();
});

test('a failed delivery loses nothing: the batch stays queued and goes out on retry', async () => {
  const sink = new RecordingSink();
  const accounting = new Accounting('m');
  const queue = new DeliveryQueue(sink, accounting, silentLogger, { ...DEFAULT_DELIVERY_OPTIONS, intervalMs: 3_600_000, retryDelayMs: 5 });
  sink.failNext = 1;
  queue.enqueue(events(3));
  await assert.rejects(queue.flush(), /disk full/);
  assert.equal(queue.pending, 3);
  assert.equal(queue.timerArmed, true, 'a retry is scheduled');
  invariant(accounting);
  await within(sink.nextDelivery(), 10_000, 'the retry');
  assert.deepEqual(sink.batches, [['e0', 'e1', 'e2']]);
  queue.dispose();
});

test('close flushes within its budget and accounts for what could not be delivered', async () => {
  const sink = new RecordingSink();
  const accounting = new Accounting('m');
  const queue = new DeliveryQueue(sink, accounting, silentLogger, { ...DEFAULT_DELIVERY_OPTIONS, intervalMs: 3_600_000, retryDelayMs: 3_600_000 });
  sink.failNext = 100;
  queue.enqueue(events(5));
  await within(queue.close(50));
  const s = accounting.snapshot();
  assert.equal(s.pending, 0);
  assert.equal(s.dropped.shutdown, 5);
  invariant(accounting);
});
