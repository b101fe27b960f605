/**
 * Types of newer Spark releases: TIME (4.1+, when enabled) is served in every format as Spark
 * writes it; VARIANT, which Spark sends in its binary encoding, is refused in every format
 * with a clear error rather than served as bytes; strings and binaries sent as Arrow's large
 * types (spark.sql.execution.arrow.useLargeVarTypes) are served like the usual ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { batchRows } from '../helpers/arrow-results.js';
import { parseCsv } from '../helpers/csv-parser.js';
import { call, serve, type Served } from '../helpers/http.js';
import { isSpark40 } from '../helpers/spark-release.js';

const STRINGS = ['', 'plain', 'héllo wörld ✓', 'a,b "quoted"\nline', null];
const TIMES = ['00:00:00', '12:34:56.123456', '23:59:59.999999', '07:08:09.5', null];

const registry = new DatasetRegistry({
  setup: {
    statements: [
      'SET spark.sql.timeType.enabled=true',
      'SET spark.sql.execution.arrow.useLargeVarTypes=true',
    ],
  },
  datasets: {
    times: {
      description: 'times of day, with the text Spark makes of each',
      sql: `SELECT id, t, CAST(t AS STRING) AS spark_text
            FROM VALUES ${TIMES.map((t, i) => `(${i}, ${t === null ? 'CAST(NULL AS TIME(6))' : `CAST('${t}' AS TIME(6))`})`).join(', ')} AS v(id, t)`,
    },
    large: {
      description: 'strings and binaries, sent as large Arrow types, with what Spark makes of them',
      sql: `SELECT id, s, b, base64(b) AS b64, l, to_json(l) AS lj, st, to_json(st) AS stj
            FROM VALUES ${STRINGS.map((v, i) => `(${i}, ${v === null ? 'CAST(NULL AS STRING)' : `'${v}'`})`).join(', ')} AS v(id, s)
            LATERAL VIEW OUTER explode(array(encode(s, 'UTF-8'))) e AS b
            LATERAL VIEW OUTER explode(array(array(s, 'x'))) f AS l
            LATERAL VIEW OUTER explode(array(named_struct('s', s, 'b', b))) g AS st`,
    },
    variants: {
      description: 'a VARIANT column',
      sql: `SELECT id, parse_json('{"a":1}') AS v FROM range(2)`,
    },
  },
});

let served: Served;
before(async () => {
  served = await serve({ RAW_SQL: 'true' }, registry);
});
after(async () => {
  await served.close();
});

const rows = (dataset: string, format: string) =>
  call('GET', `${served.url}/v1/datasets/${dataset}/rows?format=${format}&orderBy=id`);

describe('TIME columns', () => {
  it('are served as the text Spark makes of them, in every format', async () => {
    if (await isSpark40(served)) {
      // Spark 4.0 has no TIME type: there is nothing to serve, and the query says so.
      const refused = await rows('times', 'ndjson');
      assert.equal(refused.status, 400, refused.text());
      assert.equal((refused.json() as { errorClass: string }).errorClass, 'UNSUPPORTED_DATATYPE');
      return;
    }
    const ndjson = await rows('times', 'ndjson');
    assert.equal(ndjson.status, 200, ndjson.text());
    const lines = ndjson
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string | null; spark_text: string | null });
    assert.equal(lines.length, TIMES.length);
    for (const line of lines) assert.equal(line.t, line.spark_text);

    const json = await rows('times', 'json');
    assert.equal(json.status, 200, json.text());
    const { rows: jsonRows } = json.json() as { rows: { t: string | null; spark_text: string | null }[] };
    assert.deepEqual(
      jsonRows.map((r) => r.t),
      lines.map((l) => l.spark_text),
    );

    const csv = await rows('times', 'csv');
    assert.equal(csv.status, 200, csv.text());
    const [head, ...body] = parseCsv(csv.text());
    const t = head!.indexOf('t');
    const text = head!.indexOf('spark_text');
    assert.equal(body.length, TIMES.length);
    for (const row of body) assert.equal(row[t], row[text]);

    const arrow = await rows('times', 'arrow');
    assert.equal(arrow.status, 200, arrow.text().slice(0, 300));
    const table = tableFromIPC(arrow.body);
    assert.equal(String(table.schema.fields.find((f) => f.name === 't')?.type), 'Time64<NANOSECOND>');
    const decoded = table.batches.flatMap(batchRows);
    assert.deepEqual(
      decoded.map((r) => r['t']),
      lines.map((l) => l.spark_text),
    );
  });
});

describe('VARIANT columns', () => {
  for (const format of ['ndjson', 'json', 'csv', 'arrow']) {
    it(`are refused as ${format}, saying how to select them`, async () => {
      const answer = await rows('variants', format);
      assert.equal(answer.status, 422, answer.text());
      const problem = answer.json() as { code: string; detail: string };
      assert.equal(problem.code, 'UNSERVABLE_COLUMN');
      assert.match(problem.detail, /"v" is or holds a VARIANT.*to_json/);
    });
  }

  it('are refused inside other types and through raw SQL', async () => {
    const answer = await call('POST', `${served.url}/v1/sql?format=ndjson`, {
      body: { sql: `SELECT 1 AS n, array(parse_json('[1,2]')) AS vs` },
    });
    assert.equal(answer.status, 422, answer.text());
    assert.match((answer.json() as { detail: string }).detail, /"vs" is or holds a VARIANT/);
    const ok = await call('POST', `${served.url}/v1/sql?format=ndjson`, {
      body: { sql: `SELECT to_json(parse_json('{"a":1}')) AS v` },
    });
    assert.equal(ok.text().trim(), JSON.stringify({ v: '{"a":1}' }));
  });
});

describe('datasets with these columns', () => {
  it('are described, in the OpenAPI document and GraphQL too', async () => {
    // Spark 4.0 has no TIME type (see above): only the VARIANT dataset is there to describe.
    const times = !(await isSpark40(served));
    for (const name of times ? ['times', 'variants'] : ['variants']) {
      const described = await call('GET', `${served.url}/v1/datasets/${name}`);
      assert.equal(described.status, 200, described.text());
    }
    if (times) {
      const columns = (
        (await call('GET', `${served.url}/v1/datasets/times`)).json() as {
          columns: { name: string; type: string }[];
        }
      ).columns;
      assert.equal(columns.find((c) => c.name === 't')?.type, 'time(6)');
    }
    const openapi = await call('GET', `${served.url}/openapi.json`);
    assert.equal(openapi.status, 200);
    assert.ok(openapi.text().includes('/v1/datasets/variants/rows'));
    const graphql = await call('POST', `${served.url}/graphql`, {
      body: { query: '{ __schema { queryType { fields { name } } } }' },
    });
    assert.equal(graphql.status, 200, graphql.text());
    const fields = (graphql.json() as { data: { __schema: { queryType: { fields: { name: string }[] } } } })
      .data.__schema.queryType.fields;
    assert.ok(fields.some((f) => f.name === (times ? 'times' : 'variants')));
  });
});

describe('large Arrow strings and binaries', () => {
  it('are served like the usual ones, in every format', async () => {
    interface Row {
      s: string | null;
      b: string | null;
      b64: string | null;
      l: unknown;
      lj: string;
      st: unknown;
      stj: string;
    }
    const ndjson = await rows('large', 'ndjson');
    assert.equal(ndjson.status, 200, ndjson.text());
    const lines = ndjson
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    assert.deepEqual(
      lines.map((r) => r.s),
      STRINGS,
    );
    for (const row of lines) {
      assert.equal(row.b, row.b64);
      assert.deepEqual(row.l, JSON.parse(row.lj));
      assert.deepEqual(row.st, { ...(JSON.parse(row.stj) as object), b: row.b64, s: row.s });
    }

    const json = await rows('large', 'json');
    assert.equal(json.status, 200, json.text());
    assert.deepEqual((json.json() as { rows: Row[] }).rows, lines);

    const csv = await rows('large', 'csv');
    assert.equal(csv.status, 200, csv.text());
    const [head, ...body] = parseCsv(csv.text());
    const at = (name: string) => head!.indexOf(name);
    assert.deepEqual(
      body.map((r) => r[at('s')]),
      STRINGS,
    );
    for (const row of body) assert.equal(row[at('b')], row[at('b64')]);

    const arrow = await rows('large', 'arrow');
    assert.equal(arrow.status, 200, arrow.text().slice(0, 300));
    const table = tableFromIPC(arrow.body);
    assert.equal(String(table.schema.fields.find((f) => f.name === 's')?.type), 'LargeUtf8');
    assert.deepEqual(
      table.batches.flatMap(batchRows).map((r) => r['s']),
      STRINGS,
    );
  });
});
