import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { closedPort } from './closed-port.js';

/**
 * The whole app, open to anyone, silent, with Spark unreachable: for what must be answered
 * without Spark (errors, limits, pages, GraphQL validation). `env` adds or overrides settings.
 */
export async function appWithoutSpark(env: Record<string, string> = {}): Promise<FastifyInstance> {
  return buildApp(
    loadConfig({
      SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'silent',
      ANONYMOUS: 'true',
      ...env,
    }),
  );
}
