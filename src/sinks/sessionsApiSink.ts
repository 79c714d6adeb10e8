import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import { Accounting, type AccountingSnapshot, type DropReason } from '../delivery/accounting';
import { CircuitBreaker, DEFAULT_BREAKER, type CircuitBreakerOptions } from '../delivery/circuitBreaker';
import { systemClock, type Clock, type TimerHandle } from '../delivery/clock';
import type { Destination, EnqueueContext } from '../delivery/destination';
import { allows, type ConsentLevel, type SessionContext } from '../delivery/exportGate';
import { writeFileDurably } from '../delivery/journalRecords';
import { backoffDelay, classify, DEFAULT_BACKOFF, type BackoffOptions, type Verdict } from '../delivery/retryPolicy';
import { ReplayFilter } from '../delivery/replayFilter';
import { SeqQueue } from '../delivery/seqQueue';
import { DamagedRecords, Spool, type SpooledEvent } from '../delivery/spool';
import type { IdLookup, RepositoryIds } from '../repo/githubIds';
import { parseRemoteUrl, type RepositoryRef } from '../repo/remoteUrl';
import type { RoutedEvent, SessionEvent } from '../sessions/sessionEvent';
import { header, HttpClient, type HttpResponse } from './httpClient';

/** What the destination needs of the repository-id service (a `GithubIds`). */
export interface RepositoryIdResolver {
  resolve(ref: RepositoryRef): Promise<IdLookup>;
}

export interface SessionsApiOptions {
  /** Base URL of the Sessions API (https; http only for loopback). */
  readonly endpoint: string;
  /** The bearer token for the service; asked before every request so a new sign-in takes effect. */
  readonly tokenProvider: () => Promise<string | undefined>;
  /** Where the spool, the local→remote id map and the dead-letter file live. */
  readonly stateDir: string;
  readonly githubIds: RepositoryIdResolver;
  readonly logger: Logger;
  /** GitHub Enterprise hosts whose remotes count as GitHub repositories. */
  readonly enterpriseHosts?: readonly string[];
  /** `sessionRelay.spool.maxSizeMB`, in bytes (default 100 MiB). */
  readonly maxSpoolBytes?: number;
  /** Fires when `state` changes (for a status bar). */
  readonly onStateChange?: (state: RemoteState) => void;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  readonly breaker?: CircuitBreakerOptions;
  readonly requestTimeoutMs?: number;
  readonly intervalMs?: number;
  readonly fastIntervalMs?: number;
  readonly softCap?: number;
  /** Events kept in memory; past this their bodies stay only in the spool (SPEC §8: 1,000). */
  readonly hardCap?: number;
  readonly maxBatchEvents?: number;
  readonly maxBatchBytes?: number;
  /** Sessions sending at the same time (each with one request in flight at most). */
  readonly maxConcurrentSessions?: number;
}

/**
 * `ok`; `paused-auth`: the service answered 401, remote export waits for a new sign-in (`resume()`);
 * `github-auth`: GitHub refused the token used for repository ids; `circuit-open`: the service is
 * failing and only probes go out; `starting`: the spool is being opened.
 */
export type RemoteState = 'starting' | 'ok' | 'paused-auth' | 'github-auth' | 'circuit-open';

interface SessionRecord {
  remoteId?: string;
  repository?: string;
  level?: ConsentLevel;
  blocked?: 'policy' | 'no-repository';
  /** The last event delivered in order — the watermark a replay after a restart is checked against. */
  delivered?: string;
}

interface RemoteSession {
  readonly id: string;
  /** Spool seqs of the waiting events, in order: bodies are in `bodies` (the first ~1,000) or on disk. */
  readonly queue: SeqQueue;
  /**
   * Events resumed from a previous run's spool and still waiting, by id and by seq. The span journal
   * replays the same session through the pipeline, which emits them again: each must go once. Only
   * these need the guard — within one run the turn assembler drops duplicate spans, so an event of
   * this run is never emitted twice — and a backlog of this run's events costs no id strings.
   */
  resumed?: { readonly ids: Set<string>; readonly bySeq: Map<number, string> };
  inFlight: boolean;
  /** When the oldest waiting event arrived: the batch goes one cadence later (SPEC §8). */
  since: number;
  notBefore: number;
  attempts: number;
  batchLimit: number;
  /** The batch being retried: the same events under the same Idempotency-Key. */
  retryBatch?: Batch;
  ids?: RepositoryIds;
}

/** A batch of one session's queue (always its head): which events, and the Idempotency-Key they go under. */
interface Batch {
  readonly seqs: readonly number[];
  readonly key: string;
}

