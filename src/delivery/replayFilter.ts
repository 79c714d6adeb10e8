import type { SessionEvent } from '../sessions/sessionEvent';

type Mode = 'watching' | 'holding' | 'done';

interface SessionReplay {
  readonly watermark: string;
  mode: Mode;
  held: SessionEvent[];
  lastId: string | null;
}

/**
 * Spares the service most duplicates after a restart. The span journal is replayed from each open
 * session's start, so the pipeline emits the session again from its first event; the events the
 * previous run already delivered form a prefix of that chain, ending at the persisted watermark.
 * Events are held while they follow the chain from `parentId: null`, and let go as delivered only
 * once the watermark itself shows up — if the chain breaks first, every held event goes out
 * normally. Nothing is ever skipped on a guess.
 */
export class ReplayFilter {
  private readonly sessions = new Map<string, SessionReplay>();

  /** `watermarks`: per session, the id of the last event the previous run delivered in order. */
  constructor(watermarks: Iterable<[string, string]>) {
    for (const [sessionId, watermark] of watermarks) {
      this.sessions.set(sessionId, { watermark, mode: 'watching', held: [], lastId: null });
    }
  }

  /** The events to send now, and how many were recognised as delivered by the previous run. */
  filter(sessionId: string, events: readonly SessionEvent[]): { admit: SessionEvent[]; delivered: number } {
    const state = this.sessions.get(sessionId);
    if (!state || state.mode === 'done') return { admit: [...events], delivered: 0 };
    const admit: SessionEvent[] = [];
    let delivered = 0;
    for (const event of events) {
      // finish() may have ended the replay check earlier in this loop.
      if ((state.mode as Mode) === 'done') {
        admit.push(event);
        continue;
      }
      const continues = state.mode === 'watching' ? event.parentId === null : event.parentId === state.lastId;
      if (!continues) {
        admit.push(...state.held, event);
        this.finish(sessionId, state);
        continue;
      }
      state.mode = 'holding';
      state.held.push(event);
      state.lastId = event.id;
      if (event.id === state.watermark) {
        delivered += state.held.length;
        this.finish(sessionId, state);
      }
    }
    return { admit, delivered };
  }

  /** Events still held (counted as pending): at shutdown they go to the spool like any other. */
  release(): Array<{ sessionId: string; events: SessionEvent[] }> {
    const out: Array<{ sessionId: string; events: SessionEvent[] }> = [];
    for (const [sessionId, state] of this.sessions) {
      if (state.held.length > 0) out.push({ sessionId, events: state.held });
      this.finish(sessionId, state);
    }
    return out;
  }

  private finish(sessionId: string, state: SessionReplay): void {
    state.mode = 'done';
    state.held = [];
    this.sessions.delete(sessionId);
  }
}
