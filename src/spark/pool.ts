/** The pool of set-up Spark Connect sessions that queries borrow, renewed before Spark expires them. */
import { setTimeout as sleep } from 'node:timers/promises';
import genericPool, { type Pool } from 'generic-pool';
import { ATTR, traced } from '../observability/tracing.js';
import type { SparkConnectClient } from './client.js';
import { SparkError } from './errors.js';
import { FairQueue, type WaitReason } from './fair-queue.js';
import { needsRenewal, renewalTiming, type RenewalTiming } from './renewal.js';
import { retryOnFreshSession } from './retry.js';
import type { SparkSession } from './session.js';
import { Lease } from './lease.js';
import { PoolClosedError, PoolExhaustedError } from './pool-errors.js';
import { setUpSession, type SessionSetup } from './session-setup.js';
import { discoverSessionTimeout } from './session-timeout.js';

export interface SessionPoolOptions {
  /** Sessions kept open and set up while idle, so requests do not wait for one. */
  readonly min: number;
  readonly max: number;
  /** Most sessions one principal holds at once (at most `max`; `max` when not given). */
  readonly maxPerPrincipal?: number | undefined;
  /** How long a request waits for a free session before {@link PoolExhaustedError}. */
  readonly acquireTimeoutMs: number;
  /** Sessions beyond `min` idle this long are closed. */
  readonly idleEvictMs: number;
  /**
   * Spark's idle session timeout. The server's own value
   * (`spark.connect.session.manager.defaultSessionTimeout`) wins when it is shorter.
   */
  readonly serverSessionTimeoutMs: number;
  readonly setup: SessionSetup;
  /** The Spark user of these sessions (one pool per tenant). */
  readonly userId?: string | undefined;
  /** Deadline for creating and setting up one session. */
  readonly createTimeoutMs?: number;
  readonly onEvent?: (event: PoolEvent) => void;
}

export type PoolEvent =
  | { readonly type: 'created'; readonly sessionId: string }
  | { readonly type: 'destroyed'; readonly sessionId: string; readonly reason: DestroyReason }
  | { readonly type: 'create-failed'; readonly error: unknown };

/** Why a session left the pool. */
export type DestroyReason = 'renewed' | 'evicted' | 'discarded' | 'retired' | 'closed';

export interface PoolStats {
  readonly min: number;
  readonly max: number;
  /** Sessions open now: in use plus idle. */
  readonly size: number;
  readonly inUse: number;
  readonly idle: number;
  /** Requests waiting for a session. */
  readonly waiting: number;
  /** Requests that had to wait, by why they waited when they arrived. */
  readonly waits: Readonly<Record<WaitReason, number>>;
  readonly created: number;
  readonly renewed: number;
  readonly evicted: number;
  readonly discarded: number;
  /** Sessions closed after the caller's own SQL ran on them. */
  readonly retired: number;
  readonly closed: number;
  readonly createFailures: number;
}

/**
 * Spark Connect sessions on generic-pool. Sessions are set up once (configs, views) and
 * reused FIFO. Renewal is generic-pool's evictor: a session idle for most of Spark's timeout
 * is destroyed and, while the pool is at its minimum, replaced in the background; one that
 * reaches a borrower close to expiry is replaced then (test-on-borrow). A session the server
 * forgot is discarded by its lease. A {@link FairQueue} in front decides who borrows next: a
 * share per principal, and those waiting served round-robin across principals.
 */
