/**
 * Whole answers to dataset queries, for GraphQL: identical queries in flight run once, and
 * results of datasets with a TTL are reused from the result cache (the one HTTP fills too),
 * their rows read again from the spool. The key is the plan's fingerprint with the tenant.
 */
import type { Principal } from '../auth/principal.js';
import { jsonAnswer, type JsonAnswer } from '../encode/json-answer.js';
import type { QuerySpec } from '../query/spec.js';
import type { Spool } from '../spool/types.js';
import { withinDeadline } from './deadline.js';
import type { AnswerLimits } from './limits.js';
import type { QueryService } from './query-service.js';
import type { ResultCache } from './result-cache.js';
import { compileReusable, keptResult, openReusable, type ReusableQuery } from './result-reuse.js';

/** A whole (bounded) answer, as GraphQL returns it; its `bytes` are what the cache counts. */
export interface BufferedResult extends JsonAnswer {
  /** How long Spark took to produce it. */
  readonly elapsedMs: number;
  /** When it was produced (`Date.now()`). */
  readonly at: number;
}

export interface Answer extends BufferedResult {
  readonly cached: boolean;
  /** Age of a cached answer. */
  readonly ageMs: number;
}

/** Where results are kept for reuse. */
export interface Reuse {
  readonly spool: Spool;
  readonly cache: ResultCache;
}

export interface RunRequest {
  readonly dataset: string;
  readonly spec: QuerySpec;
  /** Whose answer it is: answers are never shared across tenants. */
  readonly tenant: string;
  /** Who asks: access, row filters and the sessions that run it follow from it. */
  readonly principal?: Principal | undefined;
  /** Skip the cache (the fresh answer still replaces the cached one). */
  readonly bypassCache?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Counters for metrics and tests. */
export interface ResultStats {
  hits: number;
  misses: number;
  /** Requests that joined an identical one already running. */
  joined: number;
  executions: number;
}

/** Runs dataset queries to whole answers, shared and cached (see the module comment). */
export class ResultRunner {
  readonly stats: ResultStats = { hits: 0, misses: 0, joined: 0, executions: 0 };
  readonly #queries: QueryService;
  readonly #limits: AnswerLimits;
  readonly #reuse: Reuse;
  readonly #inFlight = new Map<string, Promise<BufferedResult>>();

  constructor(queries: QueryService, limits: AnswerLimits, reuse: Reuse) {
    this.#queries = queries;
    this.#limits = limits;
    this.#reuse = reuse;
  }

  get limits(): AnswerLimits {
    return this.#limits;
  }

  async run(request: RunRequest): Promise<Answer> {
    const { dataset, spec, tenant, principal } = request;
    const query = await compileReusable(
      this.#queries,
      { dataset, spec, tenant, principal },
      request.signal,
      this.#limits.maxRows,
    );
    const reused = query.ttlMs > 0 && this.#reuse.cache.maxBytes > 0;
    if (reused && request.bypassCache !== true) {
      const cached = await this.#cached(query);
      if (cached !== undefined) {
        this.stats.hits++;
        return { ...cached, cached: true, ageMs: Date.now() - cached.at };
      }
    }
    let running = this.#inFlight.get(query.key);
    if (running === undefined) {
      this.stats.misses++;
      running = this.#execute(query, reused);
      this.#inFlight.set(query.key, running);
      void running
        .catch(() => undefined)
        .finally(() => {
          this.#inFlight.delete(query.key);
        });
    } else {
      this.stats.joined++;
    }
    const result = await running;
    return { ...result, cached: false, ageMs: 0 };
  }

  /** The answer rebuilt from the kept result, if there is one. */
  async #cached(query: ReusableQuery): Promise<BufferedResult | undefined> {
    const kept = this.#reuse.cache.take(query.key);
    if (kept === undefined) return undefined;
    const started = performance.now();
    const result = keptResult(kept);
    const answer = await jsonAnswer(result.schema, result.batches, this.#rowLimits());
    return { ...answer, elapsedMs: performance.now() - started, at: kept.entry.at };
  }

  #rowLimits() {
    const { maxRows, maxBytes } = this.#limits;
    return { maxRows, maxBytes };
  }

  /**
   * One execution shared by everyone asking the same: it is bounded by the query deadline,
   * not by any one requester leaving. With reuse, its result is spooled and kept.
   */
  async #execute(query: ReusableQuery, reused: boolean): Promise<BufferedResult> {
    const { queryTimeoutMs: timeoutMs } = this.#limits;
    const { spool, cache } = this.#reuse;
    const started = performance.now();
    this.stats.executions++;
    const answer = await withinDeadline(timeoutMs, undefined, async (signal) => {
      const result = reused
        ? (await openReusable(query, spool, cache, { signal, timeoutMs, fresh: true })).result
        : await query.open(signal);
      return jsonAnswer(result.schema, result.batches, this.#rowLimits());
    });
    return { ...answer, elapsedMs: performance.now() - started, at: Date.now() };
  }
}
