/**
 * Time as the delivery stage sees it. Injected so unit tests pin backoff, breaker and scheduling
 * timings with a manual clock instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** A one-shot timer. Real timers are unref'd: a pending retry never keeps a CLI process alive. */
  setTimer(callback: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const t = setTimeout(callback, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to — for tests. */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Set<{ at: number; callback: () => void }>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), callback };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** How many timers are armed (the "no timer when idle" rule). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the next armed timer fires, or undefined. */
  get nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) next = next === undefined ? t.at : Math.min(next, t.at);
    return next;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let due: { at: number; callback: () => void } | undefined;
      for (const t of this.timers) if (t.at <= target && (!due || t.at < due.at)) due = t;
      if (!due) break;
      this.timers.delete(due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }
}
