/**
 * The one flow from a query to its result, for every front door: open it under the client-gone
 * and deadline signals, within the row limit, then hand over a stream read through the spool
 * (HTTP sends it in the negotiated format). Results reused within a dataset's TTL take the
 * same path through result-reuse.ts.
 */
import type { Spool, SpooledResult } from '../spool/types.js';
import { withinDeadline } from './deadline.js';
import type { ResponseLimits } from './limits.js';
import { readOnce, type OpenResult } from './open-result.js';

/** Opens a result under `signal`, for at most `maxRows` rows (Spark is asked for one more). */
export type Opener = (signal: AbortSignal, maxRows: number) => Promise<OpenResult>;

export interface FlowOptions {
  /** Aborts when nobody waits for the result any more (the client left). */
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly limits: ResponseLimits;
}

/**
 * A result to stream, drained into the spool as fast as Spark sends it: the session goes back
 * to the pool when Spark has finished, however slowly the result is read. The deadline bounds
 * the wait for it to start; once rows flow, the limits bound the response, not the clock. The
 * caller reads it once, or closes it; either way its spooled data is let go. The client
 * leaving while Spark still sends stops the Spark job.
 */
export async function openStream(open: Opener, spool: Spool, options: FlowOptions): Promise<OpenResult> {
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const opened = await withinDeadline(options.timeoutMs, signal, (s) => open(s, options.limits.maxRows));
  let spooled: SpooledResult;
  try {
    spooled = spool.spool(opened.schema, opened.payloads, {
      mode: 'consume',
      stop: (reason) => {
        stop.abort(reason);
      },
    });
  } catch (err) {
    await opened.close();
    throw err;
  }
  return readSpooled(opened, spooled);
}

/** A spooled result as an open result: read once, released when read, closed or left. */
function readSpooled(opened: OpenResult, spooled: SpooledResult): OpenResult {
  return readOnce({
    schema: opened.schema,
    operationId: opened.operationId,
    read: () => spooled.payloads(),
    finish: () => spooled.release(),
    finishOnCloseWhileRead: true,
  });
}
