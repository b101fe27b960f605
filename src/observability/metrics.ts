import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EncodeStats } from '../encode/stats.js';
import { cacheMetrics } from './cache-metrics.js';
import type {
  ExecutionCounts,
  PoolCounts,
  ResultCacheCounts,
  SpoolCounts,
  StatementCounts,
} from './metric-shapes.js';
import { spoolMetrics } from './spool-metrics.js';
import { statementMetrics } from './statement-metrics.js';

/** Where the metrics read at scrape time come from. */
export interface MetricSources {
  /** Session pool statistics by tenant. */
  readonly pools: () => Readonly<Record<string, PoolCounts>> | Promise<Readonly<Record<string, PoolCounts>>>;
  /** Executions of the Spark client. */
  readonly executions: ExecutionCounts;
  /** The GraphQL result runner's counters; undefined until GraphQL is set up. */
  readonly graphql: () => GraphQLCounters | undefined;
  /** The result spool; its metrics are left out without it. */
  readonly spool?: (() => SpoolCounts) | undefined;
  /** Statements; their metrics are left out without them. */
  readonly statements?: (() => StatementCounts) | undefined;
  /** The result cache; its metrics are left out without it. */
  readonly resultCache?: (() => ResultCacheCounts) | undefined;
}

export interface GraphQLCounters {
  readonly hits: number;
  readonly misses: number;
  readonly joined: number;
}

/** A result response being sent, whose rows and bytes are counted as they go. */
export interface TrackedResult {
  readonly labels: { readonly route: string; readonly format: string };
  readonly stats: EncodeStats;
  rows: number;
  bytes: number;
}

const PREFIX = 'spark_data_api_';

