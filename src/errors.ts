import createError from '@fastify/error';

/**
 * The error catalogue: every error a client can see has a stable code and HTTP status here,
 * and is documented in the README's error table (a test keeps the two in step).
 */
export const Errors = {
  NotFound: createError('NOT_FOUND', 'No route %s %s', 404),
  SparkUnavailable: createError('SPARK_UNAVAILABLE', 'Spark is not available: %s', 503),
  Internal: createError('INTERNAL', 'Internal error', 500),
} as const;

/** RFC 9457 problem details, as every error response body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem body for an error; 5xx bodies say nothing internal beyond the catalogue message. */
export function toProblem(error: unknown): Problem {
  const e = (error ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  const known =
    typeof e.code === 'string' && typeof e.statusCode === 'number' && typeof e.message === 'string';
  const status = known ? (e.statusCode as number) : 500;
  const code = known ? (e.code as string) : 'INTERNAL';
  return {
    type: `urn:spark-data-api:error:${code.toLowerCase()}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(known ? { detail: e.message as string } : {}),
  };
}
