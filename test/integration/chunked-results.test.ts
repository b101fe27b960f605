/**
 * Rows larger than one gRPC message: Spark splits their Arrow batch into pieces the channel
 * can carry, and the service serves them whole, equal to what Spark computes of them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Served } from '../helpers/http.js';
import { collectSql } from '../helpers/spark.js';
import { sparkRemote } from '../helpers/spark-remote.js';
import { isSpark40 } from '../helpers/spark-release.js';

/** A channel limit well under the rows below (Spark's own default limit is 128 MiB). */
const LIMIT = 8 * 1024 * 1024;
const limited = (() => {
  const remote = sparkRemote();
  const param = `grpc_max_message_size=${LIMIT}`;
  return remote.includes(';') ? `${remote};${param}` : `${remote.replace(/\/$/, '')}/;${param}`;
})();

/**
 * Three rows of 12 MB text each (one Arrow batch of 36 MB) and 10 MB of binary in the middle
 * one; computed per row, so that Spark does not fold them into literals of its plan.
 */
const QUERY = `
  SELECT id, x, length(x) AS n, sha2(x, 256) AS h, b, octet_length(b) AS bn, sha2(b, 256) AS bh
  FROM (
    SELECT id,
           repeat(chr(65 + CAST(id AS INT)), 12000000) AS x,
           IF(id = 1, unhex(repeat(hex(id + 170), 10000000)), X'00') AS b
    FROM range(3)
  )`;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

let client: SparkConnectClient;
let served: Served;
/** Spark 4.0 does not split a batch larger than a message: the answer is a clear 413 there. */
let splits: boolean;
before(async () => {
  client = SparkConnectClient.connect(limited);
  served = await serve({ RAW_SQL: 'true', SPARK_REMOTE: limited });
  splits = !(await isSpark40(served));
});
after(async () => {
  client.close();
  await served.close();
});

describe('rows larger than one gRPC message', () => {
  it('arrive whole through the client, equal to what Spark computes of them', async () => {
    if (!splits) {
      await assert.rejects(collectSql(client.newSession(), QUERY), /larger than max/);
      return;
    }
    const { rows } = await collectSql(client.newSession(), QUERY);
    assert.equal(rows.length, 3);
    for (const row of rows) {
      const x = row['x'] as string;
      const b = row['b'] as Uint8Array;
      assert.equal(BigInt(x.length), BigInt(row['n'] as number));
      assert.equal(sha256(x), row['h']);
      assert.equal(b.length, row['bn']);
      assert.equal(sha256(b), row['bh']);
    }
    assert.equal(rows[1]!['bn'], 10_000_000);
  });

  it('are served whole as NDJSON', async () => {
    const answer = await call('POST', `${served.url}/v1/sql?format=ndjson`, { body: { sql: QUERY } });
    if (!splits) {
      assert.equal(answer.status, 413, answer.text().slice(0, 500));
      const problem = answer.json() as { code: string; detail: string };
      assert.equal(problem.code, 'RESULT_TOO_LARGE');
      assert.match(problem.detail, new RegExp(`\\(${LIMIT} bytes, grpc_max_message_size`));
      return;
    }
    assert.equal(answer.status, 200, answer.text().slice(0, 500));
    const rows = answer
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(sha256(row['x'] as string), row['h']);
      assert.equal(sha256(Buffer.from(row['b'] as string, 'base64')), row['bh']);
    }
  });
});
