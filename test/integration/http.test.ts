/**
 * The HTTP API against a real Spark: every format returns exactly what Spark computed, limits
 * say when they cut, failures and disconnects stop Spark's work, every error code is reached.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { arrowSchemaFields } from '../../src/arrow/spark-types.js';
import { type ExactValue } from '../../src/arrow/values.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import type { QuerySpec } from '../../src/query/spec.js';
import { parseCsv } from '../helpers/csv-parser.js';
import { csvText, jsonRow } from '../helpers/expected-json.js';
import { call, serve, type Served } from '../helpers/http.js';
import { collect } from '../helpers/spark.js';
import { runningJobsTagged } from '../helpers/spark-ui.js';
import { batchRows } from '../helpers/arrow-results.js';
import { isSpark40 } from '../helpers/spark-release.js';

const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '4' },
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW items AS
       SELECT id,
         CAST(id % 100 AS INT) AS n,
         id / 4.0D AS x,
         CAST(id * 1.25 AS DECIMAL(12, 2)) AS amount,
         IF(id % 7 = 0, NULL, concat('item "', id, '", ok é')) AS label,
         id % 2 = 0 AS flag,
         date_add(DATE'2024-01-01', CAST(id % 366 AS INT)) AS day,
         timestamp_micros(1704067200000000 + id * 1000001) AS ts,
         CAST(concat('b', id) AS BINARY) AS bytes,
         array(id, id + 1) AS pair,
         named_struct('k', CAST(id % 3 AS STRING), 'v', id) AS info,
         map('a', id) AS attrs,
         id + 9007199254740990 AS big,
         IF(id % 11 = 0, CAST('NaN' AS DOUBLE), id / 3.0D) AS ratio
       FROM range(0, 5000, 1, 3)`,
      'CREATE OR REPLACE TEMPORARY VIEW slow AS SELECT max(id) AS top FROM range(0, 1000000000000)',
      "CREATE OR REPLACE TEMPORARY VIEW many AS SELECT id, concat('row-', id) AS s FROM range(0, 50000000, 1, 64)",
    ],
  },
  datasets: {
    items: { description: 'every type', table: 'items', maxLimit: 100_000, defaultLimit: 100_000 },
    slow: { description: 'runs for hours', table: 'slow' },
    many: {
      description: 'fifty million rows',
      table: 'many',
      maxLimit: 100_000_000,
      defaultLimit: 100_000_000,
    },
  },
});

let served: Served;
before(async () => {
  // Slow and failing statements below call Java by reflection, which raw SQL may do only when allowed.
  served = await serve(
    { RAW_SQL: 'true', RAW_SQL_ALLOW_REFLECTION: 'true', POOL_MAX: '4', JSON_MAX_ROWS: '6000' },
    registry,
  );
});
after(() => served.close());

const ORDERED: QuerySpec = { orderBy: ['id'] };

/** The rows of the same query, straight from Spark. */
async function direct(
  spec: QuerySpec,
): Promise<{ rows: Record<string, ExactValue>[]; columns: { name: string; type: string }[] }> {
  const plan = await served.app.queries.compileDataset('items', spec);
  const result = await served.app.queries.pool.withSession((session) => collect(session, plan));
  return {
    rows: result.rows,
    columns: arrowSchemaFields(result.schema).map(({ name, type }) => ({ name, type })),
  };
}

const query = (format: string, spec: QuerySpec = ORDERED, extra = '') =>
  call('POST', `${served.url}/v1/datasets/items/query?format=${format}${extra}`, { body: spec });

