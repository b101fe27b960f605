import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkError } from '../../src/spark/errors.js';
import { PoolExhaustedError } from '../../src/spark/pool-errors.js';
import { collect, collectSql, connect } from '../helpers/spark.js';
import { jobsStillRunning } from '../helpers/spark-ui.js';
import { testPool } from '../helpers/pool.js';

const client = connect();
after(() => {
  client.close();
});

const LONG = rootPlan(sqlRelation('SELECT max(id) FROM range(0, 1000000000000)'));

describe('session pool against Spark', () => {
  it('runs 50 concurrent queries on at most 8 sessions, all succeeding', async () => {
    const pool = await testPool(client, { max: 8, acquireTimeoutMs: 120_000 });
    try {
      let inUse = 0;
      let peak = 0;
      const sessions = new Set<string>();
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_v, k) => {
          await using lease = await pool.acquire();
          peak = Math.max(peak, ++inUse, pool.stats().inUse);
          sessions.add(lease.session.sessionId);
          try {
            const { rows } = await collectSql(
              lease.session,
              'SELECT :k * 2 AS twice, count(*) AS n FROM range(20000)',
              {
                named: { k: { type: 'int', value: k } },
              },
            );
            return rows[0];
          } finally {
            inUse--;
          }
        }),
      );
      assert.deepEqual(
        results,
        Array.from({ length: 50 }, (_v, k) => ({ twice: k * 2, n: 20000n })),
      );
      assert.ok(peak <= 8, `peak ${peak}`);
      assert.ok(sessions.size <= 8, `${sessions.size} sessions used`);
      assert.ok(pool.stats().size <= 8);
    } finally {
      await pool.close(1_000);
    }
  });

  it('sets up every session it creates: service configs, dataset configs and views', async () => {
    const pool = await testPool(client, {
      max: 1,
      setup: {
        configs: { 'spark.sql.shuffle.partitions': '3' },
        statements: ['CREATE OR REPLACE TEMPORARY VIEW pool_numbers AS SELECT id FROM range(7)'],
      },
    });
    try {
      const check = () =>
        pool.withSession(async (session) => {
          const { rows } = await collectSql(
            session,
            'SELECT count(*) AS n, current_timezone() AS tz FROM pool_numbers',
          );
          const partitions = await session.getConfigs(['spark.sql.shuffle.partitions']);
          return {
            row: { ...rows[0], p: partitions.get('spark.sql.shuffle.partitions') },
            sessionId: session.sessionId,
          };
        });
      const first = await check();
      assert.deepEqual(first.row, { n: 7n, tz: 'UTC', p: '3' });
      // Replaced sessions get the same setup.
      const lease = await pool.acquire();
      lease.discard();
      await lease.release();
      const second = await check();
      assert.notEqual(second.sessionId, first.sessionId);
      assert.deepEqual(second.row, first.row);
    } finally {
      await pool.close(1_000);
    }
  });

  it('discards a session the server forgot and runs the request again on a fresh one', async () => {
    const pool = await testPool(client, { max: 1 });
    try {
      const lease = await pool.acquire();
      const forgotten = lease.session.sessionId;
      await collectSql(lease.session, 'SELECT 1');
      await lease.session.release(); // behind the pool's back
      await lease.release();
      const { rows, sessionId } = await pool.withSession(async (session) => ({
        rows: (await collectSql(session, 'SELECT 42 AS answer')).rows,
        sessionId: session.sessionId,
      }));
      assert.deepEqual(rows, [{ answer: 42 }]);
      assert.notEqual(sessionId, forgotten);
      assert.equal(pool.stats().discarded, 1);
    } finally {
      await pool.close(1_000);
    }
  });

  it('answers PoolExhaustedError when no session comes free in time', async () => {
    const pool = await testPool(client, { max: 1, acquireTimeoutMs: 300 });
    try {
      await using _held = await pool.acquire();
      await assert.rejects(pool.acquire(), PoolExhaustedError);
      assert.equal(pool.stats().waiting, 0);
    } finally {
      await pool.close(1_000);
    }
  });

  it('stops an aborted execution’s Spark job within 2 seconds, and the session serves the next request', async () => {
    const pool = await testPool(client, { max: 1 });
    try {
      const controller = new AbortController();
      const lease = await pool.acquire(controller.signal);
      const sessionId = lease.session.sessionId;
      const execution = lease.session.execute(LONG, { signal: lease.signal });
      const iterator = execution[Symbol.asyncIterator]();
      await iterator.next();
      // The consumer stops pulling (a slow client), then goes away.
      const abortedAt = Date.now();
      controller.abort(new Error('client went away'));
      await lease.release();
      assert.deepEqual(await jobsStillRunning(sessionId, 2_000 - (Date.now() - abortedAt)), []);
      await execution.closed;
      await assert.rejects(iterator.next(), /client went away/);
      const next = await pool.withSession(async (session) => ({
        sessionId: session.sessionId,
        rows: (await collect(session, rootPlan(sqlRelation('SELECT 1 AS one')))).rows,
      }));
      assert.equal(next.sessionId, sessionId);
      assert.deepEqual(next.rows, [{ one: 1 }]);
    } finally {
      await pool.close(1_000);
    }
  });

  it('shuts down: lets leases finish for the grace period, interrupts the rest, closes every session', async () => {
    const pool = await testPool(client, { min: 2, max: 2 });
    const lease = await pool.acquire();
    const { sessionId } = lease.session;
    const execution = lease.session.execute(LONG, { signal: lease.signal });
    const running = (async () => {
      try {
        for await (const _response of execution);
        return 'completed';
      } catch (err) {
        return err;
      } finally {
        await lease.release();
      }
    })();
    const started = Date.now();
    await pool.close(500);
    assert.ok(Date.now() - started >= 500, 'waited for the grace period');
    assert.ok((await running) instanceof Error);
    await execution.closed;
    assert.deepEqual(await jobsStillRunning(sessionId, 2_000), []);
    assert.equal(pool.stats().size, 0);
    assert.ok(pool.stats().closed >= 2, `closed ${pool.stats().closed}`);
    // The server no longer knows the session.
    await assert.rejects(
      lease.session.sparkVersion(),
      (err: unknown) => err instanceof SparkError && err.sessionGone,
    );
  });
});
