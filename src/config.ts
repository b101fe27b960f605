import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { envSchema } from 'env-schema';
import Type, { type Static } from 'typebox';
import { parseConnectionString, redact, type SparkEndpoint } from './spark/connection-string.js';

const int = (defaultValue: number, minimum: number, description: string) =>
  Type.Integer({ default: defaultValue, minimum, description });

/** The samplers of OpenTelemetry's `OTEL_TRACES_SAMPLER` this service supports. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/**
 * The environment the service reads, with defaults. This file is the only reader of
 * `process.env`; the README's configuration table lists the same variables.
 */
export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 in containers).' }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'Port to listen on.' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  METRICS: Type.Boolean({ default: true, description: 'Serve Prometheus metrics at GET /metrics.' }),
  // OpenTelemetry's standard variables; tracing is off unless an exporter or endpoint is set.
  OTEL_SDK_DISABLED: Type.Boolean({
    default: false,
    description: 'Turns tracing off, whatever else is set.',
  }),
  OTEL_TRACES_EXPORTER: Type.Optional(
    Type.String({
      pattern: '^\\s*(otlp|console|none)\\s*(,\\s*(otlp|console|none)\\s*)*$',
      description: 'otlp, console or none, comma-separated; otlp when only an endpoint is set.',
    }),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({ minLength: 1, description: 'OTLP/HTTP base URL; traces go to <url>/v1/traces.' }),
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(
    Type.String({ minLength: 1, description: 'OTLP/HTTP URL for traces, used as is.' }),
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Optional(Type.String({ description: 'Only http/protobuf.' })),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: Type.Optional(Type.String({ description: 'Only http/protobuf.' })),
  OTEL_SERVICE_NAME: Type.String({
    default: 'spark-data-api',
    minLength: 1,
    description: 'service.name of spans.',
  }),
  OTEL_RESOURCE_ATTRIBUTES: Type.Optional(
    Type.String({ description: 'More resource attributes: key=value,key=value (values percent-encoded).' }),
  ),
  OTEL_TRACES_SAMPLER: Type.Enum(SAMPLERS, { default: 'parentbased_always_on' }),
  OTEL_TRACES_SAMPLER_ARG: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, description: 'Ratio of the traceidratio samplers.' }),
  ),
  SPARK_REMOTE: Type.String({
    default: 'sc://localhost:15002',
    description: 'Spark Connect connection string: sc://host:port/;token=…;user_id=…;use_ssl=…',
  }),
  SPARK_TLS_CA_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "PEM file of the certificate authorities trusted for Spark's TLS (use_ssl), instead of Node's default ones.",
    }),
  ),
  DATASETS_FILE: Type.String({
    default: 'datasets/demo.yaml',
    description: 'The datasets file (YAML or JSON).',
  }),
  RAW_SQL: Type.Boolean({
    default: false,
    description: 'Serve POST /v1/sql (parameterized SQL from clients).',
  }),
  MAX_ROWS: int(1_000_000, 1, 'Most rows one response streams; requests may ask for fewer.'),
  MAX_BYTES: int(1024 ** 3, 1, 'Most bytes one response streams; requests may ask for fewer.'),
  JSON_MAX_ROWS: int(10_000, 1, 'Most rows of an application/json answer, which is built whole.'),
  JSON_MAX_BYTES: int(16 * 1024 ** 2, 1, 'Most bytes of an application/json answer.'),
  RAW_SQL_ALLOW_FILES: Type.Boolean({
    default: false,
    description: 'Let raw SQL read files by path, point tables at files, add files or write directories.',
  }),
  RAW_SQL_ALLOW_REFLECTION: Type.Boolean({
    default: false,
    description: 'Let raw SQL call Java by reflection, run programs (TRANSFORM) or load classes.',
  }),
  CSV_ESCAPE_FORMULAS: Type.Boolean({
    default: true,
    description:
      "CSV: text that starts like a spreadsheet formula gets a leading ' (escapeFormulas overrides).",
  }),
  REQUEST_TIMEOUT_MS: int(
    30_000,
    1_000,
    'A client must send its whole request (headers and body) within this; else 408 and the connection is closed.',
  ),
  HEADERS_TIMEOUT_MS: int(
    10_000,
    1_000,
    'A client must send its request headers within this (at most REQUEST_TIMEOUT_MS).',
  ),
  KEEP_ALIVE_TIMEOUT_MS: int(72_000, 1_000, 'An idle keep-alive connection is closed after this.'),
  QUERY_TIMEOUT_MS: int(300_000, 100, 'A query still running after this long is interrupted (504).'),
  POOL_MIN: int(1, 0, 'Spark sessions kept open while idle.'),
  POOL_MAX: int(8, 1, 'Most Spark sessions at once.'),
  POOL_ACQUIRE_TIMEOUT_MS: int(10_000, 1, 'How long a request waits for a free session (then 503).'),
  POOL_IDLE_EVICT_MS: int(300_000, 1, 'Sessions beyond POOL_MIN idle this long are closed.'),
  SPARK_SESSION_TIMEOUT_MS: int(
    3_600_000,
    1_000,
    "Spark's idle session timeout, if the server does not tell.",
  ),
  READY_TIMEOUT_MS: int(5_000, 100, 'How long /readyz waits for Spark.'),
  READY_CACHE_MS: int(1_000, 0, 'How long one Spark probe answers /readyz before Spark is asked again.'),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 'How long shutdown lets running requests finish.'),
  GRAPHQL_MAX_ROWS: int(10_000, 1, 'Most rows of one GraphQL field (answers are built whole).'),
  GRAPHQL_MAX_BYTES: int(16 * 1024 ** 2, 1, 'Most bytes of one GraphQL field’s rows.'),
  GRAPHQL_MAX_DEPTH: int(8, 1, 'Deepest GraphQL selection accepted.'),
  GRAPHQL_MAX_COMPLEXITY: int(200, 1, 'Most complexity of a GraphQL document (a dataset field costs 10).'),
  GRAPHQL_MAX_FIELDS: int(500, 1, 'Most fields (aliases included) in a GraphQL document.'),
  GRAPHQL_MAX_ALIASES: int(50, 0, 'Most aliases in a GraphQL document.'),
  GRAPHIQL: Type.Boolean({ default: false, description: 'Serve the GraphiQL page at /graphiql.' }),
  CACHE_MAX_BYTES: int(64 * 1024 ** 2, 0, 'Size of the GraphQL result cache; 0 turns it off.'),
  AUTH_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'API keys, JWT verification and the anonymous principal (YAML).',
    }),
  ),
  ANONYMOUS: Type.Boolean({
    default: false,
    description: 'Without AUTH_FILE: serve everyone, with every scope, as the default tenant.',
  }),
  RATE_LIMIT_MAX: int(600, 1, 'Requests one principal may make per RATE_LIMIT_WINDOW_MS (then 429).'),
  RATE_LIMIT_WINDOW_MS: int(60_000, 1_000, 'The rate limit window.'),
  AUTH_FAILURES_MAX: int(
    20,
    1,
    'Failed attempts (401, 403) one client address may make per AUTH_FAILURES_WINDOW_MS; then 429 until it ends.',
  ),
  AUTH_FAILURES_WINDOW_MS: int(60_000, 1_000, 'The window of AUTH_FAILURES_MAX.'),
  TRUST_PROXY: Type.String({
    default: 'false',
    pattern: '^(true|false|\\d+|[0-9A-Fa-f:.]+(/\\d+)?(\\s*,\\s*[0-9A-Fa-f:.]+(/\\d+)?)*)$',
    description:
      'Whose X-Forwarded-For to believe for the client address: false, true, a number of proxies, or addresses/CIDRs (comma-separated).',
  }),
  TENANT_POOL_MAX: int(4, 1, 'Most Spark sessions (concurrent queries) of one tenant.'),
  OVERLOAD_EVENT_LOOP_DELAY_MS: int(1_000, 10, 'Event loop delay above which requests get 503 OVERLOADED.'),
});
export type Env = Static<typeof EnvSchema>;

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
  readonly limits: {
    readonly maxRows: number;
    readonly maxBytes: number;
    readonly jsonMaxRows: number;
    readonly jsonMaxBytes: number;
    readonly queryTimeoutMs: number;
  };
  readonly pool: {
    readonly min: number;
    readonly max: number;
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
}

