/**
 * The error catalogue: every error a client can see, with a stable code and HTTP status. The
 * README's error table and openapi.yaml list the same codes (a test keeps them in step).
 */
import createError, { type FastifyErrorConstructor } from '@fastify/error';

export const Errors = {
  NotFound: createError('NOT_FOUND', 'No route %s %s', 404),
  MethodNotAllowed: createError('METHOD_NOT_ALLOWED', '%s is not a method of %s; use %s', 405),
  RequestTimeout: createError('REQUEST_TIMEOUT', 'The request did not arrive in time', 408),
  UriTooLong: createError('URI_TOO_LONG', 'The URL has a path segment longer than %d characters', 414),
  HeadersTooLarge: createError('HEADERS_TOO_LARGE', 'The request headers (and URL) are too large', 431),
  Unauthorized: createError('UNAUTHORIZED', '%s', 401),
  Forbidden: createError('FORBIDDEN', '%s', 403),
  RateLimited: createError('RATE_LIMITED', 'Too many requests; retry in %d s', 429),
  Overloaded: createError('OVERLOADED', 'The service is overloaded; retry shortly', 503),
  RequestInvalid: createError('REQUEST_INVALID', '%s', 400),
  RequestTooLarge: createError('REQUEST_TOO_LARGE', 'The request body is larger than %d bytes', 413),
  UnsupportedMediaType: createError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Send the request body as application/json',
    415,
  ),
  QueryInvalid: createError('QUERY_INVALID', '%s', 400),
  DatasetNotFound: createError('DATASET_NOT_FOUND', 'There is no dataset "%s"', 404),
  TableNotFound: createError('TABLE_NOT_FOUND', '%s', 404),
  SqlDisabled: createError('SQL_DISABLED', 'Raw SQL is disabled on this server', 403),
  SqlNotAllowed: createError('SQL_NOT_ALLOWED', 'Raw SQL on this server may not do this: %s', 403),
  SqlUncheckable: createError('SQL_UNCHECKABLE', 'Raw SQL is unavailable on this server: %s', 403),
  NotAcceptable: createError('NOT_ACCEPTABLE', '%s', 406),
  ResultTooLarge: createError('RESULT_TOO_LARGE', '%s', 413),
  SparkQueryError: createError('SPARK_QUERY_ERROR', '%s', 400),
  SparkDataError: createError('SPARK_DATA_ERROR', '%s', 422),
  UnservableColumn: createError('UNSERVABLE_COLUMN', '%s', 422),
  SparkError: createError('SPARK_ERROR', '%s', 502),
  SparkAuthFailed: createError('SPARK_AUTH_FAILED', "Spark refused the service's credentials: %s", 502),
  SessionsBusy: createError('SESSIONS_BUSY', 'All Spark sessions are busy; retry shortly', 503),
  TooManyRunning: createError(
    'TOO_MANY_RUNNING',
    'Your queries hold the most Spark sessions one caller may hold at once (%d); retry when one has finished',
    429,
  ),
  SparkUnavailable: createError('SPARK_UNAVAILABLE', 'Spark is not available: %s', 503),
  ShuttingDown: createError('SHUTTING_DOWN', 'The service is shutting down; retry shortly', 503),
  SpoolFailed: createError('SPOOL_FAILED', 'The service could not keep the result; retry', 503),
  StatementLost: createError(
    'STATEMENT_LOST',
    'The instance running statement "%s" stopped before the statement ended; submit it again',
    503,
  ),
  QueryTimeout: createError('QUERY_TIMEOUT', 'The query did not finish within %d ms', 504),
  StatementNotFound: createError('STATEMENT_NOT_FOUND', 'There is no statement "%s"', 404),
  ChunkNotFound: createError('CHUNK_NOT_FOUND', '%s', 404),
  StatementNotReady: createError('STATEMENT_NOT_READY', '%s', 409),
  StatementExpired: createError('STATEMENT_EXPIRED', 'Statement "%s" has expired; its result is gone', 410),
  RangeNotSatisfiable: createError('RANGE_NOT_SATISFIABLE', '%s', 416),
  StatementQuota: createError('STATEMENT_QUOTA', '%s', 429),
  Internal: createError('INTERNAL', 'Internal error', 500),
} as const satisfies Record<string, FastifyErrorConstructor>;

/** Every code of the catalogue. */
export const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(Errors).map((E) => new E().code));

/** RFC 9457 problem details: the body of every error response. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** The part of the request at fault, as a JSON pointer. */
  readonly pointer?: string;
  /** What would have been accepted there. */
  readonly allowed?: readonly string[];
  /** Spark's error class and SQLSTATE, when Spark raised the error. */
  readonly errorClass?: string;
  readonly sqlState?: string;
  /** Seconds to wait before retrying (also sent as Retry-After). */
  readonly retryAfter?: number;
}

export const PROBLEM_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Extra members an error may carry into its problem body. */
export interface ProblemExtras {
  readonly pointer?: string | undefined;
  readonly allowed?: readonly string[] | undefined;
  readonly errorClass?: string | undefined;
  readonly sqlState?: string | undefined;
  readonly retryAfter?: number | undefined;
}

/** An error of the catalogue: it has a code and an HTTP status, and may carry extras. */
export interface CatalogueError extends Error, ProblemExtras {
  readonly code: string;
  readonly statusCode: number;
}

/** A catalogue error with the extras for its problem body. */
export function withExtras<E extends Error>(error: E, extras: ProblemExtras): E & ProblemExtras {
  return Object.assign(error, Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined)));
}
