/**
 * Results reused within their dataset's TTL, for every front door: a request whose result is
 * kept is answered from the spool without Spark; any other is spooled in keep mode as it is
 * read, and kept for the next identical request if it completes whole.
 */
import type { ArrowPayload } from '../arrow/decode.js';
import type { Principal } from '../auth/principal.js';
import { planFingerprint } from '../plan/fingerprint.js';
import type { QuerySpec } from '../query/spec.js';
import type { Spool, SpooledResult } from '../spool/types.js';
import { withinDeadline } from './deadline.js';
import type { QueryService } from './query-service.js';
import type { CachedResult, CacheReader, ResultCache } from './result-cache.js';
import type { FlowOptions } from './result-flow.js';
import { readOnce, type OpenResult } from './open-result.js';

/** A compiled query, ready to open or to be answered from the cache. */
export interface ReusableQuery {
  /** What identifies its result: the plan (parameters and row filters in it) and the tenant. */
  readonly key: string;
  /** How long its result may be reused; 0: never. */
  readonly ttlMs: number;
  readonly open: (signal: AbortSignal) => Promise<OpenResult>;
}

export interface DatasetQuery {
  readonly dataset: string;
  readonly spec: QuerySpec;
  /** Whose result it is: results are never shared across tenants. */
  readonly tenant: string;
  readonly principal?: Principal | undefined;
  readonly tags?: readonly string[] | undefined;
}

/** Validates and compiles a dataset query for at most `maxRows` rows (checking access first). */
export async function compileReusable(
  queries: QueryService,
  query: DatasetQuery,
  signal: AbortSignal | undefined,
  maxRows: number,
): Promise<ReusableQuery> {
  const { dataset, spec, tenant, principal, tags } = query;
  const plan = await queries.compileDataset(dataset, spec, signal, maxRows, principal);
  return {
    key: planFingerprint(plan, [tenant]),
    ttlMs: queries.catalog.dataset(dataset).cacheTtlSeconds * 1000,
    open: (s) => queries.openPlan(plan, { signal: s, tags, principal }),
  };
}

export interface ReusedResult {
  readonly result: OpenResult;
  /** The spooled result read, and when it was produced. */
  readonly entry: CachedResult;
  /** Whether it came from the cache. */
  readonly hit: boolean;
}

/**
 * The kept result of `query`, or a new one spooled in keep mode: the reader reads it as Spark
 * sends it (the session goes back when Spark has finished), and the cache keeps it if it
 * completes whole. The deadline bounds the wait for it to start.
 */
export async function openReusable(
  query: ReusableQuery,
  spool: Spool,
  cache: ResultCache,
  options: Omit<FlowOptions, 'limits'> & { readonly fresh?: boolean | undefined },
): Promise<ReusedResult> {
  const kept = options.fresh === true ? undefined : cache.take(query.key);
  if (kept !== undefined) return { result: keptResult(kept), entry: kept.entry, hit: true };
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const opened = await withinDeadline(options.timeoutMs, signal, (s) => query.open(s));
  const handoff = new Handoff(opened);
  let spooled: SpooledResult;
  try {
    spooled = spool.spool(opened.schema, handoff, {
      mode: 'keep',
      stop: (reason) => {
        // Cut at its cap: the reader takes the rest from Spark, as it would without a spool.
        if (spooled.truncated) return;
        stop.abort(reason);
        void handoff.close();
      },
    });
  } catch (err) {
    await handoff.close();
    throw err;
  }
  const filling = cache.fill(query.key, spooled, opened.operationId, query.ttlMs);
  const result = reader(
    opened.schema,
    filling,
    async function* () {
      yield* spooled.payloads();
      if (spooled.truncated) yield* handoff.rest(spooled.rows);
    },
    () => {
      if (!spooled.truncated) return Promise.resolve();
      stop.abort(new Error('the reader left'));
      return handoff.close();
    },
  );
  return { result, entry: filling.entry, hit: false };
}

/** A kept result as an open result, read once without Spark. */
export function keptResult(kept: CacheReader): OpenResult {
  const { result } = kept.entry;
  return reader(result.schema, kept, () => result.payloads());
}

/** A cached (or filling) result as an open result, read once. */
function reader(
  schema: OpenResult['schema'],
  cached: CacheReader,
  read: () => AsyncIterable<ArrowPayload>,
  close: () => Promise<void> = () => Promise.resolve(),
): OpenResult {
  return readOnce({
    schema,
    operationId: cached.entry.operationId,
    read,
    async finish() {
      cached.done();
      await close();
    },
    finishOnCloseWhileRead: true,
  });
}

/**
 * Spark's payloads as the keep-mode drain reads them. A drain cut at its result's cap leaves
 * Spark's iteration open (ending the drain's does not end it): the reader, once past what was
 * spooled, reads the rest here. Closing ends Spark's iteration, which returns the session.
 */
class Handoff implements AsyncIterable<ArrowPayload> {
  readonly #opened: OpenResult;
  #iterator: AsyncIterator<ArrowPayload> | undefined;
  /** The last payload the drain took, and the rows it took in all. */
  #last: ArrowPayload | undefined;
  #rows = 0;
  #closed: Promise<void> | undefined;

  constructor(opened: OpenResult) {
    this.#opened = opened;
  }

  #source(): AsyncIterator<ArrowPayload> {
    this.#iterator ??= this.#opened.payloads[Symbol.asyncIterator]();
    return this.#iterator;
  }

  [Symbol.asyncIterator](): AsyncIterator<ArrowPayload> {
    return {
      next: async () => {
        const next = await this.#source().next();
        if (next.done !== true) {
          this.#last = next.value;
          this.#rows += Number(next.value.rowCount);
        }
        return next;
      },
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }

  /** What the drain took but did not spool, then the rest of Spark's payloads. */
  async *rest(spooledRows: number): AsyncGenerator<ArrowPayload> {
    const source = this.#source();
    try {
      if (this.#last !== undefined && this.#rows > spooledRows) yield this.#last;
      for (;;) {
        const next = await source.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await this.close();
    }
  }

  /** Ends Spark's iteration (or gives up the result if it was never read). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#iterator === undefined) await this.#opened.close();
      else await this.#iterator.return?.();
    })();
    return this.#closed;
  }
}
