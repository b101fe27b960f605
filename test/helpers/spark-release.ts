import { call, type Served } from './http.js';

/**
 * Whether the service's Spark is a 4.0 release, which differs from later ones in what tests see:
 * it runs a command while analysing it (so raw SQL is checked only as queries), does not split
 * result batches larger than a message, and has no TIME type.
 */
export async function isSpark40(served: Served): Promise<boolean> {
  const ready = (await call('GET', `${served.url}/readyz`)).json() as { sparkVersion: string };
  return ready.sparkVersion.startsWith('4.0.');
}
