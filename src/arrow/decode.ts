import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import type { ExecutePlanResponse, ExecutePlanResponse_ArrowBatch } from '../gen/spark/connect/base_pb.js';
import { memoryReleaser } from './payload-memory.js';

/** One Arrow IPC stream from Spark (schema + record batches) and the row count Spark announced. */
export interface ArrowPayload {
  readonly data: Uint8Array;
  readonly rowCount: bigint;
  /**
   * Frees the memory of `data` now rather than when V8 gets to it; `data` is empty after. Only
   * for the one holder of the payload, once it reads it no more and no write of it is pending.
   * Present where `data` has memory of its own (Spark's larger payloads).
   */
  readonly release?: (() => void) | undefined;
}

export class ArrowDecodeError extends Error {
  override readonly name = 'ArrowDecodeError';
}

/** The pieces of one chunked batch received so far. */
interface Pending {
  readonly first: ExecutePlanResponse_ArrowBatch;
  readonly parts: Uint8Array[];
}

/**
 * The Arrow payloads of an ExecutePlan stream, in order. Each `arrow_batch` is a complete IPC
 * stream, or (Spark 4.1+, when asked) one of `num_chunks_in_batch` pieces of one, numbered
 * from 0 and each carrying the whole batch's row count and offset: they are joined first.
 * Offsets and piece numbers are checked, so a lost or repeated batch or piece is an error,
 * never silent.
 */
export async function* arrowPayloads(
  responses: AsyncIterable<ExecutePlanResponse>,
): AsyncGenerator<ArrowPayload, void, undefined> {
  let rows = 0n;
  let pending: Pending | undefined;
  for await (const response of responses) {
    if (response.responseType.case !== 'arrowBatch') continue;
    const batch = response.responseType.value;
    const parts = batch.numChunksInBatch ?? 1n;
    const index = batch.chunkIndex ?? 0n;
    if (pending === undefined) {
      if (batch.startOffset !== undefined && batch.startOffset !== rows) {
        throw new ArrowDecodeError(`Arrow batch starts at row ${batch.startOffset}, expected ${rows}`);
      }
      if (index !== 0n || parts < 1n) {
        throw new ArrowDecodeError(`Arrow batch begins with piece ${index} of ${parts}, expected piece 0`);
      }
      if (parts > 1n) {
        pending = { first: batch, parts: [batch.data] };
        continue;
      }
      rows += batch.rowCount;
      yield payloadOf(batch.data, batch.rowCount);
      continue;
    }
    const { first } = pending;
    const expected = BigInt(pending.parts.length);
    if (
      index !== expected ||
      parts !== first.numChunksInBatch ||
      batch.rowCount !== first.rowCount ||
      batch.startOffset !== first.startOffset
    ) {
      throw new ArrowDecodeError(
        `Arrow batch piece ${index} of ${parts} does not continue piece ${expected - 1n} of ${first.numChunksInBatch}`,
      );
    }
    pending.parts.push(batch.data);
    if (index < parts - 1n) continue;
    const data = Buffer.concat(pending.parts);
    pending = undefined;
    rows += first.rowCount;
    yield payloadOf(data, first.rowCount);
  }
  if (pending !== undefined) throw new ArrowDecodeError('the stream ended inside a chunked Arrow batch');
}

function payloadOf(data: Uint8Array, rowCount: bigint): ArrowPayload {
  return { data, rowCount, release: memoryReleaser(data) };
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
