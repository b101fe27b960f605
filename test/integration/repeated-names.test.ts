/**
 * A result may repeat a column name with another type (`SELECT 'x' AS a, array('y') AS a`).
 * Every Arrow stream the service writes keeps each column's own type: whole, cut by maxRows,
 * relabelled to UTC, and kept by a statement. pyarrow reads each and must see what it sees in
 * Spark's own Arrow result for the same query.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { arrowPayloads } from '../../src/arrow/decode.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Served } from '../helpers/http.js';
import { sparkRemote } from '../helpers/spark-remote.js';
import { pollUntil, submit, type Statement } from '../helpers/statements.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const ZONE = 'America/New_York';
const REPEATED = `SELECT CAST(id AS STRING) AS a, array(concat('v', CAST(id AS STRING)), NULL) AS a,
    id * 1000000000000 AS b, CAST(id AS INT) AS b, IF(id % 3 = 0, NULL, id / 4) AS a,
    timestamp_micros(id * 86400000001) AS t, named_struct('a', id, 'a', 'x') AS s
  FROM range(0, 3000, 1, 3)`;

let served: Served;
let spark: SparkConnectClient;
/** pyarrow's reading of Spark's own Arrow result: every payload, one after another. */
let reference: Read;

interface Read {
  fields: [string, string][];
  columns: unknown[][];
}

/**
 * pyarrow's reading of IPC streams (one or several, concatenated): the field names and types,
 * timestamps labelled UTC (the service's label; the instants are the same), and each column's
 * values by position, since the names repeat.
 */
function pyarrow(...streams: Uint8Array[]): Read {
  const script = `
import json, sys, pyarrow as pa
data = sys.stdin.buffer.read()
tables = []
reader = pa.BufferReader(data)
while reader.tell() < len(data):
    tables.append(pa.ipc.open_stream(reader).read_all())
t = pa.concat_tables(tables)
def utc(ty):
    if pa.types.is_timestamp(ty) and ty.tz is not None: return pa.timestamp(ty.unit, 'UTC')
    return ty
t = t.cast(pa.schema([pa.field(f.name, utc(f.type), f.nullable) for f in t.schema]))
print(json.dumps({'fields': [[f.name, str(f.type)] for f in t.schema],
                  'columns': [c.to_pylist() for c in t.columns]}, default=str))
`;
  const python = process.env['PYTHON'] ?? 'python3';
  const out = execFileSync(python, ['-c', script], { input: Buffer.concat(streams), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as Read;
}

/** The first `rows` rows of a reading. */
const head = (read: Read, rows: number): Read => ({
  fields: read.fields,
  columns: read.columns.map((c) => c.slice(0, rows)),
});

before(async () => {
  spark = SparkConnectClient.connect(sparkRemote());
  const registry = new DatasetRegistry({
    setup: { configs: { 'spark.sql.session.timeZone': ZONE }, statements: [] },
    datasets: {},
  });
  served = await serve(
    { RAW_SQL: 'true', SPOOL_DIR: join(tempDir(), 'spool'), SPOOL_CHUNK_BYTES: '65536' },
    registry,
    { spark },
  );
  const session = spark.newSession();
  try {
    const payloads: Uint8Array[] = [];
    for await (const payload of arrowPayloads(session.execute(rootPlan(sqlRelation(REPEATED)))))
      payloads.push(payload.data);
    reference = pyarrow(...payloads);
  } finally {
    await session.release();
  }
});
after(async () => {
  await served.close();
  spark.close();
  removeTempDirs();
});

const sql = (query: string) => call('POST', `${served.url}/v1/sql?${query}`, { body: { sql: REPEATED } });

describe('repeated column names in Arrow', () => {
  it('are what Spark sent: the reference has each type once per column', () => {
    assert.deepEqual(
      reference.fields.map(([name]) => name),
      ['a', 'a', 'b', 'b', 'a', 't', 's'],
    );
    assert.equal(new Set(reference.fields.map(([, type]) => type)).size, 7, JSON.stringify(reference.fields));
    assert.equal(reference.columns[0]!.length, 3000);
  });

  it('keep each column its type in the whole stream, in a session outside UTC', async () => {
    const answer = await sql('format=arrow');
    assert.equal(answer.status, 200, answer.text());
    assert.deepEqual(pyarrow(answer.body), reference);
  });

  it('keep each column its type when maxRows cuts inside a batch', async () => {
    for (const rows of [1, 999, 1001]) {
      const answer = await sql(`format=arrow&maxRows=${rows}`);
      assert.equal(answer.status, 200, answer.text());
      assert.deepEqual(pyarrow(answer.body), head(reference, rows), `maxRows=${rows}`);
    }
  });

  it('keep each column its type in a statement’s kept result, whole and by chunk', async () => {
    const submitted = await submit(served.url, { sql: REPEATED, waitTimeoutMs: 50_000 });
    assert.equal(submitted.status, 200, submitted.text());
    let statement = submitted.json() as Statement;
    if (statement.state !== 'SUCCEEDED')
      statement = (await pollUntil(served.url, statement.id, ['SUCCEEDED', 'FAILED'])).at(-1)!;
    assert.equal(statement.state, 'SUCCEEDED', JSON.stringify(statement));
    const whole = await call('GET', `${served.url}/v1/statements/${statement.id}/result?format=arrow`);
    assert.equal(whole.status, 200, whole.text());
    assert.deepEqual(pyarrow(whole.body), reference);

    const chunks = statement.manifest!.chunks;
    assert.ok(chunks.length > 1, `${chunks.length} chunks`);
    const parts = [];
    for (const chunk of chunks) {
      const part = await call(
        'GET',
        `${served.url}${chunk.href}${chunk.href.includes('?') ? '&' : '?'}format=arrow`,
      );
      assert.equal(part.status, 200, part.text());
      parts.push(part.body);
    }
    assert.deepEqual(pyarrow(...parts), reference);
  });
});
