/** What a timed sender reports back from its worker process. */
export interface TimedRun {
  /** Wall-clock milliseconds of the timed window. */
  readonly ms: number;
  /** CPU milliseconds the sending process used in that window. */
  readonly cpuMs: number;
  /** Spans or events that arrived (counted by the sender from the answers). */
  readonly items: number;
}
