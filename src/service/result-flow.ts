/**
 * The one flow from a query to its result, for every front door: open it under the client-gone
 * and deadline signals, within the row limit, then hand over either a stream (HTTP sends it in
 * the negotiated format) or a bounded whole answer as row values (GraphQL returns it).
 */
import { jsonAnswer, type JsonAnswer } from '../encode/json-answer.js';
import { withinDeadline } from './deadline.js';
import type { ResponseLimits } from './limits.js';
import type { OpenResult } from './run-query.js';

/** Opens a result under `signal`, for at most `maxRows` rows (Spark is asked for one more). */
export type Opener = (signal: AbortSignal, maxRows: number) => Promise<OpenResult>;

export interface FlowOptions {
  /** Aborts when nobody waits for the result any more (the client left). */
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly limits: ResponseLimits;
}

/**
 * A result to stream. The deadline bounds the wait for it to start; once rows flow, the limits
 * bound the response, not the clock. The caller reads it once, or closes it.
 */
export function openStream(open: Opener, options: FlowOptions): Promise<OpenResult> {
  return withinDeadline(options.timeoutMs, options.signal, (signal) => open(signal, options.limits.maxRows));
}

/**
 * A whole answer, its rows as the values of the JSON encoder's document, cut by the limits.
 * The deadline bounds all of it: the wait for the result and the reading of its rows.
 */
export function wholeAnswer(open: Opener, options: FlowOptions): Promise<JsonAnswer> {
  const { limits } = options;
  return withinDeadline(options.timeoutMs, options.signal, async (signal) => {
    const result = await open(signal, limits.maxRows);
    return jsonAnswer(result.schema, result.batches, limits);
  });
}
