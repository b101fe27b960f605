/**
 * Anything a request can throw, as a catalogue error: the one place where foreign errors
 * (Fastify's validation, the query vocabulary, the session pool, Spark) meet the catalogue.
 */
import { QueryError } from '../query/errors.js';
import { ValueError } from '../query/value-error.js';
import { SparkError } from '../spark/errors.js';
import { PoolClosedError, PoolExhaustedError, PrincipalBusyError } from '../spark/pool-errors.js';
import { ERROR_CODES, Errors, withExtras, type CatalogueError } from './catalogue.js';
import { ClientSqlError } from './client-sql-error.js';
import { fromSpark } from './from-spark.js';
import { UnknownDatasetError } from './unknown-dataset.js';

function isCatalogueError(err: unknown): err is CatalogueError {
  const code = (err as Partial<CatalogueError> | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && ERROR_CODES.has(code);
}

interface FastifyValidationError extends Error {
  readonly code: string;
  readonly statusCode?: number;
  readonly validation?: readonly {
    instancePath: string;
    message?: string;
    params: Record<string, unknown>;
  }[];
  readonly validationContext?: string;
}

/** A JSON Schema validation error (Ajv's first) as REQUEST_INVALID, at its JSON pointer. */
export function schemaError(
  first: { instancePath: string; message?: string | undefined; params: Record<string, unknown> },
  where = '',
): CatalogueError {
  const message =
    first.params['error'] === 'mapping'
      ? `"op" ${JSON.stringify(first.params['tagValue'])} is not an operator`
      : first.params['additionalProperty'] !== undefined
        ? `unknown property ${JSON.stringify(first.params['additionalProperty'])}`
        : (first.message ?? 'is invalid');
  const pointer = first.instancePath || '/';
  return withExtras(new Errors.RequestInvalid(`${where}${pointer}: ${message}`), { pointer });
}

/** Fastify's default `maxParamLength`: the longest path parameter it routes. */
const MAX_PARAM_LENGTH = 100;

/** Fastify's own request errors (schema validation, body parsing) as catalogue errors. */
function fromFastify(err: FastifyValidationError, bodyLimit: number): CatalogueError | undefined {
  if (!err.code.startsWith('FST_')) return undefined;
  const [first] = err.validation ?? [];
  if (first !== undefined) {
    const where = err.validationContext === 'body' ? '' : `${err.validationContext ?? 'request'} `;
    return schemaError(first, where);
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new Errors.RequestTooLarge(bodyLimit);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new Errors.UnsupportedMediaType();
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new Errors.UriTooLong(MAX_PARAM_LENGTH);
  if ((err.statusCode ?? 500) < 500) return new Errors.RequestInvalid(err.message);
  return undefined;
}

/**
 * Turns anything a request can throw into a catalogue error. `timeoutMs` says the request's
 * own deadline struck, when it did; anything unforeseen is an INTERNAL error.
 */
export function toCatalogueError(
  err: unknown,
  context: { timeoutMs?: number | undefined; bodyLimit?: number | undefined } = {},
): CatalogueError {
  if (isCatalogueError(err)) return err;
  if (err instanceof Error && typeof (err as Partial<FastifyValidationError>).code === 'string') {
    const converted = fromFastify(err as FastifyValidationError, context.bodyLimit ?? 0);
    if (converted !== undefined) return converted;
  }
  if (err instanceof QueryError) {
    return withExtras(new Errors.QueryInvalid(err.message), { pointer: err.pointer, allowed: err.allowed });
  }
  if (err instanceof ValueError) return new Errors.QueryInvalid(err.message);
  if (err instanceof UnknownDatasetError) {
    return withExtras(new Errors.DatasetNotFound(err.dataset), { allowed: err.known });
  }
  if (err instanceof PoolExhaustedError)
    return withExtras(new Errors.SessionsBusy(), { retryAfter: err.retryAfterSeconds });
  if (err instanceof PrincipalBusyError)
    return withExtras(new Errors.TooManyRunning(err.running), { retryAfter: err.retryAfterSeconds });
  if (err instanceof PoolClosedError)
    return withExtras(new Errors.ShuttingDown(), { retryAfter: err.retryAfterSeconds });
  if (err instanceof Error && err.name === 'TimeoutError' && context.timeoutMs !== undefined) {
    return new Errors.QueryTimeout(context.timeoutMs);
  }
  if (err instanceof SparkError) return fromSpark(err, false);
  if (err instanceof ClientSqlError) return fromSpark(err.spark, true);
  return new Errors.Internal({ cause: err });
}
