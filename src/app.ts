/**
 * The service as one Fastify plugin (`app`): the query service behind the routes, then the
 * plugins of every feature, and `buildApp`, which serves it from a Fastify server made from the
 * configuration, the same way in production and in tests.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { loadConfig, type Config } from './config.js';
import { DatasetRegistry } from './datasets/registry.js';
import { auth } from './auth/plugin.js';
import { graphiqlPage } from './graphql/graphiql-page.js';
import { graphqlRoutes } from './graphql/plugin.js';
import { docsRoutes } from './http/docs-routes.js';
import { errorHandling } from './http/error-handling.js';
import { healthRoutes } from './http/health.js';
import { jsonBodies } from './http/json-body.js';
import { openApi, openApiDocument } from './http/openapi.js';
import { datasetRoutes } from './http/routes/datasets.js';
import { sqlRoutes } from './http/routes/sql.js';
import { statementRoutes } from './http/routes/statements.js';
import { StatementService } from './service/statements/service.js';
import { TypedParameter } from './http/schemas.js';
import { BODY_LIMIT, serverOptions } from './http/server-options.js';
import { observability } from './http/observability.js';
import { Filter } from './query/spec.js';
import { DatasetCatalog } from './service/catalog.js';
import { QueryService } from './service/query-service.js';
import { TenantPools } from './service/tenant-pools.js';
import { SparkConnectClient } from './spark/client.js';
import { resultBudget } from './service/result-budget.js';
import { ResultCache } from './service/result-cache.js';
import { ResultSpool } from './spool/spool.js';
import { FileSpoolStore, type SpoolStore } from './spool/store.js';
import type { KeepResult } from './service/statements/result-source.js';
import { SessionPool, type PoolEvent } from './spark/pool.js';

export interface AppDependencies {
  /** A Spark client to use instead of one made from the configuration (tests). */
  readonly spark?: SparkConnectClient;
  /** Datasets to serve instead of the configured file's (tests). */
  readonly registry?: DatasetRegistry;
  /** The spool's store instead of files under `SPOOL_DIR` (tests inject failures this way). */
  readonly spoolStore?: SpoolStore;
}

export interface AppOptions {
  readonly config: Config;
  readonly dependencies?: AppDependencies;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service behind the routes (queries, pool, catalog), for GraphQL and tests. */
    readonly queries: QueryService;
    /** Where results wait for their readers, so Spark sessions do not. */
    readonly spool: ResultSpool;
    /** Results kept for reuse within their dataset's TTL, in the spool. */
    readonly resultCache: ResultCache;
  }
}

/** GraphQL at /graphql; its decorators (`graphql`, `graphqlResults`) are the whole app's. */
const graphql = fp<{ queries: QueryService; config: Config }>(
  (instance, { queries, config }) => graphqlRoutes(instance, queries, config),
  { name: 'graphql' },
);

/**
 * The whole service. Its decorators (`queries`, `metrics`, `graphql`), its error handling and
 * the hooks of observability and authentication are the app's; the routes of each feature are
 * a plugin of their own, registered in order, each loaded before the next (hooks run in the
 * order they were added).
 */
