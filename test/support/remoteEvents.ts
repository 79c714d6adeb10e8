import type { RoutedEvent, SessionEvent } from '../../src/sessions/sessionEvent';

/** A chain of `count` events of one session (ids `<session>-<n>`, parentId chained). */
export function eventChain(sessionId: string, count: number, from = 0, content = 'hello'): RoutedEvent[] {
  const out: RoutedEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const event: SessionEvent = {
      id: `${sessionId}-${i}`,
      timestamp: new Date(1_700_000_000_000 + i).toISOString(),
      parentId: i === 0 ? null : `${sessionId}-${i - 1}`,
      type: i === 0 ? 'session.start' : 'user.message',
      data: i === 0 ? { sessionId, context: { repository: 'https://github.com/acme/widgets' } } : { content },
    };
    out.push({ sessionId, event });
  }
  return out;
}

/** Polls `check` until it holds or the deadline passes (never a fixed sleep). */
export async function until(check: () => boolean, ms = 15_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