/** A batch ready to go: the request body, joined from the events' JSON texts as journaled. */
interface LoadedBatch extends Batch {
  readonly json: string;
  /** The id of its last event: the session's watermark once the batch is delivered. */
  readonly lastId: string;
}

const GITHUB_AUTH_RECHECK_MS = 60_000;
/**
 * Events read back from the spool at a time while a batch is assembled: together (a few large
 * reads of the file), so a batch costs one group-commit wait and a few reads rather than one of
 * each per event, yet never many more bodies than the byte bound lets into the batch.
 */
const SPOOL_READ_CHUNK = 64;

/**
 * The Sessions API destination (SPEC §9.2, §8). Every event accepted is journaled in the spool
 * first, so a crash, a kill or a long outage loses nothing; a per-destination scheduler sends each
 * session's events in order, one request in flight per session, creating the remote session lazily
 * and reusing it after a restart through a persisted id map. Failures follow the retry table.
 */
export class SessionsApiDestination implements Destination {
  readonly name = 'sessions-api';
  readonly scope = 'remote' as const;
  private readonly accounting = new Accounting('sessions-api');
  private readonly clock: Clock;
  private readonly breaker: CircuitBreaker;
  private readonly http = new HttpClient();
  private readonly sessions = new Map<string, RemoteSession>();
  private records: Record<string, SessionRecord> = {};
  private spool: Spool | undefined;
  private replay = new ReplayFilter([]);
  private levelFor: ((session: SessionContext) => ConsentLevel | undefined) | undefined;
  private readonly early: Array<{ events: readonly RoutedEvent[]; context: EnqueueContext }> = [];
  private readonly ready: Promise<void>;
  private timer: { handle: TimerHandle; at: number } | undefined;
  private running = 0;
  /**
   * Bodies of queued events kept in memory, by spool seq: the first `hardCap` (SPEC §8: 1,000) of
   * the destination, as the text journaled (smaller than the object, and sent as it is). Past it a
   * body lives only in the spool and is read back when its turn comes.
   */
  private readonly bodies = new Map<number, SpooledEvent>();
  /** Events waiting in all the queues: the soft cap, `status()` and shutdown count without a walk. */
  private queued = 0;
  private notBefore = 0;
  private currentState: RemoteState = 'starting';
  private closing = false;
  private disposed = false;
  private saving: Promise<void> = Promise.resolve();
  private persisting = false;
  private recordsDirty = false;
  private changeWaiters: Array<() => void> = [];
  private readonly dir: string;

  constructor(private readonly options: SessionsApiOptions) {
    this.clock = options.clock ?? systemClock;
    this.breaker = new CircuitBreaker(this.clock, options.breaker ?? DEFAULT_BREAKER);
    const endpointKey = createHash('sha256').update(options.endpoint).digest('hex').slice(0, 12);
    this.dir = path.join(options.stateDir, 'sessions-api', endpointKey);
    this.ready = this.open();
    this.ready.catch((err: Error) => options.logger.error(`sessions-api: cannot open the spool (${(err as NodeJS.ErrnoException).code ?? err.message})`));
  }

  get state(): RemoteState {
    if (this.currentState === 'ok' && this.breaker.state !== 'closed') return 'circuit-open';
    return this.currentState;
  }

  /** Resolves once the spool is open and a previous run's events are back in the queues. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** After a new sign-in: leave the 401 pause and send again. */
  resume(): void {
    if (this.currentState === 'paused-auth' || this.currentState === 'github-auth') {
      this.setState('ok');
      for (const s of this.sessions.values()) s.notBefore = 0;
      this.tick(false);
    }
  }

  enqueue(events: readonly RoutedEvent[], context: EnqueueContext): void {
    if (this.disposed || events.length === 0) return;
    this.accounting.accept(events.length);
    if (!this.spool) {
      this.early.push({ events, context });
      return;
    }
    this.admit(events, context);
  }

  discard(drop: (sessionId: string) => boolean, reason: DropReason): number {
    let removed = 0;
    for (const session of this.sessions.values()) {
      if (!drop(session.id)) continue;
      // A batch on the wire stays (its answer settles it); one only waiting for its retry goes too.
      let keep = 0;
      if (session.inFlight && session.retryBatch) {
        const batch = session.retryBatch.seqs;
        while (keep < session.queue.length && keep < batch.length && session.queue.at(keep) === batch[keep]) keep++;
      } else {
        session.retryBatch = undefined;
      }
      const gone = session.queue.removeAfter(keep);
      if (gone.length === 0) continue;
      this.settle(session, gone, reason);
      removed += gone.length;
    }
    for (const item of this.early.splice(0)) {
      const kept = item.events.filter((e) => !drop(e.sessionId));
      if (kept.length < item.events.length) {
        this.accounting.markDropped(item.events.length - kept.length, reason);
        removed += item.events.length - kept.length;
      }
      if (kept.length > 0) this.early.push({ events: kept, context: item.context });
    }
    return removed;
  }

