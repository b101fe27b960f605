/**
 * Metrics and traces against Spark: after a workload, /metrics says what happened (requests by
 * route and status, the rows and bytes sent, Spark executions and interrupts, the pool, the
 * GraphQL cache); one request's trace holds its compile, session lease and Spark execution
 * under its HTTP span, and Spark's jobs carry the trace id as a tag.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { startTracing, type Tracing } from '../../src/observability/tracing.js';
import { parseConnectionString } from '../../src/spark/connection-string.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Answer, type Served } from '../helpers/http.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const ROWS = 20_000;
/** Rows of a stream far larger than what sockets buffer (over 100 MB as NDJSON). */
const MANY = 1_000_000;

const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '4' },
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW numbers AS
       SELECT id, CAST(id % 10 AS INT) AS k, concat('n', id) AS label FROM range(0, ${ROWS}, 1, 4)`,
      `CREATE OR REPLACE TEMPORARY VIEW many AS
       SELECT id, repeat('x', 100) AS pad FROM range(0, ${MANY}, 1, 4)`,
    ],
  },
  datasets: {
    numbers: { description: 'numbers', table: 'numbers', maxLimit: 100_000, defaultLimit: 100 },
    cached_numbers: { description: 'the same, cached', table: 'numbers', cacheTtlSeconds: 300 },
    many: { description: 'a million rows', table: 'many', maxLimit: MANY },
  },
});

const POOL_MIN = 1;
const POOL_MAX = 3;

const memory = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let served: Served;
let client: SparkConnectClient;

before(async () => {
  tracing = await startTracing(loadConfig({}).tracing, {
    processors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  client = SparkConnectClient.connect(sparkRemote());
  served = await serve(
    { POOL_MIN: String(POOL_MIN), POOL_MAX: String(POOL_MAX), ANONYMOUS: 'true' },
    registry,
    { spark: client },
  );
});

after(async () => {
  await served.close();
  client.close();
  await tracing?.shutdown();
});

/** One sample of the text format: name, labels, value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

async function scrape(): Promise<Sample[]> {
  const answer = await call('GET', `${served.url}/metrics`);
  assert.equal(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return answer
    .text()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
        labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/**
 * A scrape, with the client's execution counts of the same moment: sessions may still be set up
 * in the background (their statements are executions), so a scrape during which one ended is
 * taken again.
 */
async function scrapeSettled(): Promise<{ samples: Sample[]; executions: ExecutionSnapshot }> {
  for (;;) {
    const executions = client.executions.snapshot();
    const samples = await scrape();
    if (JSON.stringify(client.executions.snapshot()) === JSON.stringify(executions))
      return { samples, executions };
  }
}

type ExecutionSnapshot = ReturnType<SparkConnectClient['executions']['snapshot']>;

/** The sum of the samples of a series whose labels include `labels`. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.reduce((sum, s) => sum + s.value, 0);
}

const P = 'spark_data_api_';
const ROWS_ROUTE = '/v1/datasets/:name/rows';
const QUERY_ROUTE = '/v1/datasets/:name/query';

describe('/metrics after a workload', () => {
  it('counts requests, rows, bytes, executions, interrupts, the pool and the GraphQL cache', async () => {
    const { samples: before, executions: executionsBefore } = await scrapeSettled();

    // Every result format, each response's rows and bytes noted from what the client received.
    const sent = new Map<string, { rows: number; bytes: number; requests: number }>();
    const note = (route: string, format: string, answer: Answer, rows: number) => {
      assert.equal(answer.status, 200, answer.text());
      const key = `${route} ${format}`;
      const entry = sent.get(key) ?? { rows: 0, bytes: 0, requests: 0 };
      sent.set(key, {
        rows: entry.rows + rows,
        bytes: entry.bytes + answer.body.byteLength,
        requests: entry.requests + 1,
      });
    };
    const rowsOf = (answer: Answer) =>
      Number(answer.trailers['result-rows'] ?? answer.headers['result-rows']);

    for (const limit of [10, 1_000, 15_000]) {
      const answer = await call('GET', `${served.url}/v1/datasets/numbers/rows?limit=${limit}`);
      assert.equal(answer.text().trim().split('\n').length, limit);
      note(ROWS_ROUTE, 'ndjson', answer, rowsOf(answer));
    }
    const json = await call('GET', `${served.url}/v1/datasets/numbers/rows?limit=50&format=json`);
    assert.equal((json.json() as { rows: unknown[] }).rows.length, 50);
    note(ROWS_ROUTE, 'json', json, rowsOf(json));
    const arrow = await call('GET', `${served.url}/v1/datasets/numbers/rows?limit=5000&format=arrow`);
    note(ROWS_ROUTE, 'arrow', arrow, rowsOf(arrow));
    assert.equal(rowsOf(arrow), 5000);
    const grouped = { groupBy: [{ column: 'k' }], aggregates: [{ fn: 'count', as: 'n' }], orderBy: ['k'] };
    for (let i = 0; i < 2; i++) {
      const csv = await call('POST', `${served.url}/v1/datasets/numbers/query?format=csv`, { body: grouped });
      assert.equal(csv.text().trim().split('\n').length, 11);
      note(QUERY_ROUTE, 'csv', csv, rowsOf(csv));
    }
    // A response cut by maxRows stops its Spark operation: an interrupt.
    const cut = await call(
      'GET',
      `${served.url}/v1/datasets/numbers/rows?limit=10000&maxRows=100&format=csv`,
    );
    assert.equal(cut.trailers['result-truncated'], 'true');
    note(ROWS_ROUTE, 'csv', cut, rowsOf(cut));
    // Three at once: the pool grows within its bounds.
    await Promise.all(
      [1, 2, 3].map(async () => {
        const answer = await call('GET', `${served.url}/v1/datasets/numbers/rows?limit=20000`);
        note(ROWS_ROUTE, 'ndjson', answer, rowsOf(answer));
      }),
    );
    // Refused ones.
    assert.equal((await call('GET', `${served.url}/v1/datasets/nope/rows`)).status, 404);
    assert.equal((await call('GET', `${served.url}/no/such/route`)).status, 404);
    // GraphQL: the same cached field twice, a miss then a hit.
    for (let i = 0; i < 2; i++) {
      const answer = await call('POST', `${served.url}/graphql`, {
        body: { query: '{ cached_numbers(limit: 5, orderBy: [{ id: asc }]) { id } }' },
      });
      assert.equal(answer.status, 200, answer.text());
      assert.equal((answer.json() as { data: { cached_numbers: unknown[] } }).data.cached_numbers.length, 5);
    }

    const { samples, executions } = await scrapeSettled();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(samples, name, labels) - value(before, name, labels);

    // Requests, by route and status, as many as were made.
    const requests = (route: string, status: string, method = 'GET') =>
      delta(`${P}http_requests_total`, { method, route, status });
    assert.equal(requests(ROWS_ROUTE, '200'), 9);
    assert.equal(requests(QUERY_ROUTE, '200', 'POST'), 2);
    assert.equal(requests(ROWS_ROUTE, '404'), 1);
    assert.equal(requests('unmatched', '404'), 1);
    assert.equal(requests('/graphql', '200', 'POST'), 2);
    assert.equal(requests('/metrics', '200'), 1, 'the first scrape');
    assert.equal(
      delta(`${P}http_request_duration_seconds_count`, { method: 'GET', route: ROWS_ROUTE, status: '200' }),
      9,
    );
    assert.ok(delta(`${P}http_request_duration_seconds_sum`, { route: ROWS_ROUTE }) > 0);

    // Rows and bytes: exactly what the clients received.
    for (const [key, expected] of sent) {
      const [route, format] = key.split(' ') as [string, string];
      assert.equal(delta(`${P}result_rows_total`, { route, format }), expected.rows, `rows of ${key}`);
      assert.equal(delta(`${P}result_bytes_total`, { route, format }), expected.bytes, `bytes of ${key}`);
    }
    assert.equal(
      value(samples, `${P}result_rows_total`) - value(before, `${P}result_rows_total`),
      [...sent.values()].reduce((sum, s) => sum + s.rows, 0),
    );

    // Spark executions: what the client counted, and at least one interrupt (the cut response).
    const ended = (s: typeof executions) => s.completed + s.failed + s.interrupted;
    assert.equal(
      delta(`${P}spark_execution_duration_seconds_count`),
      ended(executions) - ended(executionsBefore),
    );
    assert.ok(delta(`${P}spark_execution_duration_seconds_count`, { outcome: 'completed' }) >= 11);
    assert.ok(delta(`${P}spark_execution_duration_seconds_sum`) > 0);
    assert.equal(value(samples, `${P}spark_interrupts_total`), executions.interrupted);
    assert.ok(delta(`${P}spark_interrupts_total`) >= 1);
    assert.equal(value(samples, `${P}spark_reattaches_total`), executions.reattached);
    assert.equal(value(samples, `${P}spark_executions_running`), executions.running);

    // The pool: within its bounds, nobody waiting now.
    const tenant = { tenant: 'default' };
    const open = value(samples, `${P}pool_sessions`, tenant);
    assert.equal(value(samples, `${P}pool_min_sessions`, tenant), POOL_MIN);
    assert.equal(value(samples, `${P}pool_max_sessions`, tenant), POOL_MAX);
    assert.ok(open >= POOL_MIN && open <= POOL_MAX, `${open} sessions`);
    assert.equal(value(samples, `${P}pool_sessions`, { ...tenant, state: 'in_use' }), 0);
    assert.equal(value(samples, `${P}pool_waiting_requests`, tenant), 0);
    assert.ok(value(samples, `${P}pool_sessions_created_total`, tenant) >= POOL_MIN);
    assert.equal(value(samples, `${P}pool_create_failures_total`, tenant), 0);
    const stats = served.app.queries.pool.stats();
    assert.equal(value(samples, `${P}pool_sessions_created_total`, tenant), stats.created);

    // The GraphQL cache.
    assert.equal(delta(`${P}graphql_cache_misses_total`), 1);
    assert.equal(delta(`${P}graphql_cache_hits_total`), 1);
    assert.equal(delta(`${P}graphql_joined_total`), 0);

    // And the process.
    assert.ok(value(samples, 'process_resident_memory_bytes') > 0);
    assert.ok(value(samples, 'nodejs_heap_size_used_bytes') > 0);
  });

  it('counts the rows of a stream still running when Prometheus scrapes', async () => {
    const controller = new AbortController();
    const before = value(await scrape(), `${P}result_rows_total`, { route: ROWS_ROUTE, format: 'ndjson' });
    // A reader that stops reading: the stream pauses once the sockets' buffers are full.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${served.url}/v1/datasets/many/rows?limit=${MANY}`, {
        signal: controller.signal,
      });
      req.on('response', resolve).on('error', reject).end();
    });
    response.pause();
    response.on('error', () => undefined);
    try {
      let counted = 0;
      for (let attempt = 0; attempt < 100 && counted === 0; attempt++) {
        await sleep(50);
        counted =
          value(await scrape(), `${P}result_rows_total`, { route: ROWS_ROUTE, format: 'ndjson' }) - before;
      }
      assert.ok(counted > 0, 'rows sent so far are counted before the response ends');
      assert.ok(counted < MANY, `${counted} rows counted while the client has not read them all`);
    } finally {
      controller.abort();
    }
  });
});

