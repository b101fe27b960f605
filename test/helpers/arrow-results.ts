/**
 * Reading Spark's answers in tests: a result decoded into record batches, every row of a
 * batch as exact values, and the service's Arrow stream as bytes.
 */
import { Schema, type RecordBatch } from 'apache-arrow';
import { arrowPayloads, decodePayload, type ArrowPayload } from '../../src/arrow/decode.js';
import { valueReader, type ExactValue } from '../../src/arrow/values.js';
import { openArrowStream, type ArrowStreamOptions } from '../../src/encode/arrow-ipc.js';
import type { ExecutePlanResponse } from '../../src/gen/spark/connect/base_pb.js';

export interface DecodedResult {
  /** The Arrow schema of the result (empty when the plan produced no Arrow data). */
  readonly schema: Schema;
  /** Every record batch, in order; pull to read more from Spark. */
  readonly batches: AsyncIterable<RecordBatch>;
}

/** Reads up to the first Arrow payload and returns the schema with the batches. */
export async function decodeResult(responses: AsyncIterable<ExecutePlanResponse>): Promise<DecodedResult> {
  const payloads = arrowPayloads(responses);
  const first = await payloads.next();
  if (first.done === true) return { schema: new Schema([]), batches: (async function* () {})() };
  const { schema, batches } = decodePayload(first.value);
  async function* all(): AsyncGenerator<RecordBatch, void, undefined> {
    try {
      yield* batches;
      for await (const payload of payloads) yield* decodePayload(payload).batches;
    } finally {
      await payloads.return();
    }
  }
  return { schema, batches: all() };
}

/** Every row of a batch as an object of exact values, keyed by column name. */
export function batchRows(batch: RecordBatch): Record<string, ExactValue>[] {
  const names = batch.schema.fields.map((f) => f.name);
  const readers = batch.data.children.map((child) => valueReader(child));
  return Array.from({ length: batch.numRows }, (_, i) =>
    Object.fromEntries(names.map((name, c) => [name, readers[c]!(i)])),
  );
}

/** The service's Arrow IPC stream of the payloads, as bytes. */
export async function* encodeArrow(
  payloads: AsyncIterable<ArrowPayload>,
  options: ArrowStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* (await openArrowStream(payloads, options)).chunks;
}
