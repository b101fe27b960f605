import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/observability/logging.js';
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

/** The same app, logging at `level`: each line it logs is pushed, parsed, onto `lines`. */
export async function appWithoutSparkLogging(
  level: string,
  lines: Record<string, unknown>[],
): Promise<FastifyInstance> {
  const config = loadConfig({
    SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
    LOG_LEVEL: level,
    ANONYMOUS: 'true',
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return buildApp(config, {}, { logger: { ...loggerOptions(config), stream } });
}
