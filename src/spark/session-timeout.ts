/** How long Spark keeps an idle session: the configured timeout, or the server's own when shorter. */
import type { SparkConnectClient } from './client.js';
import { SparkError } from './errors.js';
import { parseSparkDuration } from './renewal.js';

/** The shorter of the configured timeout and the server's own; the configured one if Spark cannot tell. */
export async function discoverSessionTimeout(
  client: SparkConnectClient,
  options: { readonly serverSessionTimeoutMs: number; readonly userId?: string | undefined },
): Promise<number> {
  const key = 'spark.connect.session.manager.defaultSessionTimeout';
  const session = client.newSession(options.userId === undefined ? {} : { userId: options.userId });
  try {
    const values = await session.getConfigs([key], { signal: AbortSignal.timeout(5_000) });
    const server = parseSparkDuration(values.get(key) ?? '');
    return server !== undefined && server > 0
      ? Math.min(server, options.serverSessionTimeoutMs)
      : options.serverSessionTimeoutMs;
  } catch (err) {
    if (err instanceof SparkError || (err instanceof Error && err.name === 'TimeoutError'))
      return options.serverSessionTimeoutMs;
    throw err;
  } finally {
    await session.release({ signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  }
}
