import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { SparkError } from '../../src/spark/errors.js';
import { testPool } from '../helpers/pool.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('session pool while Spark is down', () => {
  it('starts anyway, and fails a request at once with Spark’s retryable error instead of waiting', async () => {
    const client = SparkConnectClient.connect(`sc://127.0.0.1:${await closedPort()}`);
    const pool = await testPool(client, { max: 2, acquireTimeoutMs: 8_000 });
    try {
      const started = Date.now();
      await assert.rejects(pool.acquire(), (err: unknown) => {
        assert.ok(err instanceof SparkError, String(err));
        assert.equal(err.grpcCode, status.UNAVAILABLE);
        assert.equal(err.retryable, true);
        return true;
      });
      assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
      // The next request is answered without even queueing.
      const again = Date.now();
      await assert.rejects(pool.acquire(), SparkError);
      assert.ok(Date.now() - again < 100, `took ${Date.now() - again} ms`);
    } finally {
      await pool.close(0);
      client.close();
    }
  });

  it('backs off between attempts to create sessions instead of hammering the server', async () => {
    const client = SparkConnectClient.connect(`sc://127.0.0.1:${await closedPort()}`);
    const pool = await testPool(client, { max: 2, acquireTimeoutMs: 2_000 });
    try {
      const waiting = pool.acquire().catch(() => undefined);
      await sleep(1_500);
      await waiting;
      // 100 ms, 200 ms, 400 ms, 800 ms… between attempts: a handful in 1.5 s, not thousands.
      assert.ok(pool.stats().createFailures <= 8, `${pool.stats().createFailures} attempts`);
    } finally {
      await pool.close(0);
      client.close();
    }
  });
});
