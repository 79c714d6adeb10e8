export type DropReason =
  | 'no-session'
  | 'sink-error'
  | 'shutdown'
  | 'spool-full'
  | 'consent-revoked'
  /** Remote only: the session has no GitHub repository (or none we can see): never sent remotely. */
  | 'no-repository'
  /** Remote only: the service answered 403 for the session (policy). */
  | 'policy-blocked'
  /** Remote only: the service rejected the event itself (4xx); it is in the dead-letter file. */
  | 'dead-letter'
  /** Remote only: its spooled record no longer matched its checksum, so it could not be read back. */
  | 'spool-damaged';

export interface AccountingSnapshot {
  readonly destination: string;
  readonly received: number;
  readonly delivered: number;
  readonly pending: number;
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
  readonly truncated: number;
  /** Of `pending`, how many are only on disk (the spool), not in memory. */
  readonly spooled?: number;
  /** Remote destinations: `ok`, `paused-auth` (401: sign in again), `circuit-open`, … */
  readonly state?: string;
}

/**
 * Per-destination event accounting (SPEC §8): `received = delivered + pending + dropped` at all
 * times, because every count moves in one step from one bucket to another.
 */
export class Accounting {
  private received = 0;
  private delivered = 0;
  private pending = 0;
  private truncated = 0;
  private readonly dropped: Partial<Record<DropReason, number>> = {};

  constructor(readonly destination: string) {}

  accept(count: number): void {
    this.received += count;
    this.pending += count;
  }

  markDelivered(count: number): void {
    this.pending -= count;
    this.delivered += count;
  }

  markDropped(count: number, reason: DropReason): void {
    this.pending -= count;
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  markTruncated(count: number): void {
    this.truncated += count;
  }

  snapshot(): AccountingSnapshot {
    return {
      destination: this.destination,
      received: this.received,
      delivered: this.delivered,
      pending: this.pending,
      dropped: { ...this.dropped },
      truncated: this.truncated,
    };
  }
}

export function totalDropped(snapshot: AccountingSnapshot): number {
  return Object.values(snapshot.dropped).reduce((a, b) => a + (b ?? 0), 0);
}
