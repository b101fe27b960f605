import type { RecordBatch } from 'apache-arrow';
import type { TextReader } from './text-reader.js';
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
}

/** A text format of rows: a head, rows with separators or line ends, and a tail. */
export interface RowFormat {
  readonly head: string;
  /** Written between two rows. */
  readonly separator: string;
  /** Written after every row. */
  readonly terminator: string;
  /** The text of each row of a batch; called once per batch. */
  rowWriter(batch: RecordBatch): TextReader;
  tail(rows: number, truncated: boolean): string;
}

/** Text is sent as soon as a batch is done, or when this many characters are waiting. */
const CHUNK_CHARS = 1 << 16;

/**
 * Rows of batches as UTF-8 chunks, pulled: the next batch is read only when the consumer asks
 * for more, and at most one batch's text (or `CHUNK_CHARS`) is held. A limit ends the output
 * only when another row exists, so `truncated` never claims rows that were not there; then the
 * batches are closed, which stops the Spark operation.
 */
export async function* encodeRows(
  batches: AsyncIterable<RecordBatch>,
  format: RowFormat,
  options: RowEncodeOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { separator, terminator } = format;
  const stats = options.stats;
  const maxRows = options.maxRows ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  let text = format.head;
  let rows = 0;
  let pendingRows = 0;
  let rowBytes = 0;
  let truncated = false;

  const flush = (): Uint8Array => {
    const chunk = Buffer.from(text, 'utf8');
    text = '';
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
    const row = format.rowWriter(batch);
    for (let i = 0; i < count; i++) {
      if (rows >= maxRows) {
        truncated = true;
        break;
      }
      const line = (rows === 0 ? '' : separator) + row(i) + terminator;
      if (maxBytes !== Infinity) {
        const bytes = Buffer.byteLength(line, 'utf8');
        if (rowBytes + bytes > maxBytes) {
          truncated = true;
          break;
        }
        rowBytes += bytes;
      }
      text += line;
      rows++;
      pendingRows++;
      if (text.length >= CHUNK_CHARS) yield flush();
    }
    if (truncated) break;
    if (text.length > 0) yield flush();
  }
  if (stats !== undefined) stats.truncated = truncated;
  text += format.tail(rows, truncated);
  if (text.length > 0) yield flush();
}
