/** The environment variables the service reads: names, types, defaults and descriptions. */
import Type, { type Static } from 'typebox';

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
 * The environment the service reads, with defaults. `loadConfig` (config.ts) is the only reader of
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
  COMPRESSION: Type.Boolean({
    default: true,
    description: 'Compress NDJSON, CSV and JSON results as Accept-Encoding asks (zstd, br, gzip).',
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
  POOL_MAX_PER_PRINCIPAL: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Most Spark sessions one principal holds at once (at most POOL_MAX); half of POOL_MAX with AUTH_FILE, else POOL_MAX.',
    }),
  ),
  POOL_ACQUIRE_TIMEOUT_MS: int(10_000, 1, 'How long a request waits for a free session (then 503 or 429).'),
  POOL_IDLE_EVICT_MS: int(300_000, 1, 'Sessions beyond POOL_MIN idle this long are closed.'),
  RESULT_BUDGET_BYTES: int(
    256 * 1024 ** 2,
    0,
    "Estimated bytes of results Spark's driver may build at once (about a quarter of spark.driver.memory); " +
      'larger queries wait their turn, those under a sixteenth of it never wait; 0 turns it off.',
  ),
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
  CACHE_MAX_BYTES: int(
    64 * 1024 ** 2,
    0,
    'Most bytes of the results kept for reuse (see Cached results); 0 turns reuse off.',
  ),
  SPOOL_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Where results wait for their readers; instances may share it (default: spark-data-api-spool in the OS temp dir).',
    }),
  ),
  SPOOL_MAX_BYTES: int(
    1024 ** 3,
    1,
    'Most bytes all spooled results hold together; then Spark waits for readers.',
  ),
  SPOOL_RESULT_MAX_BYTES: int(
    256 * 1024 ** 2,
    1,
    'Most bytes one spooled result holds; then Spark waits for its reader.',
  ),
  SPOOL_MEMORY_BYTES: int(1024 ** 2, 0, 'Bytes of a result kept in memory before it goes to files.'),
  SPOOL_CHUNK_BYTES: int(
    1024 ** 2,
    1,
    'Most bytes of one spool file (a larger Spark batch is a file of its own).',
  ),
  STATEMENT_TTL_MS: int(3_600_000, 1000, 'A statement and its result are kept this long (then EXPIRED).'),
  STATEMENTS_MAX_RUNNING: int(4, 1, 'Most statements of one tenant pending or running at once (then 429).'),
  STATEMENTS_MAX_SPOOL_BYTES: int(
    1024 ** 3,
    0,
    'Most bytes of results kept for the statements of one tenant (then 429).',
  ),
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
