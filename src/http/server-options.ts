/**
 * The options the Fastify server is created with: body size, request validators, timeouts of
 * slow senders, request ids, trusted proxies and the answers to malformed requests.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { validateQuerySpec } from '../query/spec-validator.js';
import { loggerOptions } from '../observability/logging.js';
import { clientErrorHandler, frameworkErrors } from './early-errors.js';
import { requestId } from './request-id.js';

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;

/** Request bodies above this size are refused (413). */
export const BODY_LIMIT = 1024 * 1024;

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
    // A QuerySpec body is checked by the validator GraphQL's QuerySpecs are checked by too.
    return (route: { httpPart?: string; schema?: { $id?: string } }) =>
      route.httpPart !== 'body'
        ? finiteOnly(text(route) as TextValidator, route.schema)
        : route.schema?.$id === 'QuerySpec'
          ? validateQuerySpec
          : body(route);
  };
}

interface TextValidator {
  (data: unknown, context?: unknown): boolean;
  errors?: unknown[] | null | undefined;
  schemaEnv?: unknown;
}

interface Bounds {
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Ajv turns the text `-Infinity` or `1e400` into a number and then skips the bounds of a
 * number that is not finite: such a value is refused here with the bound it breaks, as Ajv
 * refuses `NaN`.
 */
function finiteOnly(validate: TextValidator, schema: unknown): TextValidator {
  const properties = (schema as { properties?: Record<string, Bounds> } | undefined)?.properties ?? {};
  const checked: TextValidator = (data, context) => {
    const valid = validate(data, context);
    const found = valid ? infinite(data, '') : undefined;
    checked.errors = found === undefined ? validate.errors : [infiniteError(found, properties)];
    return valid && found === undefined;
  };
  // Fastify hands Ajv's validators the request, so that a coerced root value can be replaced.
  checked.schemaEnv = validate.schemaEnv;
  return checked;
}

/** Ajv's error for a number that is not finite: the bound it breaks, if its schema has one. */
function infiniteError(
  [path, value]: readonly [string, number],
  properties: Readonly<Record<string, Bounds>>,
): Record<string, unknown> {
  const bounds = Object.hasOwn(properties, path.slice(1)) ? properties[path.slice(1)] : undefined;
  const base = { instancePath: path, schemaPath: '', params: {} };
  if (value > 0 && bounds?.maximum !== undefined) {
    return { ...base, keyword: 'maximum', message: `must be <= ${bounds.maximum}` };
  }
  if (value < 0 && bounds?.minimum !== undefined) {
    return { ...base, keyword: 'minimum', message: `must be >= ${bounds.minimum}` };
  }
  return { ...base, keyword: 'type', message: 'must be a finite number' };
}

/** The JSON pointer and value of the first number in `value` that is not finite. */
function infinite(value: unknown, path: string): readonly [string, number] | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : [path, value];
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = infinite(item, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Fastify's `trustProxy` from the configuration: a hop count trusts that many proxies. */
function trustProxy(setting: Config['trustProxy']): NonNullable<FastifyServerOptions['trustProxy']> {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return typeof setting === 'boolean' ? setting : [...setting];
}

/** The server options of the configuration. */
export function serverOptions(config: Config): FastifyHttpOptions<Server> {
  return {
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
    // The app plugin opens Spark sessions (up to ~10 s when Spark is slow to answer) and then
    // GraphQL waits up to 8 s for dataset descriptions: start-up must not fail on either.
    pluginTimeout: 30_000,
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
  };
}