/** Seconds: from a cached answer to a long download. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const EXECUTION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

/**
 * The service's Prometheus metrics, in a registry of their own. Request metrics are recorded as
 * requests end; rows and bytes are read from the encoders' statistics (so streaming costs
 * nothing per chunk) and counted when a response ends or a scrape comes, whichever is first;
 * pool, execution and GraphQL figures are read from their owners at scrape time.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route' | 'status'>;
  readonly #rows: Counter<'route' | 'format'>;
  readonly #bytes: Counter<'route' | 'format'>;
  readonly #active = new Set<TrackedResult>();
  readonly #stopListening: () => void;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const labelNames = ['method', 'route', 'status'] as const;
    this.#requests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route and status.',
      labelNames,
      registers,
    });
    this.#duration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from a request to the end of its response (the last byte of a stream), by method, route and status.',
      labelNames,
      buckets: HTTP_BUCKETS,
      registers,
    });
    const flushAll = () => {
      for (const tracked of this.#active) this.#flush(tracked);
    };
    this.#rows = new Counter({
      name: `${PREFIX}result_rows_total`,
      help: 'Rows sent in result responses, by route and format.',
      labelNames: ['route', 'format'],
      registers,
      collect: flushAll,
    });
    this.#bytes = new Counter({
      name: `${PREFIX}result_bytes_total`,
      help: 'Bytes of rows sent in result responses (compressed when the response is), by route and format.',
      labelNames: ['route', 'format'],
      registers,
      collect: flushAll,
    });

    const executionDuration = new Histogram({
      name: `${PREFIX}spark_execution_duration_seconds`,
      help: 'Time from sending a plan to Spark to the end of its result, by outcome (completed, failed, interrupted).',
      labelNames: ['outcome'],
      buckets: EXECUTION_BUCKETS,
      registers,
    });
    for (const outcome of ['completed', 'failed', 'interrupted']) executionDuration.zero({ outcome });
    this.#stopListening = sources.executions.onEnd((outcome, seconds) => {
      executionDuration.observe({ outcome }, seconds);
    });
    const executions = sources.executions;
    new Gauge({
      name: `${PREFIX}spark_executions_running`,
      help: 'Spark executions running now.',
      registers,
      collect() {
        this.set(executions.running);
      },
    });
    counterOf(
      `${PREFIX}spark_reattaches_total`,
      'Result streams resumed with ReattachExecute after the server closed them or the connection broke.',
      () => executions.reattached,
    );
    counterOf(
      `${PREFIX}spark_interrupts_total`,
      'Spark executions interrupted: the client left, a limit cut the result, a timeout, or shutdown.',
      () => executions.interrupted,
    );

    const pools = async () => Object.entries(await sources.pools());
    const poolGauge = (name: string, help: string, value: (stats: PoolCounts) => number) =>
      new Gauge({
        name: `${PREFIX}pool_${name}`,
        help,
        labelNames: ['tenant'],
        registers,
        async collect() {
          this.reset();
          for (const [tenant, stats] of await pools()) this.set({ tenant }, value(stats));
        },
      });
    new Gauge({
      name: `${PREFIX}pool_sessions`,
      help: 'Spark sessions open now, by tenant and state (in_use, idle).',
      labelNames: ['tenant', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const [tenant, stats] of await pools()) {
          this.set({ tenant, state: 'in_use' }, stats.inUse);
          this.set({ tenant, state: 'idle' }, stats.idle);
        }
      },
    });
    poolGauge('min_sessions', 'Sessions the pool keeps open while idle (POOL_MIN).', (s) => s.min);
    poolGauge('max_sessions', 'Most sessions the pool opens (POOL_MAX).', (s) => s.max);
    poolGauge('waiting_requests', 'Requests waiting for a free session.', (s) => s.waiting);
    new Counter({
      name: `${PREFIX}pool_waits_total`,
      help: 'Requests that waited for a session, by tenant and reason (principal_cap, pool_full).',
      labelNames: ['tenant', 'reason'],
      registers,
      async collect() {
        this.reset();
        for (const [tenant, stats] of await pools()) {
          for (const reason of ['principal_cap', 'pool_full'] as const)
            this.inc({ tenant, reason }, stats.waits[reason]);
        }
      },
    });
    new Counter({
      name: `${PREFIX}pool_sessions_created_total`,
      help: 'Spark sessions opened, by tenant.',
      labelNames: ['tenant'],
      registers,
      async collect() {
        this.reset();
        for (const [tenant, stats] of await pools()) this.inc({ tenant }, stats.created);
      },
    });
    new Counter({
      name: `${PREFIX}pool_sessions_closed_total`,
      help: 'Spark sessions closed, by tenant and reason (renewed, evicted, discarded, retired, closed).',
      labelNames: ['tenant', 'reason'],
      registers,
      async collect() {
        this.reset();
        for (const [tenant, stats] of await pools()) {
          for (const reason of ['renewed', 'evicted', 'discarded', 'retired', 'closed'] as const)
            this.inc({ tenant, reason }, stats[reason]);
        }
      },
    });
    new Counter({
      name: `${PREFIX}pool_create_failures_total`,
      help: 'Attempts to open a Spark session that failed, by tenant.',
      labelNames: ['tenant'],
      registers,
      async collect() {
        this.reset();
        for (const [tenant, stats] of await pools()) this.inc({ tenant }, stats.createFailures);
      },
    });

    const graphql = (key: keyof GraphQLCounters) => () => sources.graphql()?.[key] ?? 0;
    counterOf(
      `${PREFIX}graphql_cache_hits_total`,
      'GraphQL fields answered from the result cache.',
      graphql('hits'),
    );
    counterOf(
      `${PREFIX}graphql_cache_misses_total`,
      'GraphQL fields that ran a query (not cached, not joining one running).',
      graphql('misses'),
    );
    counterOf(
      `${PREFIX}graphql_joined_total`,
      'GraphQL fields that joined an identical query already running.',
      graphql('joined'),
    );

    if (sources.spool !== undefined) spoolMetrics(PREFIX, registers, sources.spool);
    if (sources.statements !== undefined) statementMetrics(PREFIX, registers, sources.statements);
    if (sources.resultCache !== undefined) cacheMetrics(PREFIX, registers, sources.resultCache);

    /** A counter whose value is a total kept elsewhere. */
    function counterOf(name: string, help: string, value: () => number): void {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    }
  }

  /** Counts a request that ended. */
  requestEnded(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds);
  }

  /** Starts counting the rows and bytes of a result response from its encoder's statistics. */
  trackResult(route: string, format: string, stats: EncodeStats): TrackedResult {
    const tracked: TrackedResult = { labels: { route, format }, stats, rows: 0, bytes: 0 };
    this.#active.add(tracked);
    return tracked;
  }

  /** Counts what is left of a result response that ended. */
  resultEnded(tracked: TrackedResult): void {
    this.#flush(tracked);
    this.#active.delete(tracked);
  }

  /** The metrics in Prometheus' text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops listening to the executions' statistics. */
  close(): void {
    this.#stopListening();
    this.registry.clear();
  }

  #flush(tracked: TrackedResult): void {
    const { rows, bytes } = tracked.stats;
    if (rows > tracked.rows) this.#rows.inc(tracked.labels, rows - tracked.rows);
    if (bytes > tracked.bytes) this.#bytes.inc(tracked.labels, bytes - tracked.bytes);
    tracked.rows = rows;
    tracked.bytes = bytes;
  }
}
