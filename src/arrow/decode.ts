import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import type { ExecutePlanResponse } from '../gen/spark/connect/base_pb.js';

/** One Arrow IPC stream from Spark (schema + record batches) and the row count Spark announced. */
export interface ArrowPayload {
  readonly data: Uint8Array;
  readonly rowCount: bigint;
}

export class ArrowDecodeError extends Error {
  override readonly name = 'ArrowDecodeError';
}

/**
 * The Arrow payloads of an ExecutePlan stream, in order. Each `arrow_batch` is a complete IPC
 * stream; batches Spark split into chunks (4.1+, when asked) are joined first. Offsets are
 * checked like PySpark does, so a lost or repeated batch is an error, never silent.
 */
export async function* arrowPayloads(
  responses: AsyncIterable<ExecutePlanResponse>,
): AsyncGenerator<ArrowPayload, void, undefined> {
  let rows = 0n;
  let chunks: Uint8Array[] = [];
  for await (const response of responses) {
    if (response.responseType.case !== 'arrowBatch') continue;
    const batch = response.responseType.value;
    if (batch.startOffset !== undefined && batch.startOffset !== rows) {
      throw new ArrowDecodeError(`Arrow batch starts at row ${batch.startOffset}, expected ${rows}`);
    }
    const parts = batch.numChunksInBatch ?? 1n;
    if (parts > 1n) {
      chunks.push(batch.data);
      if ((batch.chunkIndex ?? 0n) < parts - 1n) continue;
    }
    const data = chunks.length > 0 ? Buffer.concat(chunks) : batch.data;
    chunks = [];
    rows += batch.rowCount;
    yield { data, rowCount: batch.rowCount };
  }
  if (chunks.length > 0) throw new ArrowDecodeError('the stream ended inside a chunked Arrow batch');
}

/** Decodes one payload; its row count must match what Spark announced. */
export function decodePayload(payload: ArrowPayload): { schema: Schema; batches: RecordBatch[] } {
  const reader = RecordBatchReader.from(payload.data).open();
  // The reader forgets its schema once exhausted.
  const schema = reader.schema;
  const batches = [...reader];
  const decoded = batches.reduce((n, b) => n + b.numRows, 0);
  if (BigInt(decoded) !== payload.rowCount) {
    throw new ArrowDecodeError(`Arrow batch has ${decoded} rows, Spark announced ${payload.rowCount}`);
  }
  return { schema, batches };
}
