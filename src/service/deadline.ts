/**
 * The query deadline: how long a query may take before the client is told QUERY_TIMEOUT.
 * One implementation for every front door.
 */
import { Errors } from '../errors/catalogue.js';

/**
 * Runs `work` under a deadline of `timeoutMs`: the signal it is given aborts when the deadline
 * passes or `signal` aborts (the client left). A failure once the deadline has passed is a
 * QUERY_TIMEOUT, its cause the original error. The clock stops when `work` settles.
 */
export async function withinDeadline<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(new DOMException(`no result within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  try {
    return await work(signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]));
  } catch (err) {
    throw deadline.signal.aborted ? new Errors.QueryTimeout(timeoutMs, { cause: err }) : err;
  } finally {
    clearTimeout(timer);
  }
}