export class SessionPool {
  readonly #client: SparkConnectClient;
  readonly #options: SessionPoolOptions;
  readonly #timing: RenewalTiming;
  readonly #pool: Pool<SparkSession>;
  readonly #queue: FairQueue;
  readonly #leases = new Set<Lease>();
  readonly #shutdown = new AbortController();
  readonly #discarded = new WeakSet<SparkSession>();
  readonly #retired = new WeakSet<SparkSession>();
  readonly #counts = {
    created: 0,
    renewed: 0,
    evicted: 0,
    discarded: 0,
    retired: 0,
    closed: 0,
    createFailures: 0,
  };
  #createFailuresInRow = 0;
  /** Sessions created and not yet destroyed (generic-pool's size also counts creations in flight). */
  #live = 0;
  #lastCreateFailure: { readonly error: unknown; readonly at: number } | undefined;
  #createWaiters = new Set<(error: unknown) => void>();
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  private constructor(client: SparkConnectClient, options: SessionPoolOptions, serverTimeoutMs: number) {
    this.#client = client;
    this.#options = options;
    this.#timing = renewalTiming(serverTimeoutMs);
    this.#queue = new FairQueue({
      capacity: options.max,
      perPrincipal: options.maxPerPrincipal ?? options.max,
      timeoutMs: options.acquireTimeoutMs,
    });
    this.#pool = genericPool.createPool<SparkSession>(
      {
        create: () => this.#create(),
        destroy: (session) => this.#destroy(session),
        validate: (session) => Promise.resolve(this.#usable(session)),
      },
      {
        min: options.min,
        max: options.max,
        acquireTimeoutMillis: options.acquireTimeoutMs,
        fifo: true,
        testOnBorrow: true,
        idleTimeoutMillis: this.#timing.renewAfterIdleMs,
        softIdleTimeoutMillis: options.idleEvictMs,
        evictionRunIntervalMillis: this.#timing.checkEveryMs,
        numTestsPerEvictionRun: options.max,
        autostart: true,
      },
    );
  }

  /**
   * Creates the pool. Asks Spark for its session timeout first (with a short deadline: a
   * server that is down now does not stop the service from starting).
   */
  static async start(client: SparkConnectClient, options: SessionPoolOptions): Promise<SessionPool> {
    const serverTimeoutMs = await discoverSessionTimeout(client, options);
    return new SessionPool(client, options, serverTimeoutMs);
  }

  /** The renewal schedule in force. */
  get timing(): RenewalTiming {
    return this.#timing;
  }

  /**
   * Borrows a session for a principal (the service's own work when none is given). Waits at
   * most `acquireTimeoutMs` ({@link PoolExhaustedError}, or {@link PrincipalBusyError} while
   * the principal holds its share); fails at once with Spark's error when no session exists
   * and creating one fails (Spark is down).
   */
  acquire(signal?: AbortSignal, principal = ''): Promise<Lease> {
    return traced('spark.session.lease', {}, async (span) => {
      const lease = await this.#acquire(signal, principal);
      span.setAttribute(ATTR.sessionId, lease.session.sessionId);
      return lease;
    });
  }

  async #acquire(signal: AbortSignal | undefined, principal: string): Promise<Lease> {
    if (this.#closing) throw new PoolClosedError('the service is shutting down');
    signal?.throwIfAborted();
    // While Spark is known to be down (no session, the last attempt just failed), say so at once.
    const failure = this.#lastCreateFailure;
    if (this.#live === 0 && failure !== undefined && Date.now() - failure.at < 1_000) {
      throw failure.error instanceof Error ? failure.error : new Error(String(failure.error));
    }
    const turn = await this.#queue.enter(principal, signal);
    const pending = this.#pool.acquire();
    // Each waiter listens on a signal of its own, so any number of them may share the caller's
    // (a GraphQL request's, or the deadline of describing every dataset at start).
    const waiting = signal === undefined ? undefined : AbortSignal.any([signal]);
    const session = await new Promise<SparkSession>((resolve, reject) => {
      const settle = () => {
        waiting?.removeEventListener('abort', onAbort);
        this.#createWaiters.delete(onCreateFailed);
      };
      const onAbort = () => {
        settle();
        reject(signal?.reason as Error);
      };
      const onCreateFailed = (error: unknown) => {
        // With sessions open, one may come free; with none, waiting is pointless.
        if (this.#live > 0) return;
        settle();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      waiting?.addEventListener('abort', onAbort, { once: true });
      this.#createWaiters.add(onCreateFailed);
      pending.then(
        (s) => {
          settle();
          resolve(s);
        },
        (err: unknown) => {
          settle();
          if (!(err instanceof Error)) reject(new Error(String(err)));
          else if (err.name === 'TimeoutError')
            reject(new PoolExhaustedError(`all ${this.#options.max} Spark sessions are busy`));
          else reject(err);
        },
      );
    }).catch((err: unknown) => {
      // Whoever stopped waiting, a session that arrives later goes straight back.
      pending.then((s) => this.#pool.release(s)).catch(() => undefined);
      turn.release();
      throw err;
    });
    // A lease's own signal: what listens on it never accumulates on the pool's shutdown signal.
    const leaseSignal = AbortSignal.any(signal ? [signal, this.#shutdown.signal] : [this.#shutdown.signal]);
    const lease = new Lease(session, leaseSignal, (l, end) => {
      // The session is back in the pool before the next in line is let in.
      const back = this.#giveBack(l, end);
      turn.release();
      return back;
    });
    this.#leases.add(lease);
    return lease;
  }

  /**
   * Runs `fn` with a leased session. When the server no longer knows the session (expired,
   * released, restarted), the session is discarded and `fn` runs once more on a fresh one.
   * For calls whose result is not delivered piecemeal; streams decide that themselves.
   */
  async withSession<T>(
    fn: (session: SparkSession, signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const lease = await this.acquire(signal);
      try {
        return await fn(lease.session, lease.signal);
      } catch (err) {
        if (err instanceof SparkError && err.sessionGone) lease.discard();
        if (!retryOnFreshSession(err, { resultStarted: false, attempt })) throw err;
      } finally {
        await lease.release();
      }
    }
  }

  stats(): PoolStats {
    return {
      min: this.#pool.min,
      max: this.#pool.max,
      size: this.#pool.size,
      inUse: this.#pool.borrowed,
      idle: this.#pool.available,
      waiting: this.#queue.waiting + this.#pool.pending,
      waits: this.#queue.waits,
      ...this.#counts,
    };
  }

  /**
   * Stops lending, lets leases finish for `graceMs`, aborts the rest (their executions are
   * interrupted), then closes every session on the server.
   */
  close(graceMs: number): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.race([this.#allReturned(), sleep(graceMs)]);
      this.#shutdown.abort(new PoolClosedError('the service is shutting down'));
      this.#queue.close(new PoolClosedError('the service is shutting down'));
      await Promise.race([this.#allReturned(), sleep(10_000)]);
      // drain() also waits for requests their callers gave up on (they time out on their own).
      await Promise.race([this.#pool.drain(), sleep(1_000)]);
      await this.#pool.clear();
    })();
    return this.#closing;
  }

  async #create(): Promise<SparkSession> {
    const session = this.#client.newSession(
      this.#options.userId === undefined ? {} : { userId: this.#options.userId },
    );
    try {
      await setUpSession(
        session,
        this.#options.setup,
        AbortSignal.timeout(this.#options.createTimeoutMs ?? 30_000),
      );
    } catch (err) {
      this.#counts.createFailures++;
      this.#lastCreateFailure = { error: err, at: Date.now() };
      this.#options.onEvent?.({ type: 'create-failed', error: err });
      for (const waiter of this.#createWaiters) waiter(err);
      // generic-pool tries again at once; back off so a down server is not hammered.
      await sleep(Math.min(100 * 2 ** this.#createFailuresInRow++, 5_000));
      await session.release().catch(() => undefined);
      throw err;
    }
    this.#createFailuresInRow = 0;
    this.#lastCreateFailure = undefined;
    this.#live++;
    this.#counts.created++;
    this.#options.onEvent?.({ type: 'created', sessionId: session.sessionId });
    return session;
  }

  async #destroy(session: SparkSession): Promise<void> {
    const reason: DestroyReason = this.#closing
      ? 'closed'
      : this.#discarded.has(session)
        ? 'discarded'
        : this.#retired.has(session)
          ? 'retired'
          : needsRenewal(session.lastUsedAt, Date.now(), this.#timing)
            ? 'renewed'
            : 'evicted';
    this.#live--;
    this.#counts[reason]++;
    this.#options.onEvent?.({ type: 'destroyed', sessionId: session.sessionId, reason });
    // A discarded session is already gone on the server.
    if (reason !== 'discarded') await session.release().catch(() => undefined);
  }

  #usable(session: SparkSession): boolean {
    return !this.#discarded.has(session) && !needsRenewal(session.lastUsedAt, Date.now(), this.#timing);
  }

  async #giveBack(lease: Lease, end: 'discard' | 'retire' | undefined): Promise<void> {
    this.#leases.delete(lease);
    if (this.#leases.size === 0) this.#drained?.();
    if (end !== undefined) {
      (end === 'discard' ? this.#discarded : this.#retired).add(lease.session);
      await this.#pool.destroy(lease.session);
    } else {
      await this.#pool.release(lease.session);
    }
  }

  #allReturned(): Promise<void> {
    if (this.#leases.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}