/** Spans of one trace, once its server span has ended. */
async function traceOf(requestId: string): Promise<ReadableSpan[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const server = memory
      .getFinishedSpans()
      .find((s) => s.kind === SpanKind.SERVER && s.attributes['spark_data_api.request_id'] === requestId);
    if (server !== undefined) {
      const traceId = server.spanContext().traceId;
      return memory.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    }
    await sleep(50);
  }
  throw new Error(`no server span for request ${requestId}`);
}

function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `${name}: ${found.length} spans in ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** Tags of the Spark jobs of the test server with a tag containing `fragment`. */
async function sparkJobTags(fragment: string): Promise<string[][]> {
  const ui = process.env['SPARK_UI_URL'] ?? `http://${parseConnectionString(sparkRemote()).host}:4040`;
  const base = `${ui}/api/v1/applications`;
  const apps = (await (await fetch(base)).json()) as { id: string }[];
  const tags: string[][] = [];
  for (const app of apps) {
    const jobs = (await (await fetch(`${base}/${app.id}/jobs`)).json()) as { jobTags?: string[] }[];
    for (const job of jobs)
      if ((job.jobTags ?? []).some((t) => t.includes(fragment))) tags.push(job.jobTags!);
  }
  return tags;
}

describe('a trace of one request', () => {
  it('has the HTTP span with compile, session lease and Spark execution under it, and Spark knows its id', async () => {
    // The caller's trace context is continued.
    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const answer = await call('POST', `${served.url}/v1/datasets/numbers/query`, {
      headers: { traceparent: `00-${callerTrace}-${callerSpan}-01`, 'request-id': 'traced-request-1' },
      body: { groupBy: [{ column: 'k' }], aggregates: [{ fn: 'sum', column: 'id', as: 'total' }] },
    });
    assert.equal(answer.status, 200, answer.text());
    assert.equal(answer.text().trim().split('\n').length, 10);

    const spans = await traceOf('traced-request-1');
    const http = only(spans, 'POST /v1/datasets/:name/query');
    assert.equal(http.spanContext().traceId, callerTrace);
    assert.equal(http.parentSpanContext?.spanId, callerSpan);
    assert.equal(http.attributes['http.route'], QUERY_ROUTE);
    assert.equal(http.attributes['http.response.status_code'], 200);

    const compile = only(spans, 'plan.compile');
    const lease = only(spans, 'spark.session.lease');
    const execute = only(spans, 'spark.execute');
    for (const child of [compile, lease, execute]) {
      assert.equal(child.parentSpanContext?.spanId, http.spanContext().spanId, `${child.name}'s parent`);
    }
    // In order: compiled, then a session, then the execution, which ends with the result
    // (span start times are whole milliseconds of the clock: allow one).
    const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
    const before = (a: ReadableSpan, b: ReadableSpan) => {
      assert.ok(ms(a.endTime) <= ms(b.startTime) + 1, `${a.name} ends before ${b.name} starts`);
    };
    before(compile, lease);
    before(lease, execute);
    assert.ok(ms(execute.endTime) <= ms(http.endTime) + 1, 'the execution ends before the response');
    assert.equal(execute.attributes['spark.execution.outcome'], 'completed');
    assert.equal(execute.attributes['spark.session_id'], lease.attributes['spark.session_id']);

    // The Spark operation carried the trace id (and the request id) as tags.
    const tags = execute.attributes['spark.operation.tags'] as string[];
    assert.deepEqual([...tags].sort(), [`spark-data-api:traced-request-1`, `trace-id:${callerTrace}`]);
    const operationId = String(execute.attributes['spark.operation_id']);
    let jobs: string[][] = [];
    for (let attempt = 0; attempt < 50 && jobs.length === 0; attempt++) {
      jobs = await sparkJobTags(`trace-id:${callerTrace}`);
      if (jobs.length === 0) await sleep(200);
    }
    assert.ok(jobs.length > 0, 'Spark has jobs tagged with the trace id');
    for (const job of jobs)
      assert.ok(
        job.some((tag) => tag.endsWith(`_Operation_${operationId}`)),
        String(job),
      );
  });

  it('for GraphQL, has a span per field, each holding the spans of its own query', async () => {
    const answer = await call('POST', `${served.url}/graphql`, {
      headers: { 'request-id': 'traced-graphql-1' },
      body: {
        query: `{ low: numbers(limit: 3, where: { k: { _eq: 1 } }) { id }
                  high: numbers(limit: 3, where: { k: { _eq: 9 } }) { id } }`,
      },
    });
    assert.equal(answer.status, 200, answer.text());
    const spans = await traceOf('traced-graphql-1');
    const http = only(spans, 'POST /graphql');
    const fields = spans.filter((s) => s.name === 'graphql.resolve numbers');
    assert.deepEqual(fields.map((f) => f.attributes['graphql.field.path']).sort(), ['high', 'low']);
    for (const field of fields) {
      assert.equal(field.parentSpanContext?.spanId, http.spanContext().spanId);
      const children = spans.filter((s) => s.parentSpanContext?.spanId === field.spanContext().spanId);
      assert.deepEqual(children.map((s) => s.name).sort(), [
        'plan.compile',
        'spark.execute',
        'spark.session.lease',
      ]);
    }
  });
});
