/**
 * Negative zero keeps its sign in every format: our NDJSON and CSV print it as Spark's own
 * JSON and CSV writers do, and Python's json and csv modules read our text back as the same
 * negative zero PyArrow reads from the Arrow stream.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { arrowPayloads } from '../../src/arrow/decode.js';
import { encodeCsv } from '../../src/encode/csv.js';
import { encodeJson } from '../../src/encode/json.js';
import { encodeNdjson } from '../../src/encode/ndjson.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { decodeResult, encodeArrow } from '../helpers/arrow-results.js';
import { collectSql, connect } from '../helpers/spark.js';

const client = connect();
after(() => {
  client.close();
});

const ZEROS = `SELECT -0.0D AS d, CAST('-0.0' AS FLOAT) AS f,
  array(-0.0D, -0.0D) AS ds, array(CAST('-0.0' AS FLOAT)) AS fs,
  named_struct('a', -0.0D, 'b', named_struct('c', CAST('-0.0' AS FLOAT))) AS st,
  map('k', -0.0D) AS m`;
const plan = rootPlan(sqlRelation(ZEROS));

async function text(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Python's view: the sign of every float it reads, or the type of anything else. */
const SIGNS = `
import base64, csv, io, json, math, sys
import pyarrow as pa

def signs(v):
    if isinstance(v, float):
        return math.copysign(1.0, v)
    if isinstance(v, dict):
        return {k: signs(x) for k, x in v.items()}
    if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
        return {k: signs(x) for k, x in v}
    if isinstance(v, list):
        return [signs(x) for x in v]
    return type(v).__name__

d = json.load(sys.stdin)
arrow = pa.ipc.open_stream(base64.b64decode(d["arrow"])).read_all().to_pylist()[0]
row = next(csv.DictReader(io.StringIO(d["csv"])))
print(json.dumps({
    "arrow": signs(arrow),
    "ndjson": signs(json.loads(d["ndjson"])),
    "json": signs(json.loads(d["json"])["rows"][0]),
    "csv": {"d": signs(float(row["d"])), "f": signs(float(row["f"])), "ds": signs(json.loads(row["ds"]))},
}))
`;

describe('negative zero', () => {
  it('prints as Spark prints it and reads back negative in Python, as PyArrow reads it', async () => {
    const session = client.newSession();
    const encode = async <T>(f: (r: Awaited<ReturnType<typeof decodeResult>>) => AsyncIterable<T>) =>
      f(await decodeResult(session.execute(plan)));
    const ndjson = (await text(await encode((r) => encodeNdjson(r.batches)))).toString('utf8');
    const json = (await text(await encode((r) => encodeJson(r.schema, r.batches)))).toString('utf8');
    const csv = (await text(await encode((r) => encodeCsv(r.schema, r.batches)))).toString('utf8');
    const arrow = await text(encodeArrow(arrowPayloads(session.execute(plan))));

    // Spark's own writers: JSON for every column, CSV for the flat ones.
    const { rows } = await collectSql(
      session,
      `SELECT to_json(struct(*)) AS j, to_csv(named_struct('d', d, 'f', f)) AS c FROM (${ZEROS})`,
    );
    assert.equal(ndjson, `${rows[0]!['j'] as string}\n`);
    assert.equal(csv.split('\r\n')[1]?.split(',').slice(0, 2).join(','), rows[0]!['c']);

    const python = process.env['PYTHON'] ?? 'python3';
    const input = JSON.stringify({ ndjson, json, csv, arrow: arrow.toString('base64') });
    const read = JSON.parse(execFileSync(python, ['-c', SIGNS], { input }).toString()) as Record<
      string,
      unknown
    >;
    const negative = { d: -1, f: -1, ds: [-1, -1], fs: [-1], st: { a: -1, b: { c: -1 } }, m: { k: -1 } };
    assert.deepEqual(read['arrow'], negative);
    assert.deepEqual(read['ndjson'], negative);
    assert.deepEqual(read['json'], negative);
    assert.deepEqual(read['csv'], { d: -1, f: -1, ds: [-1, -1] });
    await session.release();
  });
});
