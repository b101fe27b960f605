/**
 * Whole answers to dataset queries, for GraphQL: identical queries in flight run once, and
 * answers are cached per dataset TTL in an LRU bounded by their size. The key is the plan's
 * fingerprint (parameters included) with the tenant and the row cap.
 */
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import type { JsonAnswer } from '../encode/json-answer.js';
import type { Plan } from '../gen/spark/connect/base_pb.js';
import { planFingerprint } from '../plan/fingerprint.js';
import type { QuerySpec } from '../query/spec.js';
import type { AnswerLimits } from './limits.js';
import type { QueryService } from './query-service.js';
import { wholeAnswer } from './result-flow.js';

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

export interface CacheOptions {
  /** Total size of cached answers. */
  readonly maxBytes: number;
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
  readonly #cache: LRUCache<string, BufferedResult>;
  readonly #inFlight = new Map<string, Promise<BufferedResult>>();

  constructor(queries: QueryService, limits: AnswerLimits, cache: CacheOptions) {
    this.#queries = queries;
    this.#limits = limits;
    this.#cache = new LRUCache<string, BufferedResult>({
      maxSize: Math.max(1, cache.maxBytes),
      sizeCalculation: (result) => Math.max(1, result.bytes),
      // Answers bigger than the whole cache are not kept.
      maxEntrySize: Math.max(1, cache.maxBytes),
      ttlAutopurge: false,
    });
  }

  get limits(): AnswerLimits {
    return this.#limits;
  }

  async run(request: RunRequest): Promise<Answer> {
    const { dataset, spec, tenant, principal } = request;
    const maxRows = this.#limits.maxRows;
    const plan = await this.#queries.compileDataset(dataset, spec, request.signal, maxRows, principal);
    const key = planFingerprint(plan, [tenant, String(maxRows)]);
    const ttlMs = this.#queries.catalog.dataset(dataset).cacheTtlSeconds * 1000;

    if (ttlMs > 0 && request.bypassCache !== true) {
      const cached = this.#cache.get(key);
      if (cached !== undefined) {
        this.stats.hits++;
        return { ...cached, cached: true, ageMs: Date.now() - cached.at };
      }
    }
    let running = this.#inFlight.get(key);
    if (running === undefined) {
      this.stats.misses++;
      running = this.#execute(plan, principal);
      this.#inFlight.set(key, running);
      void running
        .then(
          (result) => {
            if (ttlMs > 0) this.#cache.set(key, result, { ttl: ttlMs });
          },
          () => undefined,
        )
        .finally(() => {
          this.#inFlight.delete(key);
        });
    } else {
      this.stats.joined++;
    }
    const result = await running;
    return { ...result, cached: false, ageMs: 0 };
  }

  /**
   * One execution shared by everyone asking the same: it is bounded by the query deadline,
   * not by any one requester leaving.
   */
  async #execute(plan: Plan, principal: Principal | undefined): Promise<BufferedResult> {
    const { queryTimeoutMs, ...limits } = this.#limits;
    const started = performance.now();
    this.stats.executions++;
    const answer = await wholeAnswer((signal) => this.#queries.openPlan(plan, { signal, principal }), {
      timeoutMs: queryTimeoutMs,
      limits,
    });
    return { ...answer, elapsedMs: performance.now() - started, at: Date.now() };
  }

  /** Forgets every cached answer. */
  clear(): void {
    this.#cache.clear();
  }
}
