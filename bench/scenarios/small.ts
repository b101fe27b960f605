import type { Agent } from 'node:http';
import { DATASETS, type BenchContext } from '../context.js';
import { SMALL_LIMIT, SMALL_QUERY } from '../config.js';
import { HttpError, keepAliveAgent, small } from '../service.js';
import { latencies, now, type Latencies } from '../stats.js';

/** One measured batch of requests, or why it could not be measured. */
export type SmallMeasurement =
  | { readonly available: true; readonly latencies: Latencies }
  | { readonly available: false; readonly reason: string };

/** Milliseconds of each timed request of one block, and the block's wall time. */
type Block = { readonly ms: number[]; readonly wallMs: number } | { readonly unavailable: string };

export interface SmallTarget {
  readonly name: 'service' | 'pyspark' | 'cacheHit';
  readonly label: string;
  /** `requests` timed requests, `concurrency` at a time, after `warmup` untimed ones. */
  run(concurrency: number, requests: number, warmup: number): Promise<Block>;
}

export interface SmallResult {
  readonly query: string;
  /** By target name, one entry per concurrency level. */
  readonly targets: Record<
    SmallTarget['name'],
    { label: string; byConcurrency: Record<string, SmallMeasurement> }
  >;
  /** Service p50 over PySpark p50 at concurrency 1: the bar is ≤ 1.1. */
  readonly serviceOverPyspark: number;
  /** Cache hit p50 in ms at concurrency 1 (the bar is ≤ 2 ms), if the service caches. */
  readonly cacheHitP50: number | undefined;
}

/** Runs `requests` calls of `one`, `concurrency` at a time, and returns each call's milliseconds. */
async function timed(one: () => Promise<void>, requests: number, concurrency: number) {
  const ms: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < requests) {
      started++;
      const t = now();
      await one();
      ms.push(now() - t);
    }
  };
  const t = now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms, wallMs: now() - t };
}

function serviceTarget(ctx: BenchContext, agent: Agent): SmallTarget {
  const url = `${ctx.service.base}/v1/datasets/${DATASETS.small}/rows?format=json&limit=${SMALL_LIMIT}`;
  const one = async () => {
    const body = await small(url, agent);
    const answer = JSON.parse(body.toString('utf8')) as { rowCount: number };
    if (answer.rowCount !== 8) throw new Error(`the small query returned ${answer.rowCount} rows, not 8`);
  };
  return {
    name: 'service',
    label: 'service, `GET …/rows?format=json`',
    run: async (concurrency, requests, warmup) => {
      await timed(one, warmup, concurrency);
      return timed(one, requests, concurrency);
    },
  };
}

function pysparkTarget(ctx: BenchContext): SmallTarget {
  return {
    name: 'pyspark',
    label: 'PySpark `collect()`, warm session',
    run: async (concurrency, requests, warmup) => {
      const run = await ctx.pyspark.small(SMALL_QUERY, SMALL_LIMIT, requests, concurrency, warmup);
      if (run.rows !== 8) throw new Error(`PySpark's small query returned ${run.rows} rows, not 8`);
      return { ms: run.latenciesMs, wallMs: run.wallMs };
    },
  };
}

/**
 * The same panel as a GraphQL field answered from the service's result cache: the first
 * request fills the cache (the dataset has a TTL), every timed one must say `cached: true`.
 */
function cacheHitTarget(ctx: BenchContext, agent: Agent): SmallTarget {
  const url = `${ctx.service.base}/graphql`;
  const document = {
    query: `{ query(dataset: "${DATASETS.smallKept}", limit: ${SMALL_LIMIT}) { rowCount cached } }`,
  };
  const one = async () => {
    const body = await small(url, agent, document);
    const answer = JSON.parse(body.toString('utf8')) as {
      data?: { query?: { rowCount: number; cached: boolean } };
      errors?: unknown[];
    };
    const result = answer.data?.query;
    if (result === undefined || answer.errors !== undefined) {
      throw new Error(`GraphQL answered ${body.toString('utf8').slice(0, 500)}`);
    }
    if (result.rowCount !== 8) throw new Error(`the cached query returned ${result.rowCount} rows, not 8`);
    return result.cached;
  };
  const hit = async () => {
    if (!(await one())) throw new Error('a repeated GraphQL query was not answered from the cache');
  };
  return {
    name: 'cacheHit',
    label: 'service, GraphQL cache hit',
    run: async (concurrency, requests, warmup) => {
      try {
        await one();
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) {
          return { unavailable: 'this service has no GraphQL result cache' };
        }
        throw err;
      }
      await timed(hit, warmup, concurrency);
      return timed(hit, requests, concurrency);
    },
  };
}

/**
 * A dashboard panel's query, many times: latency percentiles through the service, for
 * PySpark's `collect()` on a warm session, and for cache hits, at each concurrency level.
 * The requests run in blocks, the targets taking turns, so a change in the machine's load
 * falls on all of them alike.
 */
export async function smallScenario(ctx: BenchContext): Promise<SmallResult> {
  const { config } = ctx;
  const agent = keepAliveAgent(Math.max(...config.concurrencies));
  try {
    const targets = [serviceTarget(ctx, agent), pysparkTarget(ctx), cacheHitTarget(ctx, agent)];
    const results = {} as SmallResult['targets'];
    for (const target of targets) results[target.name] = { label: target.label, byConcurrency: {} };
    const perBlock = Math.ceil(config.smallRequests / config.smallBlocks);
    for (const concurrency of config.concurrencies) {
      const collected = new Map<SmallTarget['name'], { ms: number[]; wallMs: number } | string>();
      for (let block = 0; block < config.smallBlocks; block++) {
        for (const target of targets) {
          const sofar = collected.get(target.name);
          if (typeof sofar === 'string') continue;
          const run = await target.run(concurrency, perBlock, block === 0 ? config.smallWarmup : 0);
          if ('unavailable' in run) collected.set(target.name, run.unavailable);
          else
            collected.set(target.name, {
              ms: [...(sofar?.ms ?? []), ...run.ms],
              wallMs: (sofar?.wallMs ?? 0) + run.wallMs,
            });
        }
      }
      for (const target of targets) {
        const got = collected.get(target.name)!;
        const measured: SmallMeasurement =
          typeof got === 'string'
            ? { available: false, reason: got }
            : { available: true, latencies: latencies(got.ms, concurrency, got.wallMs) };
        results[target.name].byConcurrency[String(concurrency)] = measured;
        ctx.log(
          `small: ${target.name} at concurrency ${concurrency}: ` +
            (measured.available
              ? `p50 ${measured.latencies.p50.toFixed(1)} ms, p99 ${measured.latencies.p99.toFixed(1)} ms`
              : `not available (${measured.reason})`),
        );
      }
    }
    const p50 = (name: SmallTarget['name']) => {
      const m = results[name].byConcurrency['1'];
      return m?.available === true ? m.latencies.p50 : undefined;
    };
    return {
      query: SMALL_QUERY,
      targets: results,
      serviceOverPyspark: (p50('service') ?? NaN) / (p50('pyspark') ?? NaN),
      cacheHitP50: p50('cacheHit'),
    };
  } finally {
    agent.destroy();
  }
}
