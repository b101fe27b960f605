import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envSchema } from 'env-schema';
import { EnvSchema, type Env } from './config/env-schema.js';
import { tracingConfig, type TracingConfig } from './config/tracing.js';
import { parseConnectionString, redact, type SparkEndpoint } from './spark/connection-string.js';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Proxies whose X-Forwarded-For gives the client address (Fastify's `trustProxy`). */
  readonly trustProxy: boolean | number | readonly string[];
  readonly logLevel: string;
  /** Serve `GET /metrics`. */
  readonly metrics: boolean;
  readonly tracing: TracingConfig;
  readonly spark: SparkEndpoint;
  /** The connection string with its token hidden, for logs. */
  readonly sparkRemote: string;
  /** PEM certificates trusted for TLS to Spark instead of Node's default ones (`SPARK_TLS_CA_FILE`). */
  readonly sparkCaCertificates: Buffer | undefined;
  readonly datasetsFile: string;
  readonly rawSql: boolean;
  /** What raw SQL may do beyond querying. */
  readonly rawSqlPolicy: { readonly allowFiles: boolean; readonly allowReflection: boolean };
  /** CSV text cells that start like formulas get a leading `'`, unless a request says otherwise. */
  readonly csvEscapeFormulas: boolean;
  /** NDJSON, CSV and JSON results are compressed when the client accepts a coding. */
  readonly compression: boolean;
  readonly limits: {
    readonly maxRows: number;
    readonly maxBytes: number;
    readonly jsonMaxRows: number;
    readonly jsonMaxBytes: number;
    readonly queryTimeoutMs: number;
    /** Estimated bytes of results Spark's driver may build at once; 0 for no bound. */
    readonly resultBudgetBytes: number;
  };
  readonly pool: {
    readonly min: number;
    readonly max: number;
    /** Most sessions one principal holds at once. */
    readonly maxPerPrincipal: number;
    readonly acquireTimeoutMs: number;
    readonly idleEvictMs: number;
    readonly serverSessionTimeoutMs: number;
  };
  /** Deadlines for receiving a request, so that slow senders cannot hold connections. */
  readonly http: {
    readonly requestTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
  };
  /** Where results wait for their readers, and how much of them. */
  readonly spool: {
    readonly dir: string;
    readonly maxBytes: number;
    readonly resultMaxBytes: number;
    readonly memoryBytes: number;
    readonly chunkBytes: number;
  };
  readonly readyTimeoutMs: number;
  /** How long one probe's outcome answers `/readyz`. */
  readonly readyCacheMs: number;
  readonly shutdownGraceMs: number;
  readonly auth: {
    readonly file?: string | undefined;
    readonly anonymous: boolean;
    readonly rateLimitMax: number;
    readonly rateLimitWindowMs: number;
    /** Failed attempts one address may make per window before it is refused (429). */
    readonly failuresMax: number;
    readonly failuresWindowMs: number;
    readonly tenantPoolMax: number;
    readonly overloadEventLoopDelayMs: number;
  };
  readonly graphql: {
    readonly maxRows: number;
    readonly maxBytes: number;
    readonly maxDepth: number;
    readonly maxComplexity: number;
    readonly maxFields: number;
    readonly maxAliases: number;
    readonly graphiql: boolean;
    readonly cacheMaxBytes: number;
  };
  /** Statements: queries run in the background, their results kept for a while. */
  readonly statements: {
    readonly ttlMs: number;
    /** Per tenant: statements pending or running at once, and bytes of results kept. */
    readonly maxRunning: number;
    readonly maxSpoolBytes: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment once and returns the frozen configuration; throws saying what to fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let v: Env;
  try {
    v = envSchema<Env>({ schema: EnvSchema, data: env, dotenv: false });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`, { cause: err });
  }
  if (v.HEADERS_TIMEOUT_MS > v.REQUEST_TIMEOUT_MS)
    throw new ConfigError('invalid configuration: HEADERS_TIMEOUT_MS is larger than REQUEST_TIMEOUT_MS');
  if (v.POOL_MIN > v.POOL_MAX)
    throw new ConfigError('invalid configuration: POOL_MIN is larger than POOL_MAX');
  if (v.POOL_MAX_PER_PRINCIPAL !== undefined && v.POOL_MAX_PER_PRINCIPAL > v.POOL_MAX)
    throw new ConfigError('invalid configuration: POOL_MAX_PER_PRINCIPAL is larger than POOL_MAX');
  return Object.freeze({
    host: v.HOST,
    port: v.PORT,
    trustProxy: trustProxy(v.TRUST_PROXY),
    logLevel: v.LOG_LEVEL,
    metrics: v.METRICS,
    tracing: tracingConfig(v, (message) => {
      throw new ConfigError(`invalid configuration: ${message}`);
    }),
    spark: parseConnectionString(v.SPARK_REMOTE),
    sparkRemote: redact(v.SPARK_REMOTE),
    sparkCaCertificates: v.SPARK_TLS_CA_FILE === undefined ? undefined : readCaFile(v.SPARK_TLS_CA_FILE),
    datasetsFile: v.DATASETS_FILE,
    rawSql: v.RAW_SQL,
    rawSqlPolicy: Object.freeze({
      allowFiles: v.RAW_SQL_ALLOW_FILES,
      allowReflection: v.RAW_SQL_ALLOW_REFLECTION,
    }),
    csvEscapeFormulas: v.CSV_ESCAPE_FORMULAS,
    compression: v.COMPRESSION,
    limits: Object.freeze({
      maxRows: v.MAX_ROWS,
      maxBytes: v.MAX_BYTES,
      jsonMaxRows: v.JSON_MAX_ROWS,
      jsonMaxBytes: v.JSON_MAX_BYTES,
      queryTimeoutMs: v.QUERY_TIMEOUT_MS,
      resultBudgetBytes: v.RESULT_BUDGET_BYTES,
    }),
    pool: Object.freeze({
      min: v.POOL_MIN,
      max: v.POOL_MAX,
      // Without an authentication file everyone is one principal: a share would only idle sessions.
      maxPerPrincipal:
        v.POOL_MAX_PER_PRINCIPAL ??
        (v.AUTH_FILE === undefined ? v.POOL_MAX : Math.max(1, Math.floor(v.POOL_MAX / 2))),
      acquireTimeoutMs: v.POOL_ACQUIRE_TIMEOUT_MS,
      idleEvictMs: v.POOL_IDLE_EVICT_MS,
      serverSessionTimeoutMs: v.SPARK_SESSION_TIMEOUT_MS,
    }),
    http: Object.freeze({
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
    }),
    spool: Object.freeze({
      dir: v.SPOOL_DIR ?? join(tmpdir(), 'spark-data-api-spool'),
      maxBytes: v.SPOOL_MAX_BYTES,
      resultMaxBytes: v.SPOOL_RESULT_MAX_BYTES,
      memoryBytes: v.SPOOL_MEMORY_BYTES,
      chunkBytes: v.SPOOL_CHUNK_BYTES,
    }),
    readyTimeoutMs: v.READY_TIMEOUT_MS,
    readyCacheMs: v.READY_CACHE_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    auth: Object.freeze({
      file: v.AUTH_FILE,
      anonymous: v.ANONYMOUS,
      rateLimitMax: v.RATE_LIMIT_MAX,
      rateLimitWindowMs: v.RATE_LIMIT_WINDOW_MS,
      failuresMax: v.AUTH_FAILURES_MAX,
      failuresWindowMs: v.AUTH_FAILURES_WINDOW_MS,
      tenantPoolMax: v.TENANT_POOL_MAX,
      overloadEventLoopDelayMs: v.OVERLOAD_EVENT_LOOP_DELAY_MS,
    }),
    graphql: Object.freeze({
      maxRows: v.GRAPHQL_MAX_ROWS,
      maxBytes: v.GRAPHQL_MAX_BYTES,
      maxDepth: v.GRAPHQL_MAX_DEPTH,
      maxComplexity: v.GRAPHQL_MAX_COMPLEXITY,
      maxFields: v.GRAPHQL_MAX_FIELDS,
      maxAliases: v.GRAPHQL_MAX_ALIASES,
      graphiql: v.GRAPHIQL,
      cacheMaxBytes: v.CACHE_MAX_BYTES,
    }),
    statements: Object.freeze({
      ttlMs: v.STATEMENT_TTL_MS,
      maxRunning: v.STATEMENTS_MAX_RUNNING,
      maxSpoolBytes: v.STATEMENTS_MAX_SPOOL_BYTES,
    }),
  });
}

/** `TRUST_PROXY`: false, true, a hop count, or a list of addresses and CIDRs. */
function trustProxy(text: string): boolean | number | readonly string[] {
  if (text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return Object.freeze(text.split(',').map((part) => part.trim()));
}

/** Reads a CA bundle, refusing a file that cannot be read or holds no PEM certificate. */
function readCaFile(path: string): Buffer {
  const fail = (why: string, cause: unknown): never => {
    throw new ConfigError(`invalid configuration: SPARK_TLS_CA_FILE '${path}' ${why}`, { cause });
  };
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    return fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate block');
    // Parses the first certificate of the bundle.
    new X509Certificate(pem);
  } catch (err) {
    fail('holds no PEM certificate', err);
  }
  return pem;
}
