/**
 * Metrics, traces and logs with Spark down: every series is exposed from the start, requests are
 * counted by route and status, failures are traced as such, and log lines carry request ids
 * and never a secret.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/observability/logging.js';
import { startTracing, type Tracing } from '../../src/observability/tracing.js';
import { closedPort } from '../helpers/closed-port.js';

const SPARK_TOKEN = 'spark-token-d41d8cd98f00';
const HEADER_SECRETS = {
  authorization: 'Bearer header-secret-0b2e1d',
  'x-api-key': 'api-key-secret-7c4a8d',
  cookie: 'session=cookie-secret-9a0364',
  'proxy-authorization': 'Basic proxy-secret-5f4dcc',
};

const memory = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let app: FastifyInstance;
const lines: Record<string, unknown>[] = [];

before(async () => {
  tracing = await startTracing(loadConfig({}).tracing, {
    processors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const config = loadConfig({
    SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}/;token=${SPARK_TOKEN};use_ssl=false`,
    LOG_LEVEL: 'trace',
    READY_TIMEOUT_MS: '2000',
    ANONYMOUS: 'true',
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  // The service's own logger options, writing here.
  app = await buildApp(config, {}, { logger: { ...loggerOptions(config), stream } });
  // Whatever logs the configuration or a request's headers, secrets are censored.
  app.log.info({ config }, 'settings');
  app.log.info({ spark: config.spark, headers: HEADER_SECRETS }, 'connection');
});

after(async () => {
  await app.close();
  await tracing?.shutdown();
});

const SERIES = [
  'http_requests_total',
  'http_request_duration_seconds',
  'spark_execution_duration_seconds',
  'spark_executions_running',
  'spark_interrupts_total',
  'spark_reattaches_total',
  'pool_sessions',
  'pool_min_sessions',
  'pool_max_sessions',
  'pool_waiting_requests',
  'pool_sessions_created_total',
  'pool_sessions_closed_total',
  'pool_create_failures_total',
  'graphql_cache_hits_total',
  'graphql_cache_misses_total',
  'graphql_joined_total',
  'result_rows_total',
  'result_bytes_total',
].map((name) => `spark_data_api_${name}`);

describe('/metrics', () => {
  it('describes every series from the start, in Prometheus’ text format', async () => {
    const response = await app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4; charset=utf-8/);
    const described = new Set(
      response.body
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    );
    for (const name of [...SERIES, 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds'])
      assert.ok(described.has(name), `${name} is described`);
  });

  it('counts requests by method, route pattern and status, unknown paths as one route', async () => {
    const count = async (labels: string) => {
      const text = (await app.inject('/metrics')).body;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`spark_data_api_http_requests_total{${labels}} `));
      return line === undefined ? 0 : Number(line.split(' ')[1]);
    };
    const healthz = 'method="GET",route="/healthz",status="200"';
    const unmatched = 'method="GET",route="unmatched",status="404"';
    const rows = 'method="GET",route="/v1/datasets/:name/rows",status="503"';
    const before = [await count(healthz), await count(unmatched), await count(rows)];
    await app.inject('/healthz');
    await app.inject('/healthz');
    await app.inject('/no/such/thing');
    await app.inject('/nor/this');
    assert.equal((await app.inject('/v1/datasets/events/rows')).statusCode, 503);
    assert.deepEqual(
      [
        (await count(healthz)) - before[0]!,
        (await count(unmatched)) - before[1]!,
        (await count(rows)) - before[2]!,
      ],
      [2, 2, 1],
    );
  });

  it('is not served with METRICS=false', async () => {
    const config = loadConfig({
      SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'silent',
      METRICS: 'false',
      ANONYMOUS: 'true',
    });
    const quiet = await buildApp(config);
    try {
      assert.equal((await quiet.inject('/metrics')).statusCode, 404);
    } finally {
      await quiet.close();
    }
  });
});

describe('traces without Spark', () => {
  it('mark a request that failed, and the session lease that failed it', async () => {
    memory.reset();
    const response = await app.inject({
      url: '/v1/datasets/events/rows',
      headers: { 'request-id': 'down-1' },
    });
    assert.equal(response.statusCode, 503);
    const spans = memory.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    assert.ok(server, spans.map((s) => s.name).join(', '));
    assert.equal(server.name, 'GET /v1/datasets/:name/rows');
    assert.equal(server.attributes['spark_data_api.request_id'], 'down-1');
    assert.equal(server.attributes['http.response.status_code'], 503);
    assert.equal(server.status.code, SpanStatusCode.ERROR);
    assert.ok(server.events.some((e) => e.name === 'exception'));
    const failedLeases = spans.filter(
      (s) => s.name === 'spark.session.lease' && s.status.code === SpanStatusCode.ERROR,
    );
    assert.ok(failedLeases.length > 0, spans.map((s) => s.name).join(', '));
    for (const lease of failedLeases) assert.equal(lease.spanContext().traceId, server.spanContext().traceId);
  });

  it('are not made for probes and scrapes', async () => {
    memory.reset();
    await app.inject('/healthz');
    await app.inject('/readyz');
    await app.inject('/metrics');
    assert.deepEqual(
      memory.getFinishedSpans().map((s) => s.name),
      [],
    );
  });
});

describe('logs', () => {
  it('carry the request id, and the trace id, on every line about a request', async () => {
    await app.inject({ url: '/v1/datasets/events/rows', headers: { 'request-id': 'caller-7' } });
    const mine = lines.filter((l) => l['reqId'] === 'caller-7');
    const messages = mine.map((l) => l['msg']);
    assert.ok(messages.includes('incoming request'), String(messages));
    assert.ok(messages.includes('request failed'), String(messages));
    assert.ok(messages.includes('request completed'), String(messages));
    // Fastify logs the request before any hook runs; after that, lines carry the trace id.
    for (const line of mine.filter((l) => l['msg'] !== 'incoming request'))
      assert.match(String(line['traceId']), /^[0-9a-f]{32}$/, JSON.stringify(line));
    for (const line of lines.filter((l) => 'req' in l || 'res' in l))
      assert.ok(typeof line['reqId'] === 'string' && line['reqId'] !== '', JSON.stringify(line));
  });

  it('never hold a secret: Spark’s token, credentials in headers', async () => {
    await app.inject({ url: '/readyz', headers: HEADER_SECRETS });
    await app.inject({ url: '/v1/datasets/events/rows', headers: HEADER_SECRETS });
    await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: HEADER_SECRETS,
      payload: { query: '{ datasets { name } }' },
    });
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    assert.ok(lines.length > 10, `${lines.length} lines`);
    for (const secret of [SPARK_TOKEN, ...Object.values(HEADER_SECRETS)])
      assert.ok(!text.includes(secret.split(' ').at(-1)!), `a log line holds ${secret}`);
    const settings = lines.find((l) => l['msg'] === 'settings') as {
      config: { spark: { token: string }; sparkRemote: string };
    };
    assert.equal(settings.config.spark.token, '[redacted]');
    assert.match(settings.config.sparkRemote, /;token=\*\*\*/);
    const connection = lines.find((l) => l['msg'] === 'connection') as {
      spark: { token: string };
      headers: Record<string, string>;
    };
    assert.equal(connection.spark.token, '[redacted]');
    for (const header of Object.keys(HEADER_SECRETS)) assert.equal(connection.headers[header], '[redacted]');
  });
});
