/**
 * Statements: queries run in the background, their results kept in the spool until they
 * expire, each seen only by the principal that submitted it. Records live in the spool's shared
 * folder, so instances sharing it answer for each other's statements; the instance running one
 * stops it when any instance leaves a cancel marker, and a statement whose instance is gone is
 * reported lost. Every instance expires statements whose time is up, whoever ran them.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from '../../auth/principal.js';
import { DEFAULT_TENANT } from '../../auth/principal.js';
import { Errors } from '../../errors/catalogue.js';
import type { StatementCounts, StatementOutcome } from '../../observability/metric-shapes.js';
import { toProblem } from '../../errors/problem.js';
import type { HeartbeatTiming } from '../../spool/instances.js';
import { SpoolNotFoundError, type SpoolStore } from '../../spool/store.js';
import { StatementInstance } from './instance.js';
import { checkQuota, tenantUsage, type StatementQuotas } from './quotas.js';
import { folderOf, StatementRecords } from './records.js';
import type { KeepResult, ResultSource } from './result-source.js';
import { ResultStore } from './result-store.js';
import { RunningStatement, type StatementOpener } from './running.js';
import { isFinal, NO_PROGRESS, type StatementRecord } from './statement.js';

export interface StatementSettings extends StatementQuotas {
  readonly ttlMs: number;
  readonly maxRows: number;
  readonly queryTimeoutMs: number;
}

export interface StatementServiceOptions extends Partial<HeartbeatTiming> {
  /** Told of failures nobody waits for: heartbeats, sweeping. */
  readonly onError?: ((err: unknown) => void) | undefined;
}

export interface SubmitOptions {
  readonly format: string;
  readonly waitMs: number;
  readonly onWaitTimeout: 'CONTINUE' | 'CANCEL';
}

/** How often waiting for another instance's statement, or for cancel markers, looks again. */
const POLL_MS = 200;

