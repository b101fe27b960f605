/**
 * The session pool shared out by principal, on a fake Spark Connect server: a principal at its
 * share waits while another takes a free session, sessions come free to principals in turn, the
 * waits are counted by reason, and a wait that ends at the share is a 429, not a 503.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toProblem } from '../../src/errors/problem.js';
import { toCatalogueError } from '../../src/errors/to-catalogue.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import type { Lease } from '../../src/spark/lease.js';
import { PoolExhaustedError, PrincipalBusyError } from '../../src/spark/pool-errors.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';
import { testPool } from '../helpers/pool.js';

let fake: FakeConnectServer;
let client: SparkConnectClient;

before(async () => {
  fake = await FakeConnectServer.start([{ name: 'id', kind: 'long' }]);
  client = SparkConnectClient.connect(fake.remote);
});

after(async () => {
  client.close();
  await fake.close();
});

/** Lets promise callbacks (and the fake server's answers) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('session pool shared by principal', () => {
  it('keeps a principal at its share waiting for its own session while another takes a free one', async () => {
    const pool = await testPool(client, { max: 3, maxPerPrincipal: 1 });
    try {
      const first = await pool.acquire(undefined, 'key:a');
      let granted = false;
      const waiting = pool.acquire(undefined, 'key:a').then((lease) => {
        granted = true;
        return lease;
      });
      await settle();
      assert.equal(granted, false);
      assert.equal(pool.stats().waiting, 1);
      const other = await pool.acquire(undefined, 'key:b');
      assert.equal(pool.stats().inUse, 2);
      assert.deepEqual(pool.stats().waits, { principal_cap: 1, pool_full: 0 });
      await other.release();
      await settle();
      assert.equal(granted, false);
      await first.release();
      const second = await waiting;
      assert.equal(granted, true);
      await second.release();
    } finally {
      await pool.close(0);
    }
  });

  it('hands sessions that come free to the principals waiting in turn', async () => {
    const pool = await testPool(client, { max: 1 });
    try {
      const order: string[] = [];
      const leases: Lease[] = [await pool.acquire(undefined, 'key:a')];
      const requests = ['key:a', 'key:a', 'key:a', 'key:b'].map((principal) =>
        pool.acquire(undefined, principal).then((lease) => {
          order.push(principal);
          leases.push(lease);
        }),
      );
      for (let served = 0; served < requests.length; served++) {
        await settle();
        await leases[served]!.release();
      }
      await Promise.all(requests);
      await leases.at(-1)!.release();
      // First come, first served would have been a, a, a, b.
      assert.deepEqual(order, ['key:a', 'key:b', 'key:a', 'key:a']);
      assert.deepEqual(pool.stats().waits, { principal_cap: 0, pool_full: 4 });
      assert.equal(pool.stats().inUse, 0);
    } finally {
      await pool.close(0);
    }
  });

  it('answers a wait that ends at the principal’s share 429 TOO_MANY_RUNNING, and one for a full pool 503', async () => {
    const pool = await testPool(client, { max: 2, maxPerPrincipal: 1, acquireTimeoutMs: 50 });
    try {
      const a = await pool.acquire(undefined, 'key:a');
      const atShare = await pool.acquire(undefined, 'key:a').catch((err: unknown) => err);
      assert.ok(atShare instanceof PrincipalBusyError, String(atShare));
      const problem = toProblem(toCatalogueError(atShare));
      assert.equal(problem.status, 429);
      assert.equal(problem.code, 'TOO_MANY_RUNNING');
      assert.equal(problem.retryAfter, 1);
      assert.match(problem.detail, /one caller may hold at once \(1\)/);

      const b = await pool.acquire(undefined, 'key:b');
      const full = await pool.acquire(undefined, 'key:c').catch((err: unknown) => err);
      assert.ok(full instanceof PoolExhaustedError, String(full));
      assert.equal(toProblem(toCatalogueError(full)).code, 'SESSIONS_BUSY');
      await Promise.all([a.release(), b.release()]);
    } finally {
      await pool.close(0);
    }
  });

  it('lets one principal use every session when no share is set', async () => {
    const pool = await testPool(client, { max: 2 });
    try {
      const leases = [await pool.acquire(), await pool.acquire()];
      assert.equal(pool.stats().inUse, 2);
      assert.deepEqual(pool.stats().waits, { principal_cap: 0, pool_full: 0 });
      await Promise.all(leases.map((l) => l.release()));
    } finally {
      await pool.close(0);
    }
  });
});
