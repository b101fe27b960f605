/**
 * What users must never see: sessions expiring, Spark restarting, a result stream dropping.
 * Runs its own Spark (short session timeout, restartable) behind a TCP proxy the test controls.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Data } from 'apache-arrow';
import { arrowPayloads, decodePayload } from '../../src/arrow/decode.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { SparkError } from '../../src/spark/errors.js';
import { PoolExhaustedError } from '../../src/spark/pool-errors.js';
import type { SessionPool } from '../../src/spark/pool.js';
import {
  SPARK_CONNECT_PORT,
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../../containers/spark-connect-container.js';
import { testPool } from '../helpers/pool.js';
import { collectSql } from '../helpers/spark.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const SESSION_TIMEOUT_MS = 8_000;

let container: StartedSparkConnectContainer;
let proxy: TcpProxy;
let client: SparkConnectClient;

function upstream() {
  return { host: container.getHost(), port: container.getMappedPort(SPARK_CONNECT_PORT) };
}

before(async () => {
  container = await new SparkConnectContainer()
    .withSessionTimeout(`${SESSION_TIMEOUT_MS}ms`)
    .withSparkConf('spark.connect.session.manager.maintenanceInterval', '1s')
    // Results pass through the driver: room for a gigabyte of them.
    .withDriverMemory('3g')
    .withSparkConf('spark.driver.maxResultSize', '4g')
    .start();
  proxy = await TcpProxy.start(upstream());
  client = SparkConnectClient.connect(`sc://127.0.0.1:${proxy.port}`);
});

after(async () => {
  client.close();
  await proxy.close();
  await container.stop();
});

function poolWithView(options: Parameters<typeof testPool>[1] = {}): Promise<SessionPool> {
  return testPool(client, {
    setup: {
      configs: {},
      statements: ['CREATE OR REPLACE TEMPORARY VIEW numbers AS SELECT id FROM range(1000)'],
    },
    ...options,
  });
}

async function countNumbers(pool: SessionPool): Promise<bigint> {
  const { rows } = await pool.withSession((session) =>
    collectSql(session, 'SELECT count(*) AS n FROM numbers'),
  );
  return rows[0]?.['n'] as bigint;
}

describe('resilience against a real Spark', () => {
  it('serves a stream of queries across three session timeouts without a failure, renewing sessions', async (t) => {
    const pool = await poolWithView({ min: 1, max: 2 });
    try {
      assert.equal(pool.timing.renewAfterIdleMs, 6_000, 'the pool learned the server’s 8 s timeout');
      const gaps = [500, 9_000, 1_000, 10_000, 2_000, 9_000, 500];
      const started = Date.now();
      for (const gap of gaps) {
        assert.equal(await countNumbers(pool), 1000n);
        await sleep(gap);
      }
      assert.equal(await countNumbers(pool), 1000n);
      const elapsed = Date.now() - started;
      assert.ok(elapsed > 3 * SESSION_TIMEOUT_MS, `ran for ${elapsed} ms`);
      const stats = pool.stats();
      t.diagnostic(
        `${gaps.length + 1} queries over ${elapsed} ms; sessions created ${stats.created}, renewed ${stats.renewed}`,
      );
      assert.ok(stats.renewed >= 3, `renewed ${stats.renewed}`);
      // Renewed in time: no request met a session the server had already dropped.
      assert.equal(stats.discarded, 0);
    } finally {
      await pool.close(1_000);
    }
  });

  it('resumes a 1 GB result cut mid-way by reattaching, yielding every row exactly once, in order', async (t) => {
    const query =
      "SELECT id, id * 7 AS a, concat('row-', id, repeat('-', 80)) AS s FROM range(0, 11000000, 1, 200)";
    const pool = await poolWithView({ max: 1 });
    try {
      const expected = await pool.withSession(async (session) => {
        const result = await collectSql(
          session,
          `SELECT count(*) AS n, sum(id) AS ids, sum(a) AS a, sum(length(s)) AS chars FROM (${query})`,
        );
        return result.rows[0];
      });
      const reattachedBefore = client.executions.reattached;
      let cut = false;
      proxy.onBytes((total) => {
        if (!cut && total > 400 * 1024 * 1024) {
          cut = true;
          proxy.cutConnections();
        }
      });
      const seen = { n: 0n, ids: 0n, a: 0n, chars: 0n, bytes: 0 };
      let nextId = 0n;
      await pool.withSession(async (session) => {
        for await (const payload of arrowPayloads(session.execute(rootPlan(sqlRelation(query))))) {
          seen.bytes += payload.data.length;
          for (const batch of decodePayload(payload).batches) {
            const [ids, as, ss] = batch.data.children as [Data, Data, Data];
            const idValues = ids.values as BigInt64Array;
            const aValues = as.values as BigInt64Array;
            const offsets = ss.valueOffsets as Int32Array;
            assert.equal(idValues[0], nextId, 'batches arrive once each, in order');
            for (let i = 0; i < batch.numRows; i++) {
              seen.ids += idValues[i]!;
              seen.a += aValues[i]!;
            }
            seen.chars += BigInt(offsets[batch.numRows]! - offsets[0]!);
            seen.n += BigInt(batch.numRows);
            nextId += BigInt(batch.numRows);
          }
        }
      });
      proxy.onBytes(undefined);
      t.diagnostic(
        `${seen.n} rows, ${seen.bytes} bytes of Arrow; reattached ${client.executions.reattached - reattachedBefore} time(s)`,
      );
      assert.ok(cut, 'the connection was cut');
      assert.ok(client.executions.reattached > reattachedBefore, 'the stream was resumed by reattaching');
      assert.ok(seen.bytes > 1024 ** 3, `${seen.bytes} bytes of Arrow data`);
      assert.deepEqual({ n: seen.n, ids: seen.ids, a: seen.a, chars: seen.chars }, expected);
    } finally {
      proxy.onBytes(undefined);
      await pool.close(1_000);
    }
  });

  it('keeps serving across a Spark restart: failures meanwhile are retryable, then everything succeeds', async (t) => {
    const pool = await poolWithView({ min: 2, max: 4, acquireTimeoutMs: 5_000 });
    try {
      assert.equal(await countNumbers(pool), 1000n);
      // Each outcome with when its request started: a request in flight when Spark went down may
      // fail after an earlier one already succeeded.
      const outcomes: { result: 'ok' | Error; startedAt: number }[] = [];
      const load = { running: true };
      const loading = (async () => {
        while (load.running) {
          const startedAt = Date.now();
          try {
            assert.equal(await countNumbers(pool), 1000n);
            outcomes.push({ result: 'ok', startedAt });
          } catch (err) {
            outcomes.push({ result: err as Error, startedAt });
            await sleep(200);
          }
        }
      })();
      await sleep(1_000);
      await container.restart();
      proxy.retarget(upstream());
      const restartedAt = Date.now();
      // Until Spark is back, requests fail; from the first one started after the restart that
      // succeeds, they must all succeed.
      const recovery = () => outcomes.findIndex((o) => o.result === 'ok' && o.startedAt >= restartedAt);
      const deadline = Date.now() + 90_000;
      while (recovery() === -1 && Date.now() < deadline) await sleep(200);
      const recoveredAt = recovery();
      assert.ok(recoveredAt !== -1, 'a request succeeded after the restart');
      while (outcomes.length < recoveredAt + 6 && Date.now() < deadline) await sleep(200);
      load.running = false;
      await loading;

      const failures = outcomes.flatMap((o) => (o.result === 'ok' ? [] : [o.result]));
      const kinds = new Map<string, number>();
      for (const f of failures) {
        const kind = f instanceof SparkError ? (f.errorClass ?? `grpc ${f.grpcCode}`) : f.name;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      t.diagnostic(
        `${outcomes.length} requests, ${failures.length} failed during the restart: ${JSON.stringify([...kinds])}`,
      );
      for (const failure of failures) {
        assert.ok(
          (failure instanceof SparkError && (failure.retryable || failure.sessionGone)) ||
            failure instanceof PoolExhaustedError,
          `not a retryable failure: ${failure.name}: ${failure.message}` +
            (failure instanceof SparkError
              ? ` (Spark's classes: ${JSON.stringify(failure.exceptionClasses)})`
              : ''),
        );
      }
      const afterRecovery = outcomes.slice(recoveredAt);
      assert.ok(afterRecovery.length >= 3, `only ${afterRecovery.length} requests after recovery`);
      assert.deepEqual(
        afterRecovery.flatMap((o) => (o.result === 'ok' ? [] : [o.result.message])),
        [],
        'every request after recovery succeeds',
      );
      // The pool replaced the sessions the restarted server no longer knew.
      assert.ok(pool.stats().discarded + pool.stats().renewed >= 1);
    } finally {
      await pool.close(1_000);
    }
  });
});
