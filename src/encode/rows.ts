import type { RecordBatch } from 'apache-arrow';
import { ByteSink, utf8Bytes } from './byte-sink.js';
import type { BufferSource } from './chunk-pool.js';
import type { EncodeStats } from './stats.js';

export interface RowLimits {
  /** Stop after this many rows. */
  readonly maxRows?: number | undefined;
  /**
   * Stop before the rows' UTF-8 bytes (with their separators and line ends, without the
   * format's head and tail) would exceed this.
   */
  readonly maxBytes?: number | undefined;
}

export interface RowEncodeOptions extends RowLimits {
  /** Filled in as chunks are yielded; see `EncodeStats`. */
  readonly stats?: EncodeStats | undefined;
  /** Where the buffers that chunks are cut from come from; new memory for each when absent. */
  readonly buffers?: BufferSource | undefined;
}

/** A text format of rows: a head, rows with separators or line ends, and a tail. */
export interface RowFormat {
  readonly head: string;
  /** Written between two rows. */
  readonly separator: string;
  /** Written after every row. */
  readonly terminator: string;
  /** Writes the bytes of each row of a batch into the sink; called once per batch. */
  rowWriter(batch: RecordBatch, sink: ByteSink): (i: number) => void;
  tail(rows: number, truncated: boolean): string;
}

/** Bytes are sent as soon as a batch is done, or when this many are waiting. */
const CHUNK_BYTES = 1 << 16;

/**
 * Rows of batches as UTF-8 chunks, pulled: the next batch is read only when the consumer asks
 * for more, and at most one batch's bytes (or `CHUNK_BYTES`) are held. A limit ends the output
 * only when another row exists, so `truncated` never claims rows that were not there; then the
 * batches are closed, which stops the Spark operation.
 */
export async function* encodeRows(
  batches: AsyncIterable<RecordBatch>,
  format: RowFormat,
  options: RowEncodeOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const separator = utf8Bytes(format.separator);
  const terminator = utf8Bytes(format.terminator);
  const stats = options.stats;
  const maxRows = options.maxRows ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  const sink = new ByteSink(CHUNK_BYTES, options.buffers);
  sink.text(format.head);
  let rows = 0;
  let pendingRows = 0;
  let rowBytes = 0;
  let truncated = false;

  const flush = (): Uint8Array => {
    const chunk = sink.take();
    if (stats !== undefined) {
      stats.bytes += chunk.byteLength;
      stats.rows += pendingRows;
    }
    pendingRows = 0;
    return chunk;
  };

  for await (const batch of batches) {
    const count = batch.numRows;
    if (count === 0) continue;
    const row = format.rowWriter(batch, sink);
    for (let i = 0; i < count; i++) {
      if (rows >= maxRows) {
        truncated = true;
        break;
      }
      const before = sink.pos;
      if (rows > 0) sink.copy(separator, 0, separator.length);
      row(i);
      sink.copy(terminator, 0, terminator.length);
      if (maxBytes !== Infinity) {
        const bytes = sink.pos - before;
        if (rowBytes + bytes > maxBytes) {
          sink.pos = before;
          truncated = true;
          break;
        }
        rowBytes += bytes;
      }
      rows++;
      pendingRows++;
      if (sink.full) yield flush();
    }
    if (truncated) break;
    if (sink.pos > 0) yield flush();
  }
  if (stats !== undefined) stats.truncated = truncated;
  sink.text(format.tail(rows, truncated));
  if (sink.pos > 0) yield flush();
}