describe('HTTP API against Spark', () => {
  it('NDJSON: exactly the rows Spark computed, column types in a header, counts in trailers', async () => {
    const expected = await direct(ORDERED);
    const answer = await query('ndjson');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/x-ndjson; charset=utf-8');
    assert.deepEqual(JSON.parse(String(answer.headers['result-columns'])), expected.columns);
    const lines = answer
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    assert.equal(lines.length, 5000);
    assert.deepEqual(lines, expected.rows.map(jsonRow));
    assert.deepEqual(answer.trailers, { 'result-rows': '5000', 'result-truncated': 'false' });
  });

  it('JSON: columns and rows in one document', async () => {
    const expected = await direct(ORDERED);
    const answer = await query('json');
    assert.equal(answer.status, 200);
    const doc = answer.json() as { columns: unknown; rows: unknown[]; rowCount: number; truncated: boolean };
    assert.deepEqual(doc.columns, expected.columns);
    assert.deepEqual(doc.rows, expected.rows.map(jsonRow));
    assert.equal(doc.rowCount, 5000);
    assert.equal(doc.truncated, false);
  });

  it('CSV: a header row, RFC 4180 quoting, every value as text', async () => {
    const expected = await direct(ORDERED);
    const answer = await call('POST', `${served.url}/v1/datasets/items/query`, {
      body: ORDERED,
      headers: { accept: 'text/csv; charset=utf-8' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/csv; charset=utf-8; header=present');
    const [header, ...records] = parseCsv(answer.text());
    assert.deepEqual(
      header,
      expected.columns.map((c) => c.name),
    );
    assert.deepEqual(
      records.map((r) => r.map((f) => f ?? '')),
      expected.rows.map((row) => Object.values(row).map(csvText)),
    );
  });

  it('Arrow: one IPC stream that apache-arrow (and PyArrow) read back to the same rows', async () => {
    const expected = await direct(ORDERED);
    const answer = await call('POST', `${served.url}/v1/datasets/items/query`, {
      body: ORDERED,
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    assert.equal(answer.status, 200);
    const table = tableFromIPC(answer.body);
    assert.deepEqual(table.batches.flatMap(batchRows), expected.rows);
    assert.deepEqual(pyarrowRead(answer.body), { rows: 5000, ids: String((4999 * 5000) / 2) });
  });

  it('cuts at maxRows and says so: trailers, a last NDJSON line, the JSON flag, exact Arrow rows', async () => {
    const ndjson = await query('ndjson', ORDERED, '&maxRows=1234');
    const lines = ndjson.text().trimEnd().split('\n');
    assert.equal(lines.length, 1235);
    assert.deepEqual(JSON.parse(lines.at(-1)!), {
      '@truncated': { reason: 'maxRows', rows: 1234, maxRows: 1234, maxBytes: 1024 ** 3 },
    });
    assert.equal(ndjson.headers['result-max-rows'], '1234');
    assert.deepEqual(ndjson.trailers, { 'result-rows': '1234', 'result-truncated': 'true' });

    const json = (await query('json', ORDERED, '&maxRows=10')).json() as {
      rowCount: number;
      truncated: boolean;
    };
    assert.deepEqual([json.rowCount, json.truncated], [10, true]);

    const arrow = await query('arrow', ORDERED, '&maxRows=2345');
    assert.equal(tableFromIPC(arrow.body).numRows, 2345);
    assert.equal(arrow.trailers['result-truncated'], 'true');

    // A limit the result does not reach cuts nothing.
    const whole = await query('ndjson', { ...ORDERED, limit: 100 }, '&maxRows=100');
    assert.equal(whole.trailers['result-truncated'], 'false');
  });

  it('cuts at maxBytes, at a row boundary', async () => {
    const answer = await query('ndjson', ORDERED, '&maxBytes=10000');
    const lines = answer.text().trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { '@truncated': { reason: string; rows: number } };
    assert.equal(last['@truncated'].reason, 'maxBytes');
    const rowBytes = Buffer.byteLength(
      lines
        .slice(0, -1)
        .map((l) => `${l}\n`)
        .join(''),
    );
    assert.ok(rowBytes <= 10000 && rowBytes > 9000, `${rowBytes} bytes of rows`);
    assert.equal(last['@truncated'].rows, lines.length - 1);
  });

  it('ends NDJSON with an error line when Spark fails after rows were sent', async () => {
    const sql =
      "SELECT id, IF(id = 9999, raise_error(concat('boom', reflect('java.lang.Thread', 'sleep', 3000L))), id) AS v " +
      'FROM range(0, 10000, 1, 10)';
    const answer = await call('POST', `${served.url}/v1/sql`, { body: { sql } });
    assert.equal(answer.status, 200);
    const lines = answer
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.length > 1, 'rows came before the failure');
    const last = lines.at(-1) as { '@error': { code: string; errorClass: string; status: number } };
    assert.equal(last['@error'].code, 'SPARK_DATA_ERROR');
    assert.equal(last['@error'].errorClass, 'USER_RAISED_EXCEPTION');
    assert.deepEqual(lines[0], { id: '0', v: '0' });
  });

  it('aborts an Arrow response when Spark fails after rows were sent', async () => {
    const sql =
      "SELECT id, IF(id = 9999, raise_error(concat('boom', reflect('java.lang.Thread', 'sleep', 3000L))), id) AS v " +
      'FROM range(0, 10000, 1, 10)';
    await assert.rejects(
      call('POST', `${served.url}/v1/sql?format=arrow`, { body: { sql } }),
      (err: unknown) =>
        err instanceof Error && /aborted|socket hang up|ECONNRESET|terminated/i.test(err.message),
    );
  });

  it('stops the Spark job within 2 s when the client leaves before the first row', async () => {
    const id = `leaving-early-${Date.now()}`;
    const controller = new AbortController();
    const pending = call('POST', `${served.url}/v1/datasets/slow/query`, {
      body: {},
      headers: { 'request-id': id },
      signal: controller.signal,
    });
    await waitForJob(id);
    const left = Date.now();
    controller.abort();
    await assert.rejects(pending);
    await assertJobsStop(id, left);
  });

  it('stops the Spark job within 2 s when the client leaves mid-stream', async () => {
    const id = `leaving-mid-stream-${Date.now()}`;
    const left = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${served.url}/v1/datasets/many/rows`,
        { headers: { 'request-id': id } },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > 1_000_000) {
              req.destroy();
              resolve(Date.now());
            }
          });
        },
      );
      req.on('error', () => undefined);
      req.on('close', () => {
        reject(new Error('closed before 1 MB arrived'));
      });
      req.end();
    });
    await assertJobsStop(id, left);
  });

  it('maps Spark’s errors: query errors 400, unknown tables 404, data errors 422, failures 502 without internals', async () => {
    const sql = (text: string) => call('POST', `${served.url}/v1/sql`, { body: { sql: text } });
    // Spark 4.0 can be asked to check only a query, and a text that does not parse is not one.
    const syntax: [string, number, string, string | undefined] = (await isSpark40(served))
      ? ['SELEC 1', 403, 'SQL_UNCHECKABLE', undefined]
      : ['SELEC 1', 400, 'SPARK_QUERY_ERROR', 'PARSE_SYNTAX_ERROR'];
    const cases: [string, number, string, string | undefined][] = [
      syntax,
      ['SELECT * FROM nowhere', 404, 'TABLE_NOT_FOUND', 'TABLE_OR_VIEW_NOT_FOUND'],
      ['SELECT 1 / 0', 422, 'SPARK_DATA_ERROR', 'DIVIDE_BY_ZERO'],
      ["SELECT reflect('java.lang.Integer', 'parseInt', 'x')", 502, 'SPARK_ERROR', undefined],
    ];
    for (const [text, status, code, errorClass] of cases) {
      const answer = await sql(text);
      assert.equal(answer.status, status, text);
      const problem = answer.json() as { code: string; errorClass?: string; detail: string };
      assert.equal(problem.code, code, text);
      assert.equal(problem.errorClass, errorClass, text);
      if (status >= 500)
        assert.doesNotMatch(problem.detail, /java\.|at org\.|Exception/, 'no internals in a 5xx');
    }
    const invalid = await call('POST', `${served.url}/v1/datasets/items/query`, {
      body: { where: { op: 'eq', column: 'nope', value: 1 } },
    });
    assert.equal(invalid.status, 400);
    assert.equal((invalid.json() as { code: string; pointer: string }).pointer, '/where/column');
  });

  it('binds raw SQL parameters, named and positional, typed or bare', async () => {
    const named = await call('POST', `${served.url}/v1/sql`, {
      body: {
        sql: 'SELECT :a AS a, :b AS b, :c AS c, :d AS d',
        params: {
          a: { type: 'long', value: '9007199254740993' },
          b: "it's",
          c: 2.5,
          d: { type: 'date', value: '2024-02-29' },
        },
      },
    });
    assert.deepEqual(JSON.parse(named.text()), { a: '9007199254740993', b: "it's", c: 2.5, d: '2024-02-29' });
    const positional = await call('POST', `${served.url}/v1/sql`, {
      body: { sql: 'SELECT ? AS a, ? AS b', positional: [1, true] },
    });
    assert.deepEqual(JSON.parse(positional.text()), { a: 1, b: true });
    const both = await call('POST', `${served.url}/v1/sql`, {
      body: { sql: 'SELECT 1', params: {}, positional: [] },
    });
    assert.equal(both.status, 400);
  });
});

describe('HTTP API limits against Spark', () => {
  it('QUERY_TIMEOUT when no row comes in time, and the Spark job stops', async () => {
    const local = await serve({ QUERY_TIMEOUT_MS: '3000' }, registry);
    try {
      const id = `timeout-${Date.now()}`;
      const answer = await call('POST', `${local.url}/v1/datasets/slow/query`, {
        body: {},
        headers: { 'request-id': id },
      });
      assert.equal(answer.status, 504);
      assert.equal((answer.json() as { code: string }).code, 'QUERY_TIMEOUT');
      await assertJobsStop(id, Date.now());
    } finally {
      await local.close();
    }
  });

  it('SESSIONS_BUSY with Retry-After when every session is taken', async () => {
    const local = await serve({ POOL_MAX: '1', POOL_ACQUIRE_TIMEOUT_MS: '300' }, registry);
    const controller = new AbortController();
    try {
      const id = `busy-${Date.now()}`;
      const holding = call('POST', `${local.url}/v1/datasets/slow/query`, {
        body: {},
        headers: { 'request-id': id },
        signal: controller.signal,
      });
      await waitForJob(id);
      const answer = await call('GET', `${local.url}/v1/datasets/items/rows?limit=1`);
      assert.equal(answer.status, 503);
      assert.equal((answer.json() as { code: string }).code, 'SESSIONS_BUSY');
      assert.equal(answer.headers['retry-after'], '1');
      controller.abort();
      await holding.catch(() => undefined);
      await assertJobsStop(id, Date.now());
    } finally {
      await local.close();
    }
  });

  it('SHUTTING_DOWN for requests that arrive while the service drains', async () => {
    const local = await serve({ SHUTDOWN_GRACE_MS: '2000' }, registry);
    const id = `draining-${Date.now()}`;
    const running = call('POST', `${local.url}/v1/datasets/slow/query`, {
      body: {},
      headers: { 'request-id': id },
    }).catch((err: unknown) => err);
    await waitForJob(id);
    // What preClose starts: the pool drains while the server still routes requests.
    const draining = local.app.queries.pool.close(2_000);
    const answer = await local.app.inject('/v1/datasets/items/rows?limit=1');
    assert.equal(answer.statusCode, 503);
    assert.equal(answer.json<{ code: string }>().code, 'SHUTTING_DOWN');
    await draining;
    await local.close();
    await running;
    await assertJobsStop(id, Date.now());
  });
});

async function waitForJob(requestId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await runningJobsTagged(`Tag_spark-data-api:${requestId}`)).length === 0) {
    if (Date.now() > deadline) throw new Error(`no Spark job for ${requestId}`);
    await sleep(100);
  }
}

async function assertJobsStop(requestId: string, since: number): Promise<void> {
  for (;;) {
    const jobs = await runningJobsTagged(`Tag_spark-data-api:${requestId}`);
    if (jobs.length === 0) return;
    if (Date.now() - since > 2_000)
      assert.fail(`Spark jobs ${jobs.join(', ')} of ${requestId} still run after 2 s`);
    await sleep(100);
  }
}

/** PyArrow's view of an Arrow stream (row count, sum of ids). */
function pyarrowRead(bytes: Buffer): { rows: number; ids: string } {
  const python = process.env['PYTHON'] ?? 'python3';
  const out = execFileSync(
    python,
    [
      '-c',
      'import sys, pyarrow as pa, pyarrow.compute as pc\nt = pa.ipc.open_stream(sys.stdin.buffer.read()).read_all()\nprint(t.num_rows, pc.sum(t["id"]).as_py())',
    ],
    { input: bytes },
  ).toString();
  const [rows, ids] = out.trim().split(' ');
  return { rows: Number(rows), ids: ids ?? '' };
}
