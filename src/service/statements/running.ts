/**
 * One statement running on this instance: its query opened under a deadline, its result kept
 * in the spool as Spark sends it, its record written as it goes (progress at most every
 * {@link PROGRESS_WRITE_MS}) and when it ends.
 */
import { toProblem } from '../../errors/problem.js';
import { toCatalogueError } from '../../errors/to-catalogue.js';
import { ProgressTracker } from '../../spark/progress.js';
import { withinDeadline } from '../deadline.js';
import type { OpenResult } from '../open-result.js';
import { manifestOf } from './manifest.js';
import { folderOf, type StatementRecords } from './records.js';
import type { KeepResult, KeptResult } from './result-source.js';
import type { ResultStore } from './result-store.js';
import type { StatementRecord } from './statement.js';

/** Opens a statement's result, its progress reported to `progress`. */
export type StatementOpener = (signal: AbortSignal, progress: ProgressTracker) => Promise<OpenResult>;

const PROGRESS_WRITE_MS = 250;

export interface RunContext {
  readonly records: StatementRecords;
  readonly keep: KeepResult;
  readonly results: ResultStore;
  /** The row limit (Spark is asked for one more) and the deadline for the first row. */
  readonly maxRows: number;
  readonly timeoutMs: number;
}

export class RunningStatement {
  #record: StatementRecord;
  readonly #context: RunContext;
  readonly #controller = new AbortController();
  readonly #progress = new ProgressTracker();
  readonly #listeners = new Set<() => void>();
  #kept: KeptResult | undefined;
  #writing: Promise<void> = Promise.resolve();
  #lastWrite = 0;
  #stopped = false;
  /** Settles when the statement has ended and its last record is written. */
  readonly ended: Promise<void>;

  constructor(record: StatementRecord, context: RunContext, open: StatementOpener) {
    this.#record = record;
    this.#context = context;
    this.#progress.onChange(() => {
      if (this.#record.state === 'PENDING') this.#update({ state: 'RUNNING' });
      else if (Date.now() - this.#lastWrite >= PROGRESS_WRITE_MS) this.#update({});
    });
    this.ended = this.#run(open);
  }

  get record(): StatementRecord {
    return { ...this.#record, progress: this.#progressNow() };
  }

  /** Where its objects are in the store. */
  get #folder(): string {
    return folderOf(this.#record.tenant, this.#record.id);
  }

  /** Bytes of the result kept so far. */
  get bytes(): number {
    return this.#kept?.bytes ?? 0;
  }

  /** Settles once the record as it is now is written. */
  written(): Promise<void> {
    return this.#writing;
  }

  /** Calls `listener` after each change of the record; returns the unsubscriber. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops the statement (and its Spark job), deletes its result and records `state`. */
  async stop(state: 'CANCELED' | 'EXPIRED'): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#controller.abort(new Error(`statement ${state.toLowerCase()}`));
      // The result goes first: whoever sees the new state finds no data left.
      await this.#kept?.release().catch(() => undefined);
      await this.#context.results.delete(this.#folder).catch(() => undefined);
      this.#update({ state, endedAt: Date.now(), manifest: undefined, layouts: undefined });
    }
    await this.#writing;
  }

  async #run(open: StatementOpener): Promise<void> {
    const { maxRows, timeoutMs, keep, results } = this.#context;
    this.#update({});
    let result: OpenResult;
    try {
      result = await withinDeadline(timeoutMs, this.#controller.signal, (signal) =>
        open(signal, this.#progress),
      );
    } catch (err) {
      if (!this.#stopped) this.#fail(err, timeoutMs);
      return this.#writing;
    }
    if (this.#stopped) {
      await result.close();
      return this.#writing;
    }
    let kept: KeptResult;
    try {
      kept = keep(this.#record.id, result.schema, result.payloads, (reason) => {
        this.#controller.abort(reason);
      });
    } catch (err) {
      await result.close();
      this.#fail(err, timeoutMs);
      return this.#writing;
    }
    this.#kept = kept;
    this.#update({ state: 'RUNNING' });
    await kept.settled;
    if (this.#halted()) return this.#writing;
    if (kept.state !== 'complete') {
      this.#fail(kept.error, timeoutMs);
      return this.#writing;
    }
    try {
      const layouts = await results.persist(this.#folder, kept);
      if (this.#halted()) {
        await this.#writing;
        return;
      }
      const manifest = manifestOf(kept.schema, kept.chunks(), kept, maxRows);
      this.#update({ state: 'SUCCEEDED', endedAt: Date.now(), manifest, layouts });
    } catch (err) {
      this.#fail(err, timeoutMs);
      await results.delete(this.#folder).catch(() => undefined);
    }
    // The store holds it now, for every instance.
    await kept.release().catch(() => undefined);
    return this.#writing;
  }

  /** Stopped by `stop()` (a method, as the flag changes while `#run` awaits). */
  #halted(): boolean {
    return this.#stopped;
  }

  #fail(err: unknown, timeoutMs: number): void {
    const error = toProblem(toCatalogueError(err, { timeoutMs }));
    this.#update({ state: 'FAILED', endedAt: Date.now(), error });
    void this.#kept?.release();
  }

  #progressNow(): StatementRecord['progress'] {
    const p = this.#progress.snapshot();
    return {
      stagesDone: p.stagesDone,
      stagesTotal: p.stagesTotal,
      tasksDone: p.tasksDone,
      tasksTotal: p.tasksTotal,
      tasksRunning: p.tasksRunning,
      bytesRead: p.bytesRead,
      rows: Math.min(this.#kept?.rows ?? 0, this.#context.maxRows),
      elapsedMs: (this.#record.endedAt ?? Date.now()) - this.#record.createdAt,
    };
  }

  /** Changes the record, then writes it (writes in order; the last one has the final state). */
  #update(change: Partial<StatementRecord>): void {
    if (
      this.#stopped &&
      change.state !== undefined &&
      change.state !== 'CANCELED' &&
      change.state !== 'EXPIRED'
    )
      return;
    this.#record = { ...this.#record, ...change };
    this.#lastWrite = Date.now();
    const record = this.record;
    this.#record = record;
    this.#writing = this.#writing.then(() => this.#context.records.write(record)).catch(() => undefined);
    for (const listener of this.#listeners) listener();
  }
}