async function service(app: FastifyInstance, { config, dependencies = {} }: AppOptions): Promise<void> {
  const registry = dependencies.registry ?? DatasetRegistry.fromFile(config.datasetsFile);
  const spark =
    dependencies.spark ??
    new SparkConnectClient(config.spark, { caCertificates: config.sparkCaCertificates });
  // One store for the spool's results and the statements' records and results beside them.
  const store = dependencies.spoolStore ?? new FileSpoolStore(config.spool.dir);
  const spoolError = (err: unknown) => {
    app.log.warn({ err }, 'the result spool could not keep its files');
  };
  const spool = await ResultSpool.start(config.spool, { store, onError: spoolError });
  const keep: KeepResult = (id, schema, payloads, stop) =>
    spool.spool(schema, payloads, { mode: 'keep', id, stop });
  const statements = new StatementService(
    store,
    keep,
    { ...config.statements, maxRows: config.limits.maxRows, queryTimeoutMs: config.limits.queryTimeoutMs },
    { onError: spoolError },
  );
  const poolOptions = {
    ...config.pool,
    setup: registry.setup,
    onEvent: (event: PoolEvent) => {
      if (event.type === 'create-failed')
        app.log.warn({ err: event.error }, 'could not open a Spark session');
      else app.log.debug(event, 'session pool');
    },
  };
  const pool = await SessionPool.start(spark, poolOptions);
  const tenants = new TenantPools(pool, spark, poolOptions, { perTenantMax: config.auth.tenantPoolMax });
  const budget = resultBudget(config.limits.resultBudgetBytes);
  const queries = new QueryService(
    new DatasetCatalog(registry, pool),
    pool,
    tenants,
    config.rawSqlPolicy,
    budget,
  );
  app.decorate('queries', queries);
  app.decorate('spool', spool);
  // Kept results are the first to go when a live result needs room.
  const resultCache = new ResultCache(config.graphql.cacheMaxBytes);
  spool.whenShort((bytes) => {
    resultCache.evict(bytes);
  });
  app.decorate('resultCache', resultCache);

  // First, so that the document has every route.
  await app.register(openApi);
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('request-id', request.id);
    done();
  });
  await app.register(errorHandling, { bodyLimit: BODY_LIMIT, queryTimeoutMs: config.limits.queryTimeoutMs });
  await app.register(observability, {
    sources: {
      pools: () => tenants.stats(),
      executions: spark.executions,
      graphql: () => (app.hasDecorator('graphqlResults') ? app.graphqlResults.stats : undefined),
      spool: () => spool.stats(),
      statements: () => statements.stats(),
      resultCache: () => ({ ...resultCache.counts, bytes: resultCache.bytes }),
    },
    serveMetrics: config.metrics,
  });
  // Bodies are JSON; anything else is refused (415) rather than read as text.
  app.removeContentTypeParser('text/plain');
  jsonBodies(app);
  app.addSchema(Filter);
  app.addSchema(TypedParameter);
  await app.register(auth, { config, authenticator: { rowFilterClaims: registry.rowFilterClaims() } });

  await app.register(healthRoutes, {
    probe: (signal) =>
      pool.withSession(
        (session, leaseSignal) => session.sparkVersion({ signal: AbortSignal.any([signal, leaseSignal]) }),
        signal,
      ),
    readyTimeoutMs: config.readyTimeoutMs,
    readyCacheMs: config.readyCacheMs,
  });
  await app.register(datasetRoutes, { prefix: '/v1', queries, config });
  await app.register(sqlRoutes, { prefix: '/v1', queries, config });
  await app.register(statementRoutes, { prefix: '/v1', queries, statements, config });
  await app.register(graphql, { queries, config });
  if (config.graphql.graphiql) {
    await app.register((instance, _options, done) => {
      graphiqlPage(instance);
      done();
    });
  }
  await app.register(docsRoutes, { config, queries });

  // Draining starts before the server waits for open connections: after the grace period the
  // remaining streams are aborted, their Spark operations interrupted, every session released.
  let closing: Promise<void> | undefined;
  const drain = () => {
    // Kept results are let go at once: only those being read wait for their readers.
    resultCache.close();
    return (closing ??= Promise.all([
      pool.close(config.shutdownGraceMs),
      tenants.close(config.shutdownGraceMs),
      spool.close(config.shutdownGraceMs),
    ]).then(() => undefined));
  };
  app.addHook('preClose', (done) => {
    void statements.close().finally(drain);
    done();
  });
  app.addHook('onClose', async () => {
    await drain();
    if (dependencies.spark === undefined) spark.close();
  });
}

/** The service as a plugin; its decorators are those of the instance it is registered in. */
export const app = fp(service, { name: 'spark-data-api' });

/** A Fastify server of the configuration serving the app, ready to listen or be injected into. */
export async function buildApp(
  config: Config,
  dependencies: AppDependencies = {},
  options: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const server = Fastify({ ...serverOptions(config), ...options });
  await server.register(app, { config, dependencies });
  await server.ready();
  return server;
}

/**
 * The OpenAPI document the routes generate, from an app with no datasets that never reaches
 * Spark: what `npm run openapi` writes to openapi.yaml.
 */
export async function generatedOpenApi(): Promise<Record<string, unknown>> {
  const config = loadConfig({ SPARK_REMOTE: 'sc://127.0.0.1:1', LOG_LEVEL: 'silent', ANONYMOUS: 'true' });
  const server = await buildApp(config, { registry: new DatasetRegistry({ datasets: {} }) });
  try {
    return openApiDocument(server);
  } finally {
    await server.close();
  }
}
