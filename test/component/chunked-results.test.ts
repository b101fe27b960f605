/**
 * Arrow batches split over several responses (Spark 4.1+ result chunking) are asked for and
 * joined whole, also when the stream is cut between two pieces and resumed by reattaching.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { collect } from '../helpers/spark.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';

const TEXTS = ['a', 'b'.repeat(5000), 'c'.repeat(20_000)];
const WHOLE = tableToIPC(
  new Table({
    n: vectorFromArray([1, 2, 3], new Int32()),
    s: vectorFromArray(TEXTS, new Utf8()),
  }),
  'stream',
);
/** The IPC stream cut into four pieces, at arbitrary places. */
const CUTS = [0, 100, 7000, 20_000, WHOLE.length];
const PIECES = CUTS.slice(1).map((end, i) => ({
  rowCount: 3n,
  startOffset: 0n,
  data: WHOLE.subarray(CUTS[i], end),
  chunkIndex: BigInt(i),
  numChunksInBatch: BigInt(CUTS.length - 1),
}));

let fake: FakeConnectServer;
let client: SparkConnectClient;

before(async () => {
  // The first stream ends after the second piece, as Spark ends streams after a time limit.
  fake = await FakeConnectServer.start([], { results: { batches: PIECES, cutAfter: 2 } });
  client = SparkConnectClient.connect(`${fake.remote}/;grpc_max_message_size=1048576`);
});
after(async () => {
  client.close();
  await fake.close();
});

describe('chunked Arrow batches', () => {
  it('asks for chunking in pieces that fit the channel, and joins the pieces across a reattach', async () => {
    const { rows, batches } = await collect(client.newSession(), rootPlan(sqlRelation('SELECT 1')));
    assert.deepEqual(
      rows,
      TEXTS.map((s, i) => ({ n: i + 1, s })),
    );
    assert.equal(batches, 1);

    const [request] = fake.executeRequests;
    const chunking = request?.requestOptions.find((o) => o.requestOption.case === 'resultChunkingOptions');
    assert.deepEqual(chunking?.requestOption.value, {
      $typeName: 'spark.connect.ResultChunkingOptions',
      allowArrowBatchChunking: true,
      preferredArrowChunkSize: BigInt(Math.floor(1048576 * 0.9)),
    });
    // One reattach, from the response of the second piece.
    assert.equal(fake.reattachRequests.length, 1);
    assert.equal(fake.reattachRequests[0]?.operationId, request?.operationId);
    assert.ok(fake.reattachRequests[0]?.lastResponseId);
  });
});
