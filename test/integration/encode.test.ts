import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { arrowPayloads } from '../../src/arrow/decode.js';
import { arrowSchemaFields } from '../../src/arrow/spark-types.js';
import { type ExactValue } from '../../src/arrow/values.js';
import { openArrowStream } from '../../src/encode/arrow-ipc.js';
import { encodeCsv } from '../../src/encode/csv.js';
import { IpcMessageType, ipcMessages } from '../../src/encode/ipc-messages.js';
import { encodeJson } from '../../src/encode/json.js';
import { encodeNdjson } from '../../src/encode/ndjson.js';
import { encodeStats } from '../../src/encode/stats.js';
import type { Plan } from '../../src/gen/spark/connect/base_pb.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import type { SparkSession } from '../../src/spark/session.js';
import { collect, connect } from '../helpers/spark.js';
import { parseCsv } from '../helpers/csv-parser.js';
import { type DecodedResult, batchRows, decodeResult, encodeArrow } from '../helpers/arrow-results.js';

const client = connect();
after(() => {
  client.close();
});

const ROWS = 3000;
const ALL_TYPES = rootPlan(
  sqlRelation(`
    SELECT id,
      CAST(id % 100 AS TINYINT) AS tiny,
      CAST(id % 30000 AS SMALLINT) AS small,
      IF(id % 9 = 0, NULL, CAST(id AS INT)) AS i,
      IF(id % 2 = 0, 9007199254740993 + id, -9223372036854775807 + id) AS big,
      IF(id % 5 = 0, NULL, CAST(id AS DOUBLE) / 7) AS dbl,
      CASE id % 5 WHEN 0 THEN double('NaN') WHEN 1 THEN double('Infinity')
        WHEN 2 THEN double('-Infinity') WHEN 3 THEN -0.0D ELSE id * 0.1D END AS special,
      CAST(id / 10 AS FLOAT) AS flt,
      IF(id % 3 = 0, NULL, CAST((id - 1500) * 1.2345 AS DECIMAL(20, 4))) AS dec,
      CAST(id - 1500 AS DECIMAL(38, 0)) * CAST('12345678901234567890.123456789' AS DECIMAL(38, 9)) AS dec38,
      IF(id % 17 = 0, NULL, concat('row-', id,
        IF(id % 11 = 0, ' é "q", \\\\ 😀 ' || char(10) || char(13) || char(0) || char(8232), ''))) AS s,
      IF(id % 19 = 0, '', concat('', id)) AS maybe_empty,
      IF(id % 13 = 0, NULL, concat(X'00ff', CAST(CAST(id AS STRING) AS BINARY))) AS bin,
      id % 2 = 0 AS even,
      date_add(DATE'1900-01-01', CAST(id * 17 AS INT)) AS d,
      timestamp_micros(id * 86400000123 - 2000000000000000) AS ts,
      CAST(timestamp_micros(id * 86400000123 - 2000000000000000) AS TIMESTAMP_NTZ) AS ntz,
      make_dt_interval(0, 0, 0, CAST(id AS DECIMAL(10, 0)) * 1.5 - 100) AS dti,
      make_ym_interval(0, CAST(id AS INT) - 100) AS ymi,
      array(id, id + 1, NULL) AS arr,
      IF(id % 7 = 0, NULL,
        named_struct('a', id, 'b', concat('x', id), 'c', array(named_struct('d', id * 0.5D)))) AS st,
      map('k', id, 'v', CAST(NULL AS BIGINT)) AS m,
      map(id, concat('v', id)) AS im,
      NULL AS nothing
    FROM range(0, ${ROWS}, 1, 3)`),
);

/** The JSON value an exact value must read back as (longs as strings, bytes in base64). */
function jsonOf(value: ExactValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonOf);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonOf(v)]));
}

/** A row's expected JSON; `flt` is a float, which JSON writes as its shortest text. */
function expectedJson(row: Record<string, ExactValue>, parsed: Record<string, unknown>): unknown {
  const expected = jsonOf(row) as Record<string, unknown>;
  const flt = parsed['flt'];
  if (typeof flt === 'number' && Math.fround(flt) === row['flt']) expected['flt'] = flt;
  return expected;
}

async function direct(session: SparkSession, plan: Plan): Promise<Record<string, ExactValue>[]> {
  return (await collect(session, plan)).rows;
}

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function utf8(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  return (await bytes(chunks)).toString('utf8');
}

/** A second execution of the plan, decoded, for an encoder. */
function execute(session: SparkSession, plan: Plan): Promise<DecodedResult> {
  return decodeResult(session.execute(plan));
}

