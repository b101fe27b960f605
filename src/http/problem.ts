import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ERROR_CODES,
  Errors,
  PROBLEM_TITLES,
  withExtras,
  type Problem,
  type ProblemExtras,
} from '../errors.js';
import { ValueError } from '../query/value-error.js';
import { QueryError } from '../query/errors.js';
import { UnknownDatasetError } from '../service/catalog.js';
import { ClientSqlError } from '../service/client-sql-error.js';
import { SparkError } from '../spark/errors.js';
import { PoolClosedError, PoolExhaustedError } from '../spark/pool.js';
import { sparkDetail } from './spark-detail.js';

/** An error already in the catalogue: it has a code and an HTTP status. */
interface CatalogueError extends Error, ProblemExtras {
  readonly code: string;
  readonly statusCode: number;
}

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
 * Turns anything a request can throw into a catalogue error: the one place where foreign
 * errors (validation, pool, Spark) meet HTTP. `timeoutMs` says the request's own deadline
 * struck, when it did.
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
    return withExtras(new Errors.DatasetNotFound(err.message.replace(/^there is no dataset "(.*)"$/, '$1')), {
      allowed: err.known,
    });
  }
  if (err instanceof PoolExhaustedError)
    return withExtras(new Errors.SessionsBusy(), { retryAfter: err.retryAfterSeconds });
  if (err instanceof PoolClosedError)
    return withExtras(new Errors.ShuttingDown(), { retryAfter: err.retryAfterSeconds });
  if (err instanceof Error && err.name === 'TimeoutError' && context.timeoutMs !== undefined) {
    return new Errors.QueryTimeout(context.timeoutMs);
  }
  if (err instanceof SparkError) return fromSpark(err, false);
  if (err instanceof ClientSqlError) return fromSpark(err.spark, true);
  return new Errors.Internal({ cause: err });
}

/**
 * Spark's errors by what they mean for the client: its query, its data, or Spark itself. What
 * Spark said is told without the plan, SQL and values behind it (see {@link sparkDetail}).
 */
function fromSpark(err: SparkError, clientSql: boolean): CatalogueError {
  const spark = { errorClass: err.errorClass, sqlState: err.sqlState };
  // A configuration fault of the service, not of the request: retrying will not help.
  if (err.credentialsRefused) return new Errors.SparkAuthFailed(err.message, { cause: err });
  if (err.grpcCode === GrpcStatus.UNAVAILABLE || err.retryable || err.sessionGone) {
    return withExtras(new Errors.SparkUnavailable('unreachable or restarting', { cause: err }), {
      ...spark,
      retryAfter: 2,
    });
  }
  const told = (what: string) => {
    const { detail, pointer } = sparkDetail(err, what, clientSql);
    return [detail, { ...spark, pointer }] as const;
  };
  if (
    err.errorClass === 'TABLE_OR_VIEW_NOT_FOUND' ||
    err.errorClass?.startsWith('TABLE_OR_VIEW_NOT_FOUND.')
  ) {
    const [detail, extras] = told('A table or view the query reads does not exist');
    return withExtras(new Errors.TableNotFound(detail, { cause: err }), extras);
  }
  const state = err.sqlState ?? '';
  if (state.startsWith('42') || state.startsWith('0A') || state.startsWith('07')) {
    const [detail, extras] = told('Spark refused the query');
    return withExtras(new Errors.SparkQueryError(detail, { cause: err }), extras);
  }
  // Data errors, and errors the query raised itself (raise_error).
  if (state.startsWith('22') || state.startsWith('23') || state === 'P0001') {
    const [detail, extras] = told('Spark could not compute the result from the data');
    return withExtras(new Errors.SparkDataError(detail, { cause: err }), extras);
  }
  // Not the request's fault: say what Spark reported, not its internals.
  const what = err.errorClass === undefined ? `gRPC status ${err.grpcCode}` : err.errorClass;
  return withExtras(new Errors.SparkError(`Spark failed to run the query (${what})`, { cause: err }), spark);
}

/** Raised by Spark: what a caller is told of it is cut short, so the log keeps it whole. */
export function isFromSpark(err: unknown): boolean {
  return err instanceof SparkError || err instanceof ClientSqlError;
}

/** The problem body of a catalogue error; 5xx bodies carry nothing internal. */
export function toProblem(err: CatalogueError): Problem {
  const status = err.statusCode;
  return {
    type: `urn:spark-data-api:error:${err.code.toLowerCase()}`,
    title: PROBLEM_TITLES[status] ?? 'Error',
    status,
    code: err.code,
    detail: status === 500 ? 'Internal error' : err.message,
    ...(err.pointer === undefined ? {} : { pointer: err.pointer }),
    ...(err.allowed === undefined ? {} : { allowed: err.allowed }),
    ...(err.errorClass === undefined ? {} : { errorClass: err.errorClass }),
    ...(err.sqlState === undefined ? {} : { sqlState: err.sqlState }),
    ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }),
  };
}
