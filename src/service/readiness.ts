import type { SparkConnectClient } from '../spark/client.js';
import type { SparkSession } from '../spark/session.js';

/**
 * A readiness probe on a session of its own: asks Spark for its version. A session the server
 * no longer knows (restart, expiry) is replaced on the next probe.
 */
export function sparkProbe(client: SparkConnectClient): {
  probe: (signal: AbortSignal) => Promise<string>;
  close: () => Promise<void>;
} {
  let session: SparkSession | undefined;
  return {
    async probe(signal) {
      session ??= client.newSession();
      try {
        return await session.sparkVersion({ signal });
      } catch (err) {
        session = undefined;
        throw err;
      }
    },
    async close() {
      await session?.release().catch(() => undefined);
    },
  };
}
