import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { Errors, toProblem } from './errors.js';
import { healthRoutes } from './http/health.js';
import { sparkProbe } from './service/readiness.js';
import { SparkConnectClient } from './spark/client.js';

export interface AppDependencies {
  /** A Spark client to use instead of one made from the configuration (tests). */
  readonly spark?: SparkConnectClient;
}

/** The whole service as one Fastify instance, built the same way in production and in tests. */
export async function buildApp(
  config: Config,
  dependencies: AppDependencies = {},
  serverOptions: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: config.logLevel }, ...serverOptions });
  const spark = dependencies.spark ?? new SparkConnectClient(config.spark);
  const readiness = sparkProbe(spark);

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request) => {
    throw new Errors.NotFound(request.method, request.url);
  });

  healthRoutes(app, { probe: readiness.probe, readyTimeoutMs: config.readyTimeoutMs });

  app.addHook('onClose', async () => {
    await readiness.close();
    if (dependencies.spark === undefined) spark.close();
  });
  await app.ready();
  return app;
}
