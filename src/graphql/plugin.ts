import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
} from 'fastify';
import { GraphQLError, type ExecutionResult, type ValidationContext, type ValidationRule } from 'graphql';
import { createComplexityRule, fieldExtensionsEstimator, simpleEstimator } from 'graphql-query-complexity';
import mercurius from 'mercurius';
import { DEFAULT_TENANT } from '../auth/principal.js';
import type { Config } from '../config.js';
import {
  MAX_GRAPHQL_TOKENS,
  MAX_GRAPHQL_VARIABLE_VALUES,
  MAX_NESTING,
  holdsMoreValuesThan,
  nestsDeeperThan,
} from '../query/document-bounds.js';
import { isFromSpark } from '../errors/from-spark.js';
import { graphqlErrorBody } from '../errors/graphql.js';
import { ResultRunner } from '../service/answers.js';
import { clientGone } from '../service/client-gone.js';
import { answerLimits } from '../service/limits.js';
import type { QueryService } from '../service/query-service.js';
import { depthRule } from './depth-rule.js';
import { IntrospectionLimit } from './introspection-rule.js';
import type { GraphQLContext } from './context.js';
import { INTROSPECTION_ROOTS } from './selection-walk.js';
import { VisibleSchemas, visibleSchemaRoutes } from './visible-schemas.js';

/**
 * How long start-up waits for Spark to describe the datasets before serving the generic schema:
 * well within the server's plugin timeout (30 s, less the pool's start), past which start-up
 * would fail instead.
 */
const DESCRIBE_AT_START_MS = 8_000;
/** How long each later attempt, in the background, may take. */
const DESCRIBE_LATER_MS = 15_000;
/** Later attempts wait this long, doubling each time up to `DESCRIBE_RETRY_MAX_MS`. */
const DESCRIBE_RETRY_MS = 5_000;
const DESCRIBE_RETRY_MAX_MS = 300_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** The GraphQL result runner: cache and in-flight de-duplication, for metrics and tests. */
    readonly graphqlResults: ResultRunner;
  }
}

/** Refuses documents with more fields or aliases than the limits, before anything runs. */
function sizeRule(maxFields: number, maxAliases: number): ValidationRule {
  return (context: ValidationContext) => {
    let fields = 0;
    let aliases = 0;
    return {
      Field(node) {
        fields++;
        if (node.alias !== undefined) aliases++;
      },
      Document: {
        leave() {
          if (fields > maxFields) {
            context.reportError(
              new GraphQLError(`The document selects ${fields} fields; at most ${maxFields} are allowed`),
            );
          }
          if (aliases > maxAliases) {
            context.reportError(
              new GraphQLError(`The document uses ${aliases} aliases; at most ${maxAliases} are allowed`),
            );
          }
        },
      },
    };
  };
}

/**
 * Errors as GraphQL errors whose extensions carry the HTTP API's code and facts. Server-side
 * failures (5xx) are logged with their cause, as the HTTP API's error handler does.
 */
function formatError(error: GraphQLError, log?: FastifyBaseLogger): Record<string, unknown> {
  const { body, status } = graphqlErrorBody(error);
  if (status >= 500) log?.error({ err: error.originalError, path: error.path }, 'GraphQL field failed');
  return body;
}

interface MercuriusExecution extends ExecutionResult {
  readonly statusCode?: number;
}

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  [keyword: string]: unknown;
}

/**
 * Mercurius' response schema writes every segment of an error's path as a string; GraphQL
 * gives a list index as a number (`["datasets", 1, "columns"]`), and so does this route.
 */
function withNumberedPaths(schema: FastifySchema): FastifySchema {
  const ok = (schema.response as Record<string, JsonSchema> | undefined)?.['2xx'];
  const errors = ok?.properties?.['errors'];
  const error = errors?.items;
  const path = error?.properties?.['path'];
  if (ok === undefined || errors === undefined || error === undefined || path === undefined) return schema;
  const numbered = { ...path, items: { type: ['string', 'integer'] } };
  const withNumbered = {
    ...errors,
    items: { ...error, properties: { ...error.properties, path: numbered } },
  };
  return {
    ...schema,
    response: {
      ...(schema.response as object),
      '2xx': { ...ok, properties: { ...ok.properties, errors: withNumbered } },
    },
  };
}

