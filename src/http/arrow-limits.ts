/** Row and byte limits applied to Spark's Arrow payloads as they pass through unchanged. */
import type { Data, Struct } from 'apache-arrow';
import { decodePayload, type ArrowPayload } from '../arrow/decode.js';
import { ipcStreamOf, splitAfterSchema } from '../encode/ipc-write.js';
import type { EncodeStats } from '../encode/stats.js';
import type { ResponseLimits } from '../service/limits.js';

/**
 * Spark's payloads up to the response's limits. Whole payloads pass through untouched; the one
 * that crosses `maxRows` is cut to the exact row by re-encoding just that batch, and one that
 * would pass `maxBytes` is left out. Stopping early closes the payloads, which stops the Spark
 * operation; `stats.truncated` is set only when rows were really left behind.
 */
export async function* limitPayloads(
  payloads: AsyncIterable<ArrowPayload>,
  limits: ResponseLimits,
  stats: EncodeStats,
): AsyncGenerator<ArrowPayload, void, undefined> {
  let rows = 0;
  let bytes = 0;
  for await (const payload of payloads) {
    const count = Number(payload.rowCount);
    if (count === 0) {
      if (rows === 0) yield payload; // the schema of an empty result
      continue;
    }
    if (rows >= limits.maxRows || bytes + payload.data.byteLength > limits.maxBytes) {
      stats.truncated = true;
      return;
    }
    if (rows + count > limits.maxRows) {
      yield slice(payload, limits.maxRows - rows);
      stats.truncated = true;
      return;
    }
    rows += count;
    bytes += payload.data.byteLength;
    yield payload;
  }
}

/** The first `keep` rows of a payload, as a payload of their own under its own schema message. */
function slice(payload: ArrowPayload, keep: number): ArrowPayload {
  const kept: Data<Struct>[] = [];
  let left = keep;
  for (const batch of decodePayload(payload).batches) {
    if (left <= 0) break;
    kept.push(batch.numRows <= left ? batch.data : batch.data.slice(0, left));
    left -= Math.min(batch.numRows, left);
  }
  return { data: ipcStreamOf(splitAfterSchema(payload.data).schema, kept), rowCount: BigInt(keep) };
}
