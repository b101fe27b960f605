/**
 * The result spool: decouples how fast Spark produces results from how fast clients read them.
 * Each instance keeps its results in a folder of its own under the spool directory, within
 * one byte budget over all of them.
 */
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import type { ArrowPayload } from '../arrow/decode.js';
import { Errors } from '../errors/catalogue.js';
import type { SpoolCounts } from '../observability/metric-shapes.js';
import { SpoolBudget } from './budget.js';
import { InstanceFolder, type HeartbeatTiming } from './instances.js';
import { DrainedResult, type ResultLimits } from './result.js';
import { FileSpoolStore, type SpoolStore } from './store.js';
import type { Spool, SpooledResult, SpoolOptions } from './types.js';

export interface SpoolConfig extends ResultLimits {
  /** The directory every instance keeps its folder in. */
  readonly dir: string;
  /** Most bytes all results hold together. */
  readonly maxBytes: number;
}

export interface SpoolStartOptions extends Partial<HeartbeatTiming> {
  /** The store to use instead of files under `dir` (tests inject failures this way). */
  readonly store?: SpoolStore | undefined;
  /** Told of failures nobody waits for: heartbeats, sweeping, deletions. */
  readonly onError?: ((err: unknown) => void) | undefined;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export class ResultSpool implements Spool {
  readonly #config: SpoolConfig;
  readonly #store: SpoolStore;
  readonly #folder: InstanceFolder;
  readonly #budget: SpoolBudget;
  readonly #results = new Set<DrainedResult>();
  #closing: Promise<void> | undefined;

  private constructor(config: SpoolConfig, store: SpoolStore, folder: InstanceFolder, budget: SpoolBudget) {
    this.#config = config;
    this.#store = store;
    this.#folder = folder;
    this.#budget = budget;
  }

  /** Claims a folder for this instance and deletes what instances that are gone left behind. */
  static async start(config: SpoolConfig, options: SpoolStartOptions = {}): Promise<ResultSpool> {
    const store = options.store ?? new FileSpoolStore(config.dir);
    const timing = { heartbeatMs: options.heartbeatMs ?? 10_000, staleMs: options.staleMs ?? 60_000 };
    const budget = new SpoolBudget(config.maxBytes);
    const onError = (err: unknown) => {
      budget.tally.diskErrors++;
      options.onError?.(err);
    };
    const folder = await InstanceFolder.claim(store, randomUUID(), timing, onError);
    return new ResultSpool(config, store, folder, budget);
  }

  /** Starts draining `payloads`, whose iteration holds the Spark session, into a new result. */
  spool(schema: Schema, payloads: AsyncIterable<ArrowPayload>, options: SpoolOptions): SpooledResult {
    if (this.#closing !== undefined) throw new Errors.ShuttingDown();
    const id = options.id ?? randomUUID();
    if (!ID.test(id)) throw new Error(`not a spool result id: ${JSON.stringify(id)}`);
    const result = new DrainedResult(id, schema, payloads, options, {
      store: this.#store,
      prefix: `${this.#folder.name}/${id}`,
      budget: this.#budget,
      limits: this.#config,
      forget: (done) => {
        if (this.#results.delete(done)) this.#budget.tally.results--;
      },
    });
    this.#results.add(result);
    this.#budget.tally.results++;
    return result;
  }

  /**
   * Sets who is told, when a result needs bytes the spool has not got, how many are missing: a
   * cache of results lets go of some, and the waiting result goes on when they are freed.
   */
  whenShort(handler: (bytes: number) => void): void {
    this.#budget.short = handler;
  }

  /** What the spool holds now and has done, for the metrics. */
  stats(): SpoolCounts {
    const { tally } = this.#budget;
    return { ...tally, fallbacks: { ...tally.fallbacks } };
  }

  /**
   * Stops taking results, lets those held be read for `graceMs`, then releases the rest (their
   * readers are told the service is shutting down) and deletes this instance's folder.
   */
  close(graceMs = 0): Promise<void> {
    this.#closing ??= (async () => {
      const deadline = Date.now() + graceMs;
      while (this.#results.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, graceMs)));
      }
      await Promise.all([...this.#results].map((r) => r.release(new Errors.ShuttingDown())));
      await this.#folder.end();
    })();
    return this.#closing;
  }
}
