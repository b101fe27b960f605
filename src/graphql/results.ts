import { createHash } from 'node:crypto';
import { toBinary } from '@bufbuild/protobuf';
import { LRUCache } from 'lru-cache';
import { encodeJson } from '../encode/json.js';
import { encodeStats } from '../encode/stats.js';
import { Errors } from '../errors/catalogue.js';
import { PlanSchema } from '../gen/spark/connect/base_pb.js';
import type { Principal } from '../auth/principal.js';
import type { QuerySpec } from '../query/spec.js';
import type { SessionPool } from '../spark/pool.js';
import type { QueryService } from '../service/query-service.js';
import { openResult } from '../service/run-query.js';

/** A whole (bounded) answer, as GraphQL returns it. */
export interface BufferedResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number;
  readonly truncated: boolean;
  /** How long Spark took to produce it. */
  readonly elapsedMs: number;
  /** When it was produced (`Date.now()`). */
  readonly at: number;
  /** Size of its JSON text, what the cache counts. */
  readonly bytes: number;
}

export interface Answer extends BufferedResult {
  readonly cached: boolean;
  /** Age of a cached answer. */
  readonly ageMs: number;
}

export interface ResultLimits {
  /** Rows of one field's answer at most; beyond, the answer says `truncated`. */
  readonly maxRows: number;
  /** Bytes of one field's JSON at most. */
  readonly maxBytes: number;
  readonly queryTimeoutMs: number;
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

/**
 * Runs dataset queries for GraphQL: whole answers within limits, identical queries in flight
 * executed once, and answers cached per dataset TTL in an LRU bounded by bytes. The key is the
 * compiled plan (parameters included, as literals and arguments), the row limit and the tenant.
 */
export class ResultRunner {
  readonly stats: ResultStats = { hits: 0, misses: 0, joined: 0, executions: 0 };
  readonly #queries: QueryService;
  readonly #limits: ResultLimits;
  readonly #cache: LRUCache<string, BufferedResult>;
  readonly #inFlight = new Map<string, Promise<BufferedResult>>();

  constructor(queries: QueryService, limits: ResultLimits, cache: CacheOptions) {
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

  get limits(): ResultLimits {
    return this.#limits;
  }

  async run(request: RunRequest): Promise<Answer> {
    const { dataset, spec, tenant } = request;
    const maxRows = this.#limits.maxRows;
    const { principal } = request;
    const plan = await this.#queries.compileDataset(dataset, spec, request.signal, maxRows, principal);
    const key = createHash('sha256')
      .update(tenant)
      .update('\0')
      .update(String(maxRows))
      .update('\0')
      .update(toBinary(PlanSchema, plan))
      .digest('base64url');
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
      running = this.#queries.sessions(principal).then((pool) => this.#execute(pool, plan));
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
   * One execution shared by everyone asking the same: it is bounded by the query timeout,
   * not by any one requester leaving.
   */
  async #execute(pool: SessionPool, plan: Parameters<typeof openResult>[1]): Promise<BufferedResult> {
    const { maxRows, maxBytes, queryTimeoutMs } = this.#limits;
    const started = performance.now();
    const signal = AbortSignal.timeout(queryTimeoutMs);
    this.stats.executions++;
    let open;
    try {
      open = await openResult(pool, plan, { signal });
    } catch (err) {
      if (signal.aborted) throw new Errors.QueryTimeout(queryTimeoutMs, { cause: err });
      throw err;
    }
    const stats = encodeStats();
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeJson(open.schema, open.batches, { maxRows, maxBytes, stats })) {
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks);
    const document = JSON.parse(text.toString('utf8')) as {
      columns: { name: string; type: string }[];
      rows: Record<string, unknown>[];
      rowCount: number;
      truncated: boolean;
    };
    return {
      ...document,
      elapsedMs: performance.now() - started,
      at: Date.now(),
      bytes: text.byteLength,
    };
  }

  /** Forgets every cached answer. */
  clear(): void {
    this.#cache.clear();
  }
}
