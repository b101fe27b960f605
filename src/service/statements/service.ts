/**
 * Statements: queries run in the background, their results kept in the spool until they
 * expire, each seen only by the principal that submitted it. Records live in the spool's store,
 * so instances sharing it answer for each other's statements; the instance running one stops
 * it when any instance leaves a cancel marker.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from '../../auth/principal.js';
import { DEFAULT_TENANT } from '../../auth/principal.js';
import { Errors } from '../../errors/catalogue.js';
import { checkQuota, type StatementQuotas } from './quotas.js';
import type { StatementRecords } from './records.js';
import type { KeepResult, ResultSource } from './result-source.js';
import type { ResultStore } from './result-store.js';
import { RunningStatement, type StatementOpener } from './running.js';
import { isFinal, NO_PROGRESS, type StatementRecord } from './statement.js';

export interface StatementSettings extends StatementQuotas {
  readonly ttlMs: number;
  readonly maxRows: number;
  readonly queryTimeoutMs: number;
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
  readonly #running = new Map<string, RunningStatement>();
  /** Results this instance kept for statements that SUCCEEDED, for the tenants' byte quotas. */
  readonly #kept = new Map<string, { readonly tenant: string; readonly bytes: number }>();
  readonly #timer: NodeJS.Timeout;
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    records: StatementRecords,
    results: ResultStore,
    keep: KeepResult,
    settings: StatementSettings,
  ) {
    this.#records = records;
    this.#results = results;
    this.#keep = keep;
    this.#settings = settings;
    this.#timer = setInterval(() => void this.#watch(), POLL_MS).unref();
    const sweepMs = Math.min(60_000, Math.max(1000, settings.ttlMs / 4));
    this.#sweeper = setInterval(() => void this.#sweep(), sweepMs).unref();
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
    const tenant = principal?.tenant ?? DEFAULT_TENANT;
    checkQuota(tenant, this.#usage(tenant), this.#settings);
    const now = Date.now();
    const record: StatementRecord = {
      id: randomUUID(),
      owner: ownerOf(principal),
      tenant,
      state: 'PENDING',
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
    if (!isFinal(record.state)) {
      await this.#records.requestCancel(id);
      return;
    }
    await this.#results.delete(id);
    this.#kept.delete(id);
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
      return { record, source: await this.#results.open(id, record.manifest.chunks, record.layouts ?? []) };
    } catch (err) {
      // Deleted meanwhile: it expired, or was deleted.
      throw new Errors.StatementExpired(id, { cause: err });
    }
  }

  /** Stops every statement this instance runs. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#sweeper);
    await Promise.all([...this.#running.values()].map((r) => r.stop('CANCELED')));
  }

  async #find(principal: Principal | undefined, id: string): Promise<StatementRecord> {
    const record = this.#running.get(id)?.record ?? (await this.#records.read(id));
    if (record === undefined || record.owner !== ownerOf(principal)) throw new Errors.StatementNotFound(id);
    return this.#fresh(record);
  }

  /** The record, expired first if its time is up. */
  async #fresh(record: StatementRecord): Promise<StatementRecord> {
    if (record.state === 'EXPIRED' || Date.now() < record.expiresAt) return record;
    const running = this.#running.get(record.id);
    if (running !== undefined) {
      await running.stop('EXPIRED');
      return running.record;
    }
    await this.#results.delete(record.id);
    this.#kept.delete(record.id);
    const expired = { ...record, state: 'EXPIRED' as const, manifest: undefined, layouts: undefined };
    await this.#records.write(expired);
    return expired;
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
    const { id, tenant, state, manifest } = running.record;
    this.#running.delete(id);
    if (state === 'SUCCEEDED') this.#kept.set(id, { tenant, bytes: manifest?.totalBytes ?? running.bytes });
  }

  #usage(tenant: string): { running: number; bytes: number } {
    let running = 0;
    let bytes = 0;
    for (const statement of this.#running.values()) {
      if (statement.record.tenant !== tenant) continue;
      running++;
      bytes += statement.bytes;
    }
    for (const kept of this.#kept.values()) if (kept.tenant === tenant) bytes += kept.bytes;
    return { running, bytes };
  }

  /**
   * Expires statements whose time is up, whoever ran them, deleting their results; records of
   * statements expired for as long again are removed.
   */
  async #sweep(): Promise<void> {
    try {
      for (const id of await this.#records.ids()) {
        if (this.#running.has(id)) continue;
        const record = await this.#records.read(id);
        if (record === undefined) continue;
        if (Date.now() >= record.expiresAt + this.#settings.ttlMs) await this.#records.remove(id);
        else await this.#fresh(record);
      }
    } catch {
      // Swept again at the next tick.
    }
  }

  /** Stops this instance's statements that another asked to cancel, or whose time is up. */
  async #watch(): Promise<void> {
    for (const [id, running] of this.#running) {
      try {
        if (Date.now() >= running.record.expiresAt) await running.stop('EXPIRED');
        else if (await this.#records.cancelRequested(id)) await running.stop('CANCELED');
      } catch {
        // Looked at again at the next tick.
      }
    }
  }
}

function ownerOf(principal: Principal | undefined): string {
  return principal?.id ?? 'anonymous';
}
