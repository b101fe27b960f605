/** The refusals of a session pool: no session came free in time, or the pool is closing. */

/** Every session is in use and none came free in time: retry shortly. */
export class PoolExhaustedError extends Error {
  override readonly name = 'PoolExhaustedError';
  readonly retryAfterSeconds = 1;
}

/**
 * The caller's principal held its share of the sessions (POOL_MAX_PER_PRINCIPAL) for as long
 * as the request could wait: retry when one of its own queries has finished.
 */
export class PrincipalBusyError extends Error {
  override readonly name = 'PrincipalBusyError';
  readonly retryAfterSeconds = 1;
  /** The principal's leases when its wait ended. */
  readonly running: number;

  constructor(running: number) {
    super(`${running} of this caller's queries are running, the most one caller may run at once`);
    this.running = running;
  }
}

/** The pool is shutting down. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  readonly retryAfterSeconds = 1;
}
