/**
 * What the spool promises its users: results drained from Spark at Spark's pace, read at the
 * reader's. The session goes back to the pool when Spark has finished sending, not when the
 * reader has finished reading.
 */
import type { Schema } from 'apache-arrow';
import type { ArrowPayload } from '../arrow/decode.js';

export interface SpoolChunk {
  readonly index: number;
  /** Rows before this chunk. */
  readonly rowOffset: number;
  readonly rowCount: number;
  /** Bytes of Spark's Arrow payloads in it. */
  readonly byteCount: number;
}

/** How a result is read: once, dropping what was read (`consume`), or any number of times (`keep`). */
export type SpoolMode = 'consume' | 'keep';

export interface SpoolOptions {
  readonly mode: SpoolMode;
  /** Letters, digits, '-' and '_'; a random one when absent. */
  readonly id?: string | undefined;
  /**
   * Makes the payloads' iteration end promptly (abort the execution's signal). Called when the
   * result is released, or fails on the spool's side, while Spark still sends; without it the
   * iteration is returned once its pending payload arrives.
   */
  readonly stop?: ((reason: Error) => void) | undefined;
}

export interface ReadOptions {
  /** The first chunk to read (default 0). */
  readonly from?: number | undefined;
  /** The chunk to stop before (default: to the end of the result). */
  readonly to?: number | undefined;
  /** Stops a reader that waits for more data. */
  readonly signal?: AbortSignal | undefined;
}

/** One result in the spool. Written by one drain; read by any number of readers (keep) or one (consume). */
export interface SpooledResult {
  readonly id: string;
  readonly schema: Schema;
  readonly state: 'running' | 'complete' | 'failed';
  /** Why it failed, when it did. */
  readonly error: unknown;
  /** Rows spooled so far. */
  readonly rows: number;
  /** Bytes spooled so far. */
  readonly bytes: number;
  /** Keep mode: cut at the per-result cap. */
  readonly truncated: boolean;
  /** Sealed chunks so far (all of them once complete). */
  chunks(): readonly SpoolChunk[];
  /** Resolves when complete or failed; never rejects. */
  readonly settled: Promise<void>;
  /**
   * Payloads in order, from chunk `from` to `to`; waits while running; throws the drain's error
   * after the data before it: a failed result never ends cleanly.
   */
  payloads(options?: ReadOptions): AsyncIterable<ArrowPayload>;
  /** Stops the drain if still running (which stops the Spark job) and deletes the result's data. */
  release(): Promise<void>;
}

export interface Spool {
  /** Starts draining `payloads`, whose iteration holds the Spark session; ending or returning it releases the session. */
  spool(schema: Schema, payloads: AsyncIterable<ArrowPayload>, options: SpoolOptions): SpooledResult;
}
