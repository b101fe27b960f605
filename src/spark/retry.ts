import { SparkError } from './errors.js';

/**
 * What is retried, and what never is.
 *
 * - A broken or ended result stream is resumed with ReattachExecute (same operation, exactly
 *   once, in order) when the failure is retryable: the transport was unavailable, Spark says
 *   the cursor was disconnected, or it attached RetryInfo. Query errors (analysis, runtime,
 *   permission) are never retried.
 * - A request whose session the server no longer knows (expired, released, server restarted)
 *   is sent again once, on a fresh session, but only if nothing of its result has reached the
 *   client: a partly delivered result is never replayed.
 * - Aborts by the caller are never retried.
 */

export interface RetryPolicy {
  /** Attempts in a row without progress before giving up. */
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 10,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
};

/** Whether a failed result stream may be resumed by reattaching. */
export function canReattach(error: unknown, attemptsWithoutProgress: number, policy: RetryPolicy): boolean {
  return error instanceof SparkError && error.retryable && attemptsWithoutProgress < policy.maxRetries;
}

/** Whether a request may be sent again on a fresh session. */
export function retryOnFreshSession(
  error: unknown,
  options: { resultStarted: boolean; attempt: number },
): boolean {
  return error instanceof SparkError && error.sessionGone && !options.resultStarted && options.attempt === 0;
}

/** Exponential backoff with jitter: between half and all of the exponential ceiling. */
export function backoff(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