describe('encoders on Spark results', () => {
  it('NDJSON reads back as the exact values of every type', async () => {
    const session = client.newSession();
    const rows = await direct(session, ALL_TYPES);
    assert.equal(rows.length, ROWS);
    const stats = encodeStats();
    const { batches } = await execute(session, ALL_TYPES);
    const output = await utf8(encodeNdjson(batches, { stats }));
    const lines = output.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, ROWS);
    lines.forEach((line, n) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(parsed, expectedJson(rows[n]!, parsed), `row ${n}`);
    });
    assert.deepEqual(stats, { rows: ROWS, bytes: Buffer.byteLength(output), truncated: false });
  });

  it('the JSON document reads back as the exact values, with Spark’s column types', async () => {
    const session = client.newSession();
    const { schema, rows } = await collect(session, ALL_TYPES);
    const result = await execute(session, ALL_TYPES);
    const output = await utf8(encodeJson(result.schema, result.batches));
    const doc = JSON.parse(output) as {
      columns: { name: string; type: string }[];
      rows: Record<string, unknown>[];
      rowCount: number;
      truncated: boolean;
    };
    assert.deepEqual(
      doc.columns,
      arrowSchemaFields(schema).map(({ name, type }) => ({ name, type })),
    );
    assert.equal(doc.rowCount, ROWS);
    assert.equal(doc.truncated, false);
    doc.rows.forEach((parsed, n) => {
      assert.deepEqual(parsed, expectedJson(rows[n]!, parsed), `row ${n}`);
    });
  });

  it('the JSON document stops at maxRows and stops the Spark operation', async () => {
    const session = client.newSession();
    const execution = session.execute(rootPlan(sqlRelation('SELECT id FROM range(0, 10000000, 1, 4)')));
    const { schema, batches } = await decodeResult(execution);
    const stats = encodeStats();
    const doc = JSON.parse(await utf8(encodeJson(schema, batches, { maxRows: 5, stats }))) as {
      rows: unknown[];
      rowCount: number;
      truncated: boolean;
    };
    assert.deepEqual(
      doc.rows,
      ['0', '1', '2', '3', '4'].map((id) => ({ id })),
    );
    assert.equal(doc.truncated, true);
    await execution.closed;
    assert.equal(stats.truncated, true);
  });

  it('CSV reads back as the exact values, as text', async () => {
    const session = client.newSession();
    const { schema, rows } = await collect(session, ALL_TYPES);
    const result = await execute(session, ALL_TYPES);
    const output = await utf8(encodeCsv(result.schema, result.batches));
    const records = parseCsv(output);
    const names = schema.fields.map((f) => f.name);
    assert.deepEqual(records.shift(), names);
    assert.equal(records.length, ROWS);
    records.forEach((record, n) => {
      const row = rows[n]!;
      names.forEach((name, c) => {
        const field = record[c] ?? null;
        const value = row[name] ?? null;
        const where = `row ${n}, ${name}`;
        if (value === null) assert.equal(field, null, where);
        else if (name === 'flt') assert.equal(Math.fround(Number(field)), value, where);
        else if (typeof value === 'number') assert.equal(Number(field), value, where);
        else if (typeof value === 'bigint' || typeof value === 'boolean') {
          assert.equal(field, String(value), where);
        } else if (typeof value === 'string') assert.equal(field, value, where);
        else if (value instanceof Uint8Array)
          assert.equal(field, Buffer.from(value).toString('base64'), where);
        else assert.deepEqual(JSON.parse(field ?? 'null'), jsonOf(value), where);
      });
    });
  });

  it('Arrow re-framing gives one stream with the exact values', async () => {
    const session = client.newSession();
    const { schema, rows } = await collect(session, ALL_TYPES);
    const stream = await openArrowStream(arrowPayloads(session.execute(ALL_TYPES)));
    assert.deepEqual(arrowSchemaFields(stream.schema), arrowSchemaFields(schema));
    const reader = RecordBatchReader.from(await bytes(stream.chunks)).open();
    const batches = [...reader];
    assert.deepEqual(batches.flatMap(batchRows), rows);
  });

  it('Arrow re-framing of a result in many batches equals the direct result', async () => {
    const session = client.newSession();
    const plan = rootPlan(
      sqlRelation(`SELECT id, CAST(id AS STRING) AS s, id * 0.5D AS half FROM range(0, 100000, 1, 4)`),
    );
    const { rows, batches } = await collect(session, plan);
    assert.ok(batches > 4, `expected many Arrow batches, got ${batches}`);
    const stats = encodeStats();
    const output = await bytes(encodeArrow(arrowPayloads(session.execute(plan)), { stats }));
    const types = [...ipcMessages(output)].map((m) => m.type);
    assert.equal(types.filter((t) => t === IpcMessageType.Schema).length, 1);
    assert.equal(types.filter((t) => t === IpcMessageType.RecordBatch).length, batches);
    assert.deepEqual(tableFromIPC(output).batches.flatMap(batchRows), rows);
    assert.deepEqual(stats, { rows: 100_000, bytes: output.byteLength, truncated: false });
  });

  it('an empty result is the schema alone in Arrow and no rows in JSON', async () => {
    const session = client.newSession();
    const plan = rootPlan(sqlRelation('SELECT id, CAST(id AS STRING) AS s FROM range(10) WHERE id < 0'));
    const output = await bytes(encodeArrow(arrowPayloads(session.execute(plan))));
    assert.deepEqual(
      [...ipcMessages(output)].map((m) => m.type),
      [IpcMessageType.Schema],
    );
    assert.deepEqual(
      tableFromIPC(output).schema.fields.map((f) => f.name),
      ['id', 's'],
    );
    const result = await execute(session, plan);
    const doc = await utf8(encodeJson(result.schema, result.batches));
    assert.equal(
      doc,
      '{"columns":[{"name":"id","type":"bigint"},{"name":"s","type":"string"}],"rows":[],"rowCount":0,"truncated":false}',
    );
  });
});
