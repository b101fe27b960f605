/** The refusals of a session pool: no session came free in time, or the pool is closing. */

/** Every session is in use and none came free in time: retry shortly. */
export class PoolExhaustedError extends Error {
  override readonly name = 'PoolExhaustedError';
  readonly retryAfterSeconds = 1;
}

/** The pool is shutting down. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  readonly retryAfterSeconds = 1;
}
