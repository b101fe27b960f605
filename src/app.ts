import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;
import type { Config } from './config.js';
import { DatasetRegistry } from './datasets/registry.js';
import { authRoutes } from './auth/plugin.js';
import { Errors, withExtras } from './errors/catalogue.js';
import { graphiqlPage } from './graphql/graphiql-page.js';
import { graphqlRoutes } from './graphql/plugin.js';
import { AllowedMethods } from './http/allowed-methods.js';
import { clientErrorHandler, frameworkErrors } from './http/early-errors.js';
import { healthRoutes } from './http/health.js';
import { docsRoutes } from './http/docs-routes.js';
import { jsonBodies } from './http/json-body.js';
import { requestId } from './http/request-id.js';
import { isFromSpark } from './errors/from-spark.js';
import { toProblem } from './errors/problem.js';
import { toCatalogueError } from './errors/to-catalogue.js';
import { datasetRoutes } from './http/routes/datasets.js';
import { sqlRoutes } from './http/routes/sql.js';
import { observability } from './observability/http.js';
import { loggerOptions } from './observability/logging.js';
import { TypedParameter } from './http/schemas.js';
import { Filter } from './query/spec.js';
import { DatasetCatalog } from './service/catalog.js';
import { QueryService } from './service/query-service.js';
import { TenantPools } from './service/tenant-pools.js';
import { SparkConnectClient } from './spark/client.js';
import { SessionPool, type PoolEvent } from './spark/pool.js';

export interface AppDependencies {
  /** A Spark client to use instead of one made from the configuration (tests). */
  readonly spark?: SparkConnectClient;
  /** Datasets to serve instead of the configured file's (tests). */
  readonly registry?: DatasetRegistry;
}

/** Request bodies above this size are refused (413). */
const BODY_LIMIT = 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** The service behind the routes (queries, pool, catalog), for GraphQL and tests. */
    readonly queries: QueryService;
  }
}

/**
 * Request validators. Unknown properties are errors (not silently dropped) and filters report
 * the variant that applies. Query strings and paths are text, so their values are coerced to
 * the schema's types; JSON bodies never are (2.5 must not become "2.5").
 */
function validators() {
  const build = AjvCompiler();
  const custom = { removeAdditional: false, discriminator: true, allErrors: false } as const;
  return (externalSchemas: unknown, options: unknown) => {
    const base = options as Record<string, unknown>;
    const body = build(externalSchemas as never, {
      ...base,
      customOptions: { ...custom, coerceTypes: false },
    });
    const text = build(
      externalSchemas as never,
      { ...base, customOptions: { ...custom, coerceTypes: 'array' } } as never,
    );
    return (route: { httpPart?: string }) => (route.httpPart === 'body' ? body(route) : text(route));
  };
}

/** Fastify's `trustProxy` from the configuration: a hop count trusts that many proxies. */
function trustProxy(setting: Config['trustProxy']): NonNullable<FastifyServerOptions['trustProxy']> {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

/** The whole service as one Fastify instance, built the same way in production and in tests. */
export async function buildApp(
  config: Config,
  dependencies: AppDependencies = {},
  serverOptions: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: BODY_LIMIT,
    // Unknown properties are errors (not silently dropped), filters report the variant that applies.
    schemaController: { compilersFactory: { buildValidator: validators() as unknown as ValidatorFactory } },
    // Slow senders: the whole request (headers, then body) must arrive in time, or Node answers
    // 408 and closes the connection. Responses are not bound by these: a download may be long.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs),
    },
    // While closing, requests get the service's own answer (SHUTTING_DOWN) from the draining pool.
    return503OnClosing: false,
    // A caller's request id (or a generated one) follows the request into logs and Spark's tags.
    requestIdHeader: false,
    genReqId: requestId,
    // The client address (rate limits, failed-attempt throttling) as the trusted proxies say.
    trustProxy: trustProxy(config.trustProxy),
    // Malformed requests (headers too large, a bad URL) get problem+json like any other error.
    clientErrorHandler,
    frameworkErrors,
    ...serverOptions,
  });
  const allowedMethods = new AllowedMethods(app);
  const registry = dependencies.registry ?? DatasetRegistry.fromFile(config.datasetsFile);
  const spark =
    dependencies.spark ??
    new SparkConnectClient(config.spark, { caCertificates: config.sparkCaCertificates });
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
  const queries = new QueryService(new DatasetCatalog(registry, pool), pool, tenants, config.rawSqlPolicy);
  app.decorate('queries', queries);

  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('request-id', request.id);
    done();
  });
  observability(
    app,
    {
      pools: () => tenants.stats(),
      executions: spark.executions,
      graphql: () => (app.hasDecorator('graphqlResults') ? app.graphqlResults.stats : undefined),
    },
    { serveMetrics: config.metrics },
  );
  // Bodies are JSON; anything else is refused (415) rather than read as text.
  app.removeContentTypeParser('text/plain');
  jsonBodies(app);
  app.addSchema(Filter);
  app.addSchema(TypedParameter);
  app.setErrorHandler((error, request, reply) => {
    // A client that hung up (or timed out) while sending its body: nobody hears the answer.
    const left = (error as NodeJS.ErrnoException).code === 'ECONNRESET' && !request.raw.complete;
    const problem = toProblem(
      left
        ? new Errors.RequestInvalid('the client closed the connection before its request was received')
        : toCatalogueError(error, { bodyLimit: BODY_LIMIT, timeoutMs: config.limits.queryTimeoutMs }),
    );
    if (left) request.log.info({ err: error }, 'the client left while sending its request');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (isFromSpark(error)) request.log.info({ err: error }, 'Spark refused the query');
    if (problem.retryAfter !== undefined) void reply.header('retry-after', String(problem.retryAfter));
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  // A known path asked with a method it does not answer: 405 with the methods it does.
  app.setNotFoundHandler((request, reply) => {
    const allow: string[] = allowedMethods.of(request.url);
    // No route has the path, or its route found nothing there (a missing asset): 404.
    if (allow.length === 0 || allow.includes(request.method)) {
      throw new Errors.NotFound(request.method, request.url);
    }
    void reply.header('allow', allow.join(', '));
    const path = request.url.split('?')[0] ?? request.url;
    throw withExtras(new Errors.MethodNotAllowed(request.method, path, allow.join(', ')), { allowed: allow });
  });

  await authRoutes(app, config, { rowFilterClaims: registry.rowFilterClaims() });
  healthRoutes(app, {
    probe: (signal) =>
      pool.withSession(
        (session, leaseSignal) => session.sparkVersion({ signal: AbortSignal.any([signal, leaseSignal]) }),
        signal,
      ),
    readyTimeoutMs: config.readyTimeoutMs,
    readyCacheMs: config.readyCacheMs,
  });
  datasetRoutes(app, queries, config);
  sqlRoutes(app, queries, config);
  await graphqlRoutes(app, queries, config);
  if (config.graphql.graphiql) graphiqlPage(app);
  await docsRoutes(app, config, queries);

  // Draining starts before the server waits for open connections: after the grace period the
  // remaining streams are aborted, their Spark operations interrupted, every session released.
  let closing: Promise<void> | undefined;
  const drain = () =>
    (closing ??= Promise.all([
      pool.close(config.shutdownGraceMs),
      tenants.close(config.shutdownGraceMs),
    ]).then(() => undefined));
  app.addHook('preClose', (done) => {
    void drain();
    done();
  });
  app.addHook('onClose', async () => {
    await drain();
    if (dependencies.spark === undefined) spark.close();
  });
  await app.ready();
  return app;
}