export async function graphqlRoutes(
  app: FastifyInstance,
  queries: QueryService,
  config: Config,
): Promise<void> {
  const { graphql: limits } = config;
  const runner = new ResultRunner(queries, answerLimits(config), {
    spool: app.spool,
    cache: app.resultCache,
  });
  app.decorate('graphqlResults', runner);
  const schemas = new VisibleSchemas({ maxRows: limits.maxRows }, queries);
  const introspection = new IntrospectionLimit();

  app.addHook('onRoute', (route) => {
    if (route.url === '/graphql' && route.schema !== undefined)
      route.schema = withNumberedPaths(route.schema);
  });
  await app.register(mercurius, {
    // Requests run against their caller's own schema (visibleSchemaRoutes); this one is all of them.
    schema: schemas.union,
    path: '/graphql',
    // /graphiql is served from the service's own assets (graphiql-page.ts).
    graphiql: false,
    graphql: { parseOptions: { maxLexicalTokens: MAX_GRAPHQL_TOKENS } },
    // Complexity depends on each request's variables, so validation cannot be cached (and each
    // document must be validated against its caller's schema).
    cache: false,
    persistedQueryProvider: mercurius.persistedQueryDefaults.automatic(),
    context: (request: FastifyRequest, reply: FastifyReply): GraphQLContext => {
      const { principal } = request;
      return {
        tenant: principal?.tenant ?? DEFAULT_TENANT,
        principal,
        signal: clientGone(reply),
        answers: runner,
        datasets: queries,
      };
    },
    validationRules: ({ variables, operationName }) => [
      sizeRule(limits.maxFields, limits.maxAliases),
      depthRule(limits.maxDepth),
      introspection.rule,
      createComplexityRule({
        maximumComplexity: limits.maxComplexity,
        variables: variables ?? {},
        ...(operationName === undefined ? {} : { operationName }),
        estimators: [
          // Introspection is bounded by the introspection rule instead.
          ({ field }) => (INTROSPECTION_ROOTS.has(field.name) ? 0 : undefined),
          fieldExtensionsEstimator(),
          simpleEstimator({ defaultComplexity: 1 }),
        ],
        createError: (max, actual) =>
          new GraphQLError(`The document’s complexity is ${actual}; at most ${max} is allowed`),
      }),
    ],
    errorFormatter: (execution: MercuriusExecution, context: { reply?: FastifyReply } | undefined) => {
      const log = context?.reply?.log;
      const errors = (execution.errors ?? [])
        .flatMap((e) => {
          const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
          return Array.isArray(inner) ? (inner as GraphQLError[]) : [e];
        })
        .map((e) => {
          // What callers are told of Spark's errors is cut short: the log keeps them whole.
          if (isFromSpark(e.originalError)) log?.info({ err: e.originalError }, 'Spark refused a field');
          return e;
        })
        .map((e) => formatError(e instanceof GraphQLError ? e : new GraphQLError(String(e)), log));
      // A document that never ran (syntax, validation, limits) is the client's error: 400.
      // Once it ran, errors are per field and the answer is 200, with whatever data there is.
      const ran = execution.data != null || (execution.errors ?? []).some((e) => e.path !== undefined);
      // Refused before GraphQL saw it (credentials, scope, rate): that error's own status.
      const first = errors[0]?.['extensions'] as { status?: number } | undefined;
      const statusCode = ran ? 200 : errors.length === 1 && first?.status !== undefined ? first.status : 400;
      return { statusCode, response: { data: execution.data ?? null, errors } as never };
    },
  });

  // Size and nesting are bounded before graphql-js parses the document or coerces variables.
  app.graphql.addHook('preParsing', (_schema, source, context) => {
    const { query, body } = context.reply.request as { query?: { variables?: unknown }; body?: unknown };
    if (nestsDeeperThan(source, MAX_NESTING)) {
      throw new GraphQLError(`The document nests deeper than ${MAX_NESTING} levels`);
    }
    // GET: JSON text in the query string; POST: a body already bounded in depth.
    const text = query?.variables;
    if (typeof text === 'string' && nestsDeeperThan(text, MAX_NESTING)) {
      throw new GraphQLError(`The variables nest deeper than ${MAX_NESTING} levels`);
    }
    const variables = (body as { variables?: unknown } | undefined)?.variables;
    if (holdsMoreValuesThan(variables ?? null, MAX_GRAPHQL_VARIABLE_VALUES)) {
      throw new GraphQLError(`The variables hold more than ${MAX_GRAPHQL_VARIABLE_VALUES} values`);
    }
    return Promise.resolve();
  });

  visibleSchemaRoutes(app, schemas);

  /**
   * The typed fields of every dataset Spark can describe now; throws, naming the others, while
   * some cannot be described (Spark down, a table not there yet), to be tried again.
   */
  const describe = async (signal: AbortSignal): Promise<void> => {
    const { described, failed } = await queries.describeEach(
      queries.list().map((d) => d.name),
      signal,
    );
    if (described.length > 0 || failed.length === 0) {
      schemas.described(described);
      app.graphql.replaceSchema(schemas.union);
    }
    const [first] = failed;
    if (first !== undefined) {
      throw new Error(`Spark could not describe ${failed.map((f) => f.name).join(', ')}`, {
        cause: first.err,
      });
    }
  };
  let retry: NodeJS.Timeout | undefined;
  const keepTrying = (wait = DESCRIBE_RETRY_MS) => {
    retry = setTimeout(() => {
      describe(AbortSignal.timeout(DESCRIBE_LATER_MS)).catch((err: unknown) => {
        const next = Math.min(wait * 2, DESCRIBE_RETRY_MAX_MS);
        app.log.warn(
          { err, retryInMs: next },
          'GraphQL: datasets not described yet; they are left out of the schema',
        );
        keepTrying(next);
      });
    }, wait);
    retry.unref();
  };
  app.addHook('onReady', async () => {
    try {
      await describe(AbortSignal.timeout(DESCRIBE_AT_START_MS));
    } catch (err) {
      app.log.warn({ err }, 'GraphQL: datasets not described; they are left out of the schema meanwhile');
      keepTrying();
    }
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(retry);
    done();
  });
}
