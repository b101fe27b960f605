/**
 * What statements need of the result spool: a result drained from Spark and kept under the
 * statement's id until it is complete, and a kept result read by chunks.
 */
import type { Schema } from 'apache-arrow';
import type { ArrowPayload } from '../../arrow/decode.js';

export interface SourceChunk {
  readonly index: number;
  readonly rowOffset: number;
  readonly rowCount: number;
  readonly byteCount: number;
}

/** A kept result, read by chunks. */
export interface ResultSource {
  readonly schema: Schema;
  chunks(): readonly SourceChunk[];
  /** Payloads of chunks `from` to `to` (exclusive). */
  payloads(options: { from?: number; to?: number; signal?: AbortSignal }): AsyncIterable<ArrowPayload>;
}

/** A result being kept, as its drain goes. */
export interface KeptResult extends ResultSource {
  readonly state: 'running' | 'complete' | 'failed';
  readonly error: unknown;
  readonly rows: number;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly settled: Promise<void>;
  /** Stops the drain if it still runs (and so the Spark job) and deletes the data. */
  release(): Promise<void>;
}

/** Drains a result into the spool, kept (read any number of times) under `id`. */
export type KeepResult = (
  id: string,
  schema: Schema,
  payloads: AsyncIterable<ArrowPayload>,
  stop: (reason: Error) => void,
) => KeptResult;
