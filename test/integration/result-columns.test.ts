/**
 * `Result-Columns` names the columns as the rows key them, with struct types Spark's DDL parser
 * reads back, and stays short enough for real clients: a result too wide for it leaves it out,
 * says so, and Node's fetch and Python's http.client read the answer; the JSON format lists
 * the columns instead.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Schema, Struct } from 'apache-arrow';
import { arrowSchemaFields } from '../../src/arrow/spark-types.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { serve, type Served } from '../helpers/http.js';
import { collectSql } from '../helpers/spark.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const ODD = `SELECT 1 AS a, 2 AS a, 3 AS a_2,
  named_struct('a,b', 1, 'c:d', 'x', 'e\`f', 2.0D, 'ok_1', 1, '1', 2, 'é 😀', 3,
    'in', named_struct('x>y', array(1))) AS s,
  4 AS \`del\u007fé\``;
const LONG = 'column_with_a_long_and_descriptive_name_'.repeat(6);
const WIDE = `SELECT ${Array.from({ length: 256 }, (_, k) => `id + ${k} AS ${LONG}${k}`).join(', ')} FROM range(3)`;

const run = promisify(execFile);
let served: Served;
let spark: SparkConnectClient;

before(async () => {
  spark = SparkConnectClient.connect(sparkRemote());
  const registry = new DatasetRegistry({
    setup: { configs: {}, statements: [] },
    datasets: {
      wide: { description: '256 long column names', sql: WIDE },
    },
  });
  served = await serve({ RAW_SQL: 'true' }, registry, { spark });
});

after(async () => {
  await served.close();
  spark.close();
});

/** Raw SQL, the one route whose results may repeat a column name. */
const sql = (text: string, format = 'ndjson') =>
  fetch(`${served.url}/v1/sql?format=${format}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });

/** The field names of the first column, a struct. */
const fieldNames = (schema: Schema) => (schema.fields[0]!.type as Struct).children.map((f) => f.name);

interface Column {
  name: string;
  type: string;
}

describe('Result-Columns', () => {
  it('names the columns as the rows key them, with struct types Spark reads back', async () => {
    for (const format of ['ndjson', 'json', 'csv', 'arrow']) {
      const answer = await sql(ODD, format);
      assert.equal(answer.status, 200);
      const columns = JSON.parse(answer.headers.get('result-columns') ?? 'null') as Column[];
      assert.deepEqual(
        columns.map((c) => c.name),
        ['a', 'a_3', 'a_2', 's', 'del\u007fé'],
        format,
      );
      const body = await answer.text();
      if (format === 'ndjson')
        assert.deepEqual(
          Object.keys(JSON.parse(body) as object),
          columns.map((c) => c.name),
        );
      if (format === 'json') assert.deepEqual((JSON.parse(body) as { columns: Column[] }).columns, columns);
    }
    const answer = await sql(ODD);
    const columns = JSON.parse(answer.headers.get('result-columns') ?? 'null') as Column[];
    const struct = columns[3]!.type;
    assert.equal(
      struct,
      'struct<`a,b`:int,`c:d`:string,`e``f`:double,ok_1:int,`1`:int,`é 😀`:int,in:struct<`x>y`:array<int>>>',
    );

    // Spark's own reading of the type: the same fields, names and types.
    const session = spark.newSession();
    try {
      const { schema: ours } = await collectSql(session, `SELECT CAST(NULL AS ${struct}) AS s`);
      const { schema: theirs } = await collectSql(session, `SELECT s FROM (${ODD})`);
      assert.deepEqual(
        arrowSchemaFields(ours).map((f) => f.type),
        arrowSchemaFields(theirs).map((f) => f.type),
      );
      assert.deepEqual(fieldNames(ours), fieldNames(theirs));
    } finally {
      await session.release();
    }
  });

  it("is left out when too long, so Node's fetch reads the answer; JSON lists the columns", async () => {
    const answer = await fetch(`${served.url}/v1/datasets/wide/rows?format=ndjson`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('result-columns'), null);
    assert.equal(answer.headers.get('result-columns-omitted'), 'true');
    assert.equal((await answer.text()).trimEnd().split('\n').length, 3);

    const json = await fetch(`${served.url}/v1/datasets/wide/rows?format=json&limit=0`);
    const doc = (await json.json()) as { columns: Column[]; rows: unknown[] };
    assert.equal(doc.rows.length, 0);
    const session = spark.newSession();
    try {
      const { schema } = await collectSql(session, `${WIDE} LIMIT 0`);
      assert.deepEqual(
        doc.columns,
        arrowSchemaFields(schema).map(({ name, type }) => ({ name, type })),
      );
    } finally {
      await session.release();
    }

    const small = await sql(ODD);
    assert.equal(small.headers.get('result-columns-omitted'), null);
  });

  it("is read by Python's http.client", async () => {
    const python = process.env['PYTHON'] ?? 'python3';
    const script = [
      'import sys, urllib.request',
      'with urllib.request.urlopen(sys.argv[1]) as r:',
      '    body = r.read()',
      '    print(r.status, r.headers.get("result-columns-omitted"), len(body.splitlines()))',
    ].join('\n');
    const { stdout } = await run(python, ['-c', script, `${served.url}/v1/datasets/wide/rows`]);
    assert.equal(stdout.trim(), '200 true 3');
  });
});
