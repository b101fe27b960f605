import type { SparkConnectClient } from '../../src/spark/client.js';
import { SessionPool, type SessionPoolOptions } from '../../src/spark/pool.js';

/** A pool with test-friendly defaults; close it in `after`. */
export function testPool(
  client: SparkConnectClient,
  options: Partial<SessionPoolOptions> = {},
): Promise<SessionPool> {
  return SessionPool.start(client, {
    min: 0,
    max: 4,
    acquireTimeoutMs: 10_000,
    idleEvictMs: 60_000,
    serverSessionTimeoutMs: 60 * 60_000,
    setup: { configs: {}, statements: [] },
    ...options,
  });
}