/** OpenTelemetry tracing, from the standard `OTEL_*` variables. */
export interface TracingConfig {
  /** Where spans go; none: tracing is off. */
  readonly exporters: readonly ('otlp' | 'console')[];
  /** The OTLP/HTTP (protobuf) URL traces are posted to. */
  readonly otlpUrl: string;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers. */
  readonly samplerRatio: number;
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
  return Object.freeze({
    host: v.HOST,
    port: v.PORT,
    trustProxy: trustProxy(v.TRUST_PROXY),
    logLevel: v.LOG_LEVEL,
    metrics: v.METRICS,
    tracing: tracingConfig(v),
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
    limits: Object.freeze({
      maxRows: v.MAX_ROWS,
      maxBytes: v.MAX_BYTES,
      jsonMaxRows: v.JSON_MAX_ROWS,
      jsonMaxBytes: v.JSON_MAX_BYTES,
      queryTimeoutMs: v.QUERY_TIMEOUT_MS,
    }),
    pool: Object.freeze({
      min: v.POOL_MIN,
      max: v.POOL_MAX,
      acquireTimeoutMs: v.POOL_ACQUIRE_TIMEOUT_MS,
      idleEvictMs: v.POOL_IDLE_EVICT_MS,
      serverSessionTimeoutMs: v.SPARK_SESSION_TIMEOUT_MS,
    }),
    http: Object.freeze({
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
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

/**
 * Tracing as OpenTelemetry's variables say, except that it is off unless asked for: an
 * exporter named in `OTEL_TRACES_EXPORTER`, or an OTLP endpoint (then the exporter is otlp).
 */
function tracingConfig(v: Env): TracingConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`invalid configuration: ${message}`);
  };
  const named = v.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim());
  const endpointSet =
    v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const exporters = v.OTEL_SDK_DISABLED
    ? []
    : [...new Set(named ?? (endpointSet ? ['otlp'] : []))].filter(
        (name) => name === 'otlp' || name === 'console',
      );
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const protocol = v[name];
    if (protocol !== undefined && protocol !== 'http/protobuf')
      fail(`${name} '${protocol}' is not supported; this service exports http/protobuf`);
  }
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318';
  const otlpUrl =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
  if (!URL.canParse(otlpUrl) || !/^https?:$/.test(new URL(otlpUrl).protocol))
    fail(`the OTLP traces endpoint '${otlpUrl}' is not an http(s) URL`);
  return Object.freeze({
    exporters,
    otlpUrl,
    serviceName: v.OTEL_SERVICE_NAME,
    resourceAttributes: Object.freeze(resourceAttributes(v.OTEL_RESOURCE_ATTRIBUTES ?? '', fail)),
    sampler: v.OTEL_TRACES_SAMPLER,
    samplerRatio: v.OTEL_TRACES_SAMPLER_ARG ?? 1,
  });
}

/** `key=value,key=value`, values percent-encoded (OTEL_RESOURCE_ATTRIBUTES). */
function resourceAttributes(text: string, fail: (message: string) => never): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq < 0 || key === '') fail(`OTEL_RESOURCE_ATTRIBUTES: '${pair}' is not key=value`);
    try {
      attributes[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      fail(`OTEL_RESOURCE_ATTRIBUTES: the value of '${key}' is not percent-encoded properly`);
    }
  }
  return attributes;
}