  useConsent(levelFor: (session: SessionContext) => ConsentLevel | undefined): void {
    this.levelFor = levelFor;
  }

  volatilePending(): number {
    let early = 0;
    for (const item of this.early) early += item.events.length;
    return early + (this.spool?.unsynced ? 1 : 0);
  }

  markTruncated(count: number): void {
    this.accounting.markTruncated(count);
  }

  status(): AccountingSnapshot {
    return { ...this.accounting.snapshot(), spooled: this.queued - this.bodies.size, state: this.state };
  }

  /** Queued events per session, in memory or read back from the spool. */
  pendingBySession(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const [sessionId, s] of this.sessions) {
      if (s.queue.length > 0) counts.set(sessionId, s.queue.length);
    }
    return counts;
  }

  /** Sends what can be sent now and resolves when those requests are done ("Flush Now"). */
  async flush(): Promise<void> {
    await this.ready.catch(() => undefined);
    this.tick(true);
    while (this.running > 0) await this.nextChange();
  }

  /**
   * Delivers for at most `budgetMs` (SPEC §8: 2 s at shutdown). Everything not delivered by then
   * is already in the spool, and the next start resumes it — pending, not dropped.
   */
  async close(budgetMs: number): Promise<void> {
    if (this.closing) return;
    // The scheduler's timers are unref'd; while closing, the process must stay up to finish.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      await this.ready.catch(() => undefined);
      if (this.spool) {
        // Events held while a replay was being checked: into the spool with everything else.
        for (const { sessionId, events } of this.replay.release()) {
          const meta = metaOf(this.records[sessionId] ?? {});
          for (const event of events) this.spoolEvent(sessionId, event, meta);
        }
      }
      const deadline = this.clock.now() + budgetMs;
      while (this.pendingCount() > 0 && this.currentState === 'ok' && this.clock.now() < deadline) {
        this.tick(true);
        await this.nextChange(Math.max(1, Math.min(deadline, this.nextReadyAt()) - this.clock.now()));
      }
      this.closing = true;
      this.cancelTimer();
      await this.http.close();
      while (this.running > 0) await this.nextChange(50);
      const left = this.pendingCount();
      if (left > 0) this.options.logger.info(`sessions-api: ${left} events kept in the spool for the next start`);
      await this.saving;
      await this.spool?.close();
      this.disposed = true;
    } finally {
      clearInterval(keepAlive);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.closing = true;
    this.cancelTimer();
    void this.http.close();
  }

  // --- intake -------------------------------------------------------------------------------

  private async open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      this.records = JSON.parse(await fs.readFile(path.join(this.dir, 'sessions.json'), 'utf8')) as Record<string, SessionRecord>;
    } catch {
      this.records = {};
    }
    this.replay = new ReplayFilter(
      Object.entries(this.records).flatMap(([id, r]) => (r.delivered && !r.blocked ? [[id, r.delivered] as [string, string]] : [])),
    );
    const { spool, recovered } = await Spool.open(path.join(this.dir, 'spool'), {
      maxBytes: this.options.maxSpoolBytes ?? 100 * 1024 * 1024,
      logger: this.options.logger,
      onOverflow: (seqs) => this.overflow(seqs),
    });
    if (this.disposed) {
      await spool.close();
      return;
    }
    this.spool = spool;
    this.accounting.accept(recovered.length);
    for (const entry of recovered) {
      this.rememberMeta(entry.sessionId, entry.meta);
      const session = this.queueEvent(entry.sessionId, entry.seq, entry.id, entry.json, entry.bytes);
      session.resumed ??= { ids: new Set(), bySeq: new Map() };
      session.resumed.ids.add(entry.id);
      session.resumed.bySeq.set(entry.seq, entry.id);
    }
    for (const s of this.sessions.values()) s.since = -Infinity; // resumed events are overdue
    this.setState('ok');
    for (const { events, context } of this.early.splice(0)) this.admit(events, context);
    this.tick(false);
  }

  private admit(events: readonly RoutedEvent[], context: EnqueueContext): void {
    const sessionId = events[0].sessionId;
    const record = (this.records[sessionId] ??= {});
    let changed = false;
    if (context.session?.repository && !record.repository) {
      record.repository = context.session.repository;
      changed = true;
    }
    if (context.level && context.level !== record.level && (context.level === 'user' || context.level === 'repo_and_user')) {
      record.level = context.level;
      changed = true;
    }
    if (changed) this.persistRecords();
    const meta = metaOf(record);
    const { admit, delivered } = this.replay.filter(
      sessionId,
      events.map((e) => e.event),
    );
    let already = delivered;
    const resumed = this.sessions.get(sessionId)?.resumed?.ids;
    for (const event of admit) {
      if (resumed?.has(event.id)) {
        // Already waiting here (resumed from the spool): it goes once.
        already++;
        continue;
      }
      this.spoolEvent(sessionId, event, meta);
    }
    // Delivered by the previous run, or queued already: nothing to send twice.
    if (already > 0) this.accounting.markDelivered(already);
    if (context.urgent && this.sessions.has(sessionId)) {
      // A session ended: its last events go now, not one cadence later.
      this.sessions.get(sessionId)!.since = -Infinity;
    }
    this.tick(false);
  }

  private rememberMeta(sessionId: string, meta: Readonly<Record<string, string>> | undefined): void {
    const record = (this.records[sessionId] ??= {});
    if (meta?.r && !record.repository) record.repository = meta.r;
    if (meta?.l && !record.level) record.level = meta.l as ConsentLevel;
  }

  /**
   * Journals an event and queues it. Its JSON text is made here, once: the spool record holds it,
   * and the batch sends it, from memory or as read back.
   */
  private spoolEvent(sessionId: string, event: SessionEvent, meta: Record<string, string>): void {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json, 'utf8');
    this.queueEvent(sessionId, this.spool!.appendSeq(sessionId, json, bytes, meta), event.id, json, bytes);
  }

  /** Queues a spooled event; its body stays in memory only within the hard cap. */
  private queueEvent(sessionId: string, seq: number, id: string, json: string, bytes: number): RemoteSession {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = { id: sessionId, queue: new SeqQueue(), inFlight: false, since: 0, notBefore: 0, attempts: 0, batchLimit: this.maxBatchEvents };
      this.sessions.set(sessionId, session);
    }
    if (session.queue.length === 0) session.since = this.clock.now();
    // Past the hard cap the body lives only in the spool and is read back when its turn comes.
    if (this.bodies.size < (this.options.hardCap ?? 1_000)) this.bodies.set(seq, { id, json, bytes });
    session.queue.push(seq);
    this.queued++;
    return session;
  }

  /**
   * The spool bound dropped its oldest segment: the `lost` seqs (ascending) are gone from the disk,
   * so they leave the queues, counted as dropped. The oldest events of a session are the head of
   * its queue, so each queue loses a prefix. A batch waiting for its retry that lost events is
   * given up (its bodies cannot be read again); its survivors go in the next batch.
   */
  private overflow(lost: readonly number[]): void {
    if (lost.length === 0) return;
    const last = lost[lost.length - 1];
    let dropped = 0;
    for (const session of this.sessions.values()) {
      if (session.queue.length === 0 || session.queue.at(0) > last) continue;
      if (session.retryBatch && session.retryBatch.seqs[0] <= last) session.retryBatch = undefined;
      const gone = session.queue.removeUpTo(last);
      this.forget(session, gone);
      dropped += gone.length;
    }
    this.queued -= dropped;
    this.accounting.markDropped(dropped, 'spool-full');
  }

  /** What the destination held in memory for events leaving its queues. */
  private forget(session: RemoteSession, seqs: readonly number[]): void {
    for (const seq of seqs) this.bodies.delete(seq);
    const resumed = session.resumed;
    if (!resumed) return;
    for (const seq of seqs) {
      const id = resumed.bySeq.get(seq);
      if (id === undefined) continue;
      resumed.bySeq.delete(seq);
      resumed.ids.delete(id);
    }
    if (resumed.bySeq.size === 0) session.resumed = undefined;
  }

  // --- scheduling ---------------------------------------------------------------------------

  private get maxBatchEvents(): number {
    return this.options.maxBatchEvents ?? 500;
  }

  private pendingCount(): number {
    return this.queued;
  }

  private cadence(): number {
    return this.pendingCount() > (this.options.softCap ?? 500) ? (this.options.fastIntervalMs ?? 200) : (this.options.intervalMs ?? 500);
  }

  /**
   * When a session may send: its batching delay (`cadence`, 0 for an explicit flush), its backoff,
   * a Retry-After and the breaker. The cadence is the caller's, computed once per scan of the
   * sessions: it counts every queue, which per session would make each scan quadratic.
   */
  private readyAt(session: RemoteSession, cadence: number): number {
    return Math.max(session.since + cadence, session.notBefore, this.notBefore, this.breaker.retryAt);
  }

  private nextReadyAt(): number {
    const cadence = this.cadence();
    let earliest = Infinity;
    for (const s of this.sessions.values()) {
      if (s.queue.length > 0 && !s.inFlight) earliest = Math.min(earliest, this.readyAt(s, cadence));
    }
    return earliest;
  }

  /**
   * Arms the one timer of this destination: none while nothing waits (or remote export is paused),
   * else for the earliest session that may send — one cadence (500 ms, 200 ms above the soft cap)
   * after its oldest event arrived, later while a backoff, a Retry-After or the open circuit says so.
   */
  private schedule(): void {
    if (this.disposed || this.closing || !this.spool || this.currentState === 'paused-auth' || this.running >= this.concurrency) {
      this.cancelTimer();
      return;
    }
    const at = this.nextReadyAt();
    if (at === Infinity) {
      this.cancelTimer();
      return;
    }
    if (this.timer && this.timer.at === at) return;
    this.cancelTimer();
    const now = this.clock.now();
    const handle = this.clock.setTimer(() => {
      this.timer = undefined;
      this.tick(false);
    }, Math.max(0, at - now));
    this.timer = { handle, at };
  }

  private get concurrency(): number {
    return this.options.maxConcurrentSessions ?? 4;
  }

  private cancelTimer(): void {
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  /** Starts every session that may send now (up to the concurrency), then re-arms the timer. */
  private tick(explicit: boolean): void {
    if (this.disposed || this.closing || !this.spool || this.currentState === 'paused-auth') return;
    const now = this.clock.now();
    // An explicit flush does not wait out the batching delay; backoffs and the breaker still hold.
    const cadence = explicit ? -Infinity : this.cadence();
    for (const session of this.sessions.values()) {
      if (this.running >= this.concurrency) break;
      if (session.inFlight || session.queue.length === 0 || this.readyAt(session, cadence) > now) continue;
      session.inFlight = true;
      this.running++;
      // Round robin: the session goes to the back, so a busy one cannot starve the others.
      this.sessions.delete(session.id);
      this.sessions.set(session.id, session);
      void this.pump(session)
        // Nothing is settled before an answer, so a failed step (a body gone from the spool under
        // a batch being read, a damaged record) is only tried again — after the session's backoff,
        // so a step that keeps failing can never spin.
        .catch((err: Error) => {
          this.options.logger.warn(`sessions-api: a send step failed (${err.message})`);
          this.retryLater(session, { kind: 'retry' });
        })
        .finally(() => {
          session.inFlight = false;
          this.running--;
          this.signalChange();
          this.tick(false);
        });
    }
    this.schedule();
  }

  private nextChange(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const done = () => {
        timer?.cancel();
        resolve();
      };
      this.changeWaiters.push(done);
      if (timeoutMs !== undefined) timer = this.clock.setTimer(done, timeoutMs);
    });
  }

  private signalChange(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const w of waiters) w();
  }

  // --- sending ------------------------------------------------------------------------------

  /** One step for one session: repository ids, remote session, then one batch. */
  private async pump(session: RemoteSession): Promise<void> {
    const record = (this.records[session.id] ??= {});
    if (record.blocked) {
      this.dropSession(session, record.blocked === 'policy' ? 'policy-blocked' : 'no-repository');
      return;
    }
    // Events resumed from an earlier run were consented then; a decision revoked since still wins.
    const level = this.levelFor?.({ sessionId: session.id, repository: record.repository ?? null, branch: null });
    if (level !== undefined && !allows(level, 'remote')) {
      this.dropSession(session, 'consent-revoked');
      return;
    }
    if (!record.remoteId && !session.ids) {
      const ref = record.repository ? parseRemoteUrl(record.repository, { enterpriseHosts: this.options.enterpriseHosts }) : undefined;
      if (!ref) {
        this.block(session, record, 'no-repository');
        return;
      }
      const lookup = await this.options.githubIds.resolve(ref);
      if (lookup.kind === 'not-found') {
        this.block(session, record, 'no-repository');
        return;
      }
      if (lookup.kind !== 'ok') {
        if (lookup.kind === 'unauthorized') this.setState('github-auth');
        session.notBefore =
          lookup.kind === 'rate-limited'
            ? lookup.untilMs
            : this.clock.now() + (lookup.kind === 'unauthorized' ? GITHUB_AUTH_RECHECK_MS : this.backoff(++session.attempts));
        return;
      }
      if (this.currentState === 'github-auth') this.setState('ok');
      session.ids = lookup.ids;
    }
    if (!record.remoteId) {
      await this.createRemote(session, record);
      if (!record.remoteId) return;
    }
    const batch = session.retryBatch ? await this.reload(session, session.retryBatch) : await this.nextBatch(session);
    if (!batch) return;
    // Kept without its body: a batch waiting for its retry must not pin up to 1 MiB per session.
    session.retryBatch = { seqs: batch.seqs, key: batch.key };
    const verdict = await this.send(`/agents/sessions/${encodeURIComponent(record.remoteId)}/events`, batch.json, { 'idempotency-key': batch.key });
    if (!verdict) return;
    switch (verdict.kind) {
      case 'success':
        session.retryBatch = undefined;
        session.attempts = 0;
        // Those of its events dropped meanwhile (spool bound, purge) were counted then.
        this.settle(session, session.queue.removeLeading(batch.seqs), 'delivered');
        record.delivered = batch.lastId;
        this.persistRecords();
        // A backlog drains at full speed: what is left has waited long enough already.
        if (session.queue.length > 0) session.since = -Infinity;
        return;
      case 'retry':
        this.retryLater(session, verdict);
        return;
      case 'unauthorized':
        this.pauseForAuth();
        return;
      case 'forbidden':
        this.block(session, record, 'policy');
        return;
      case 'recreate':
        // The service lost the session: create it again (same agent_task_id) and resend.
        record.remoteId = undefined;
        this.persistRecords();
        session.retryBatch = undefined;
        if (++session.attempts > 1) session.notBefore = this.clock.now() + this.backoff(session.attempts);
        return;
      case 'split':
      case 'reject':
        session.retryBatch = undefined;
        if (batch.seqs.length === 1) {
          await this.deadLetter(session, batch.seqs[0], verdict);
          session.batchLimit = this.maxBatchEvents;
        } else {
          // Bisection: halve until the offending event stands alone; the rest goes through.
          session.batchLimit = Math.ceil(batch.seqs.length / 2);
        }
        return;
    }
  }

  private async createRemote(session: RemoteSession, record: SessionRecord): Promise<void> {
    const ids = session.ids!;
    let remoteId: string | undefined;
    const verdict = await this.send(
      '/agents/sessions',
      JSON.stringify({ owner_id: ids.ownerId, repo_id: ids.repoId, agent_task_id: session.id, indexing_level: record.level ?? 'user' }),
      {},
      (response) => {
        try {
          const body = JSON.parse(response.body) as { id?: unknown };
          if (typeof body.id === 'string' || typeof body.id === 'number') remoteId = String(body.id);
        } catch {
          // handled below: no id is a retryable answer
        }
      },
    );
    if (!verdict) return;
    switch (verdict.kind) {
      case 'success':
        if (remoteId === undefined) {
          this.retryLater(session, { kind: 'retry' });
          return;
        }
        session.attempts = 0;
        record.remoteId = remoteId;
        this.persistRecords();
        return;
      case 'retry':
        this.retryLater(session, verdict);
        return;
      case 'unauthorized':
        this.pauseForAuth();
        return;
      default:
        // 403, or a session the service will not accept: nothing of it can be sent.
        this.block(session, record, 'policy');
    }
  }

  /** One request through the breaker; undefined when the breaker did not let it go. */
  private async send(
    pathName: string,
    json: string,
    headers: Record<string, string>,
    onResponse?: (response: HttpResponse) => void,
  ): Promise<Verdict | undefined> {
    if (!this.breaker.tryAcquire()) return undefined;
    const token = await this.options.tokenProvider();
    let response: HttpResponse | undefined;
    try {
      response = await this.http.request({
        method: 'POST',
        url: `${this.options.endpoint.replace(/\/+$/, '')}${pathName}`,
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}), 'user-agent': 'session-relay' },
        jsonText: json,
        timeoutMs: this.options.requestTimeoutMs ?? 10_000,
      });
    } catch (err) {
      if (this.closing) {
        this.breaker.release();
        return undefined;
      }
      this.options.logger.trace(`sessions-api: request failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`);
    }
    const verdict = classify({ status: response?.status, retryAfter: response && header(response, 'retry-after') }, this.clock.now());
    if (verdict.kind === 'retry') this.breaker.onFailure();
    else if (verdict.kind === 'unauthorized') this.breaker.release();
    else this.breaker.onSuccess();
    if (response) onResponse?.(response);
    return verdict;
  }

  private retryLater(session: RemoteSession, verdict: { kind: 'retry'; retryAfterMs?: number }): void {
    session.attempts++;
    const now = this.clock.now();
    if (verdict.retryAfterMs !== undefined) {
      // The service asked everyone to wait, not just this session.
      this.notBefore = Math.max(this.notBefore, now + verdict.retryAfterMs);
      session.notBefore = now + verdict.retryAfterMs;
    } else {
      session.notBefore = now + this.backoff(session.attempts);
    }
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
  }

  /**
   * The next batch from the head of the queue: ≤ 500 events (less while bisecting) and ≤ 1 MiB.
   * Each event's text, as journaled, both sizes the batch and goes into the body.
   */
  private async nextBatch(session: RemoteSession): Promise<LoadedBatch | undefined> {
    const limit = Math.min(session.batchLimit, this.maxBatchEvents);
    const maxBytes = this.options.maxBatchBytes ?? 1024 * 1024;
    const seqs: number[] = [];
    const ids: string[] = [];
    const texts: string[] = [];
    let bytes = 16;
    let full = false;
    // The queue may change while bodies are read: work on the head as it was.
    const head = session.queue.peek(limit);
    for (let start = 0; start < head.length && !full; start += SPOOL_READ_CHUNK) {
      let chunk = head.slice(start, start + SPOOL_READ_CHUNK);
      let bodies: SpooledEvent[];
      try {
        bodies = await this.bodiesOf(chunk);
      } catch (err) {
        if (!(err instanceof DamagedRecords)) throw err;
        const firstDamaged = chunk.indexOf(err.seqs[0]);
        if (start === 0 && firstDamaged === 0) {
          this.dropDamaged(session, chunk[0]);
          return undefined;
        }
        // What comes before the damaged record still goes, in this batch; the record itself is
        // dropped when it reaches the head.
        chunk = chunk.slice(0, firstDamaged);
        bodies = await this.bodiesOf(chunk);
        full = true;
      }
      for (let i = 0; i < chunk.length; i++) {
        const size = bodies[i].bytes + 1;
        if (seqs.length > 0 && bytes + size > maxBytes) {
          full = true;
          break;
        }
        seqs.push(chunk[i]);
        ids.push(bodies[i].id);
        texts.push(bodies[i].json);
        bytes += size;
      }
    }
    if (seqs.length === 0 || !isHead(session.queue, seqs)) return undefined;
    return { seqs, key: batchKey(session.id, ids), json: eventsBody(texts), lastId: ids[ids.length - 1] };
  }

  /** A batch to retry, its bodies read again: the same events, the same key. */
  private async reload(session: RemoteSession, batch: Batch): Promise<LoadedBatch | undefined> {
    let bodies: SpooledEvent[];
    try {
      bodies = await this.bodiesOf(batch.seqs);
    } catch (err) {
      if (!(err instanceof DamagedRecords)) throw err;
      // Damaged since it was first read: the next step takes a new batch, up to the damage.
      session.retryBatch = undefined;
      return undefined;
    }
    // Given up meanwhile (spool bound, purge): the next step takes a new batch.
    if (session.retryBatch !== batch || !isHead(session.queue, batch.seqs)) return undefined;
    return { ...batch, json: eventsBody(bodies.map((b) => b.json)), lastId: bodies[bodies.length - 1].id };
  }

  private async bodyOf(seq: number): Promise<SpooledEvent> {
    return this.bodies.get(seq) ?? (await this.spool!.readSeq(seq));
  }

  /** Bodies of several events; those only in the spool are read back together (a few large reads). */
  private async bodiesOf(seqs: readonly number[]): Promise<SpooledEvent[]> {
    const bodies = new Array<SpooledEvent>(seqs.length);
    const spooled: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < seqs.length; i++) {
      const body = this.bodies.get(seqs[i]);
      if (body) {
        bodies[i] = body;
      } else {
        spooled.push(seqs[i]);
        at.push(i);
      }
    }
    if (spooled.length > 0) {
      const read = await this.spool!.readSeqs(spooled);
      for (let j = 0; j < read.length; j++) bodies[at[j]] = read[j];
    }
    return bodies;
  }

  // --- outcomes -----------------------------------------------------------------------------

  /** Delivered or dropped, already out of the session's queue: out of the spool and into the right accounting bucket. */
  private settle(session: RemoteSession, seqs: readonly number[], outcome: 'delivered' | DropReason): void {
    if (seqs.length === 0) return;
    this.forget(session, seqs);
    this.queued -= seqs.length;
    this.spool?.ackSeqs(seqs);
    if (outcome === 'delivered') this.accounting.markDelivered(seqs.length);
    else this.accounting.markDropped(seqs.length, outcome);
  }

  /**
   * A spooled event whose record no longer matches its checksum can never be sent: it is dropped
   * (counted, said once per event, without its content) so the rest of its session still goes.
   */
  private dropDamaged(session: RemoteSession, seq: number): void {
    this.options.logger.warn('sessions-api: a spooled event was damaged on disk and cannot be sent; dropped (spool-damaged)');
    this.settle(session, session.queue.removeLeading([seq]), 'spool-damaged');
  }

  private block(session: RemoteSession, record: SessionRecord, reason: 'policy' | 'no-repository'): void {
    record.blocked = reason;
    this.persistRecords();
    if (reason === 'policy') this.options.logger.warn('sessions-api: the service refused a session (403); it stays local only');
    this.dropSession(session, reason === 'policy' ? 'policy-blocked' : 'no-repository');
  }

  private dropSession(session: RemoteSession, reason: DropReason): void {
    session.retryBatch = undefined;
    this.settle(session, session.queue.removeAfter(0), reason);
  }

  private pauseForAuth(): void {
    this.options.logger.warn('sessions-api: the service answered 401; remote export is paused until you sign in again');
    this.setState('paused-auth');
    this.cancelTimer();
  }

  private async deadLetter(session: RemoteSession, seq: number, verdict: Verdict): Promise<void> {
    const { id, json } = await this.bodyOf(seq);
    // The one place that needs the event as an object: a line of the file, as it always was.
    const event = JSON.parse(json) as SessionEvent;
    const line = JSON.stringify({ at: new Date(this.clock.now()).toISOString(), sessionId: session.id, reason: verdict.kind, event }) + '\n';
    const handle = await fs.open(path.join(this.dir, 'dead-letter.jsonl'), 'a', 0o600);
    try {
      await handle.appendFile(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.options.logger.warn(`sessions-api: the service rejected event ${id} (${verdict.kind}); set aside in dead-letter.jsonl`);
    this.settle(session, session.queue.removeLeading([seq]), 'dead-letter');
  }

  private setState(state: RemoteState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.options.onStateChange?.(state);
  }

  /** Writes the id map; changes made while a write runs are coalesced into the next one. */
  private persistRecords(): void {
    this.recordsDirty = true;
    if (this.persisting) return;
    this.persisting = true;
    const file = path.join(this.dir, 'sessions.json');
    this.saving = (async () => {
      while (this.recordsDirty) {
        this.recordsDirty = false;
        await writeFileDurably(file, JSON.stringify(this.records)).catch((err: NodeJS.ErrnoException) =>
          this.options.logger.warn(`sessions-api: could not save the session id map (${err.code ?? err.message})`),
        );
      }
      this.persisting = false;
    })();
  }
}

/** Derived from the event ids: the same batch has the same key, even after a restart. */
function batchKey(sessionId: string, ids: readonly string[]): string {
  const hash = createHash('sha256').update(sessionId);
  for (const id of ids) hash.update('\n').update(id);
  return hash.digest('hex').slice(0, 32);
}

/** Whether `seqs` are still the first events of `queue`: nothing of the batch left it meanwhile. */
function isHead(queue: SeqQueue, seqs: readonly number[]): boolean {
  if (queue.length < seqs.length) return false;
  const head = queue.peek(seqs.length);
  for (let i = 0; i < seqs.length; i++) if (head[i] !== seqs[i]) return false;
  return true;
}

/** `{"events":[…]}` from the events' JSON texts, as `JSON.stringify({ events })` would write it. */
function eventsBody(texts: readonly string[]): string {
  return `{"events":[${texts.join(',')}]}`;
}

/** What a spooled event carries so it can be sent after a restart. */
function metaOf(record: SessionRecord): Record<string, string> {
  const meta: Record<string, string> = {};
  if (record.repository) meta.r = record.repository;
  if (record.level) meta.l = record.level;
  return meta;
}

export interface CreateSessionsApiSinkOptions {
  readonly endpoint: string;
  readonly tokenProvider: () => Promise<string | undefined>;
  readonly stateDir: string;
  readonly githubIds: RepositoryIdResolver;
  readonly logger: Logger;
  readonly maxSpoolBytes?: number;
  readonly enterpriseHosts?: readonly string[];
  readonly onStateChange?: (state: RemoteState) => void;
}

/** The Sessions API destination with the defaults of SPEC §8; pass it in `RelayPipelineDeps.destinations`. */
export function createSessionsApiSink(options: CreateSessionsApiSinkOptions): SessionsApiDestination {
  return new SessionsApiDestination(options);
}