export class StatementService {
  readonly #records: StatementRecords;
  readonly #keep: KeepResult;
  readonly #results: ResultStore;
  readonly #settings: StatementSettings;
  readonly #instance: StatementInstance;
  readonly #running = new Map<string, RunningStatement>();
  readonly #outcomes: Record<StatementOutcome, number> = {
    succeeded: 0,
    failed: 0,
    canceled: 0,
    expired: 0,
    lost: 0,
  };
  readonly #onError: (err: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #sweeper: NodeJS.Timeout;

  /** Statements whose objects are in `store`; expired ones are swept at once, and then regularly. */
  constructor(
    store: SpoolStore,
    keep: KeepResult,
    settings: StatementSettings,
    options: StatementServiceOptions = {},
  ) {
    this.#records = new StatementRecords(store);
    this.#results = new ResultStore(store);
    this.#keep = keep;
    this.#settings = settings;
    this.#onError = options.onError ?? (() => undefined);
    const timing = { heartbeatMs: options.heartbeatMs ?? 10_000, staleMs: options.staleMs ?? 60_000 };
    this.#instance = new StatementInstance(store, timing, this.#onError);
    this.#timer = setInterval(() => void this.#watch(), POLL_MS).unref();
    const sweepMs = Math.min(60_000, Math.max(1000, settings.ttlMs / 4));
    this.#sweeper = setInterval(() => void this.#sweep(), sweepMs).unref();
    void this.#sweep();
  }

  /**
   * Starts a statement, then waits up to `waitMs` for it to end (stopping it then, on CANCEL);
   * `ended` says whether it ended within the wait.
   */
  async submit(
    principal: Principal | undefined,
    open: StatementOpener,
    options: SubmitOptions,
  ): Promise<{ record: StatementRecord; ended: boolean }> {
    const tenant = tenantOf(principal);
    checkQuota(tenant, await this.#usage(tenant), this.#settings);
    await this.#instance.beat();
    const now = Date.now();
    const record: StatementRecord = {
      id: randomUUID(),
      owner: ownerOf(principal),
      tenant,
      state: 'PENDING',
      instance: this.#instance.name,
      createdAt: now,
      expiresAt: now + this.#settings.ttlMs,
      format: options.format,
      progress: NO_PROGRESS,
    };
    const { maxRows, queryTimeoutMs: timeoutMs } = this.#settings;
    const running = new RunningStatement(
      record,
      { records: this.#records, keep: this.#keep, results: this.#results, maxRows, timeoutMs },
      open,
    );
    this.#running.set(record.id, running);
    void running.ended.then(() => {
      this.#settle(running);
    });
    const ended = await this.#waitLocal(running, options.waitMs, true);
    if (!ended && options.onWaitTimeout === 'CANCEL') await running.stop('CANCELED');
    // Any instance sharing the store knows of it before its id is handed out.
    await running.written();
    return { record: running.record, ended };
  }

  /** A statement of the principal; with `waitMs`, once its state changes or the time is up. */
  async get(principal: Principal | undefined, id: string, waitMs = 0): Promise<StatementRecord> {
    const record = await this.#find(principal, id);
    if (waitMs <= 0 || isFinal(record.state)) return record;
    const running = this.#running.get(id);
    if (running !== undefined) {
      await this.#waitLocal(running, waitMs, false);
      return this.#fresh(running.record);
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(POLL_MS, deadline - Date.now()));
      const now = await this.#find(principal, id);
      if (now.state !== record.state) return now;
    }
    return this.#find(principal, id);
  }

  /** Stops a statement if it runs (on whichever instance) and deletes its result. */
  async cancel(principal: Principal | undefined, id: string): Promise<void> {
    const record = await this.#find(principal, id);
    const running = this.#running.get(id);
    if (running !== undefined) return running.stop('CANCELED');
    const folder = folderOf(record.tenant, id);
    if (!isFinal(record.state)) {
      await this.#records.requestCancel(folder);
      return;
    }
    await this.#results.delete(folder);
    if (record.state === 'SUCCEEDED') {
      await this.#records.write({ ...record, state: 'CANCELED', manifest: undefined, layouts: undefined });
    }
  }

  /** The result of a statement that SUCCEEDED; 409 before, 410 once it expired. */
  async result(
    principal: Principal | undefined,
    id: string,
  ): Promise<{ record: StatementRecord; source: ResultSource }> {
    const record = await this.#find(principal, id);
    if (record.state === 'EXPIRED') throw new Errors.StatementExpired(id);
    if (record.state !== 'SUCCEEDED' || record.manifest === undefined) {
      throw new Errors.StatementNotReady(
        `statement "${id}" is ${record.state}: only a SUCCEEDED statement has a result`,
      );
    }
    try {
      const folder = folderOf(record.tenant, id);
      return {
        record,
        source: await this.#results.open(folder, record.manifest.chunks, record.layouts ?? []),
      };
    } catch (err) {
      // Deleted meanwhile: it expired, or was deleted. Any other failure is the store's (503).
      if (err instanceof SpoolNotFoundError) throw new Errors.StatementExpired(id, { cause: err });
      throw err;
    }
  }

  /** What the metrics read. */
  stats(): StatementCounts {
    let [pending, running] = [0, 0];
    for (const statement of this.#running.values()) {
      if (statement.record.state === 'PENDING') pending++;
      else running++;
    }
    return { pending, running, outcomes: { ...this.#outcomes }, chunkReads: this.#results.chunkReads };
  }

  /** Stops every statement this instance runs, then its heartbeat. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#sweeper);
    await Promise.all([...this.#running.values()].map((r) => r.stop('CANCELED')));
    await this.#instance.stop().catch(this.#onError);
  }

  async #find(principal: Principal | undefined, id: string): Promise<StatementRecord> {
    const record =
      this.#running.get(id)?.record ?? (await this.#records.read(folderOf(tenantOf(principal), id)));
    if (record === undefined || record.owner !== ownerOf(principal)) throw new Errors.StatementNotFound(id);
    return this.#fresh(record);
  }

  /** The record, expired first if its time is up, or failed if its instance is gone. */
  async #fresh(record: StatementRecord): Promise<StatementRecord> {
    if (record.state === 'EXPIRED') return record;
    const running = this.#running.get(record.id);
    if (Date.now() < record.expiresAt) {
      if (running !== undefined || isFinal(record.state) || !(await this.#lost(record))) return record;
      return this.#end(record, {
        state: 'FAILED',
        endedAt: Date.now(),
        error: toProblem(new Errors.StatementLost(record.id)),
      });
    }
    if (running !== undefined) {
      await running.stop('EXPIRED');
      return running.record;
    }
    return this.#end(record, { state: 'EXPIRED' });
  }

  /** Whether the instance running a statement another instance recorded is gone. */
  async #lost(record: StatementRecord): Promise<boolean> {
    return record.instance !== undefined && (await this.#instance.gone(record.instance));
  }

  /** Ends a statement that no instance runs: its result goes first, then its record says how. */
  async #end(record: StatementRecord, change: Partial<StatementRecord>): Promise<StatementRecord> {
    await this.#results.delete(folderOf(record.tenant, record.id));
    const ended: StatementRecord = { ...record, ...change, manifest: undefined, layouts: undefined };
    await this.#records.write(ended);
    if (ended.state === 'FAILED') this.#outcomes.lost++;
    return ended;
  }

  /** Resolves true when the statement has ended, false when `waitMs` passed first. */
  #waitLocal(running: RunningStatement, waitMs: number, untilFinal: boolean): Promise<boolean> {
    const from = running.record.state;
    return new Promise((resolve) => {
      const done = (ended: boolean) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(ended);
      };
      const timer = setTimeout(() => {
        done(isFinal(running.record.state));
      }, waitMs);
      const check = () => {
        const { state } = running.record;
        if (isFinal(state) || (!untilFinal && state !== from)) done(isFinal(state));
      };
      const unsubscribe = running.onChange(check);
      check();
    });
  }

  #settle(running: RunningStatement): void {
    const { id, state } = running.record;
    this.#running.delete(id);
    if (isFinal(state)) this.#outcomes[state.toLowerCase() as Exclude<StatementOutcome, 'lost'>]++;
  }

  /** What the tenant holds on every instance sharing the store (see quotas.ts). */
  #usage(tenant: string): Promise<{ running: number; bytes: number }> {
    // A statement stopped here counts no more, even while its Spark job is still ending.
    const local = [...this.#running.values()].filter(
      (r) => r.record.tenant === tenant && !isFinal(r.record.state),
    );
    return tenantUsage(tenant, local, this.#records, (record) => this.#lost(record));
  }

  /**
   * Expires statements whose time is up, whoever ran them, deleting their results, and fails
   * those whose instance is gone; records of statements expired for as long again are removed,
   * and so are folders left without a record (a removal that was cut short).
   */
  async #sweep(): Promise<void> {
    try {
      for (const { folder, recorded } of await this.#records.list()) {
        const record = recorded ? await this.#records.read(folder) : undefined;
        if (record === undefined) {
          await this.#records.remove(folder);
          continue;
        }
        if (this.#running.has(record.id)) continue;
        if (Date.now() >= record.expiresAt + this.#settings.ttlMs) await this.#records.remove(folder);
        else await this.#fresh(record);
      }
      await this.#instance.sweep();
    } catch (err) {
      // Swept again at the next tick.
      this.#onError(err);
    }
  }

  /** Stops this instance's statements that another asked to cancel, or whose time is up. */
  async #watch(): Promise<void> {
    for (const [id, running] of this.#running) {
      try {
        if (Date.now() >= running.record.expiresAt) await running.stop('EXPIRED');
        else if (await this.#records.cancelRequested(folderOf(running.record.tenant, id)))
          await running.stop('CANCELED');
      } catch {
        // Looked at again at the next tick.
      }
    }
  }
}

function tenantOf(principal: Principal | undefined): string {
  return principal?.tenant ?? DEFAULT_TENANT;
}

function ownerOf(principal: Principal | undefined): string {
  return principal?.id ?? 'anonymous';
}
