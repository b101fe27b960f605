/**
 * A whole, bounded answer as values: the JSON document of `encodeJson` as `JSON.parse` would
 * read it back, built straight from the record batches. Limits cut it where `encodeJson` cuts
 * its document, and `bytes` is that document's size, measured without writing it.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { arrowSchemaFields } from '../arrow/spark-types.js';
import { uniqueNames } from './column-names.js';
import { jsonRowReader, type JsonMeter } from './json-row-values.js';
import type { JsonValueOptions } from './json-values.js';
import type { RowLimits } from './rows.js';

export interface JsonAnswer {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, unknown>[];
  /** Rows in the answer. */
  readonly rowCount: number;
  /** A limit left rows out. */
  readonly truncated: boolean;
  /** UTF-8 bytes of the same answer as `encodeJson`'s document. */
  readonly bytes: number;
}

/**
 * Reads the batches into an answer. As in `encodeRows`, `maxBytes` bounds the rows' text with
 * the commas between them, a limit cuts only when another row exists, and stopping early
 * closes the batches (which stops the Spark operation).
 */
export async function jsonAnswer(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  options: JsonValueOptions & RowLimits = {},
): Promise<JsonAnswer> {
  const maxRows = options.maxRows ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  const rows: Record<string, unknown>[] = [];
  const meter: JsonMeter = { bytes: 0 };
  let rowBytes = 0;
  let truncated = false;

  for await (const batch of batches) {
    const count = batch.numRows;
    if (count === 0) continue;
    const read = jsonRowReader(batch, meter, options);
    for (let i = 0; i < count; i++) {
      if (rows.length >= maxRows) {
        truncated = true;
        break;
      }
      meter.bytes = rows.length === 0 ? 0 : 1; // the comma before it
      const row = read(i) as Record<string, unknown>;
      if (rowBytes + meter.bytes > maxBytes) {
        truncated = true;
        break;
      }
      rowBytes += meter.bytes;
      rows.push(row);
    }
    if (truncated) break;
  }
  // After the rows, so that nothing can throw between taking the batches and reading them.
  const fields = arrowSchemaFields(schema);
  const names = uniqueNames(fields.map((f) => f.name));
  const columns = fields.map((f, c) => ({ name: names[c] as string, type: f.type }));
  return {
    columns,
    rows,
    rowCount: rows.length,
    truncated,
    bytes: frameBytes(columns, rows.length, truncated) + rowBytes,
  };
}

/** Bytes of the document around its rows: `{"columns":[…],"rows":[` and `],"rowCount":…}`. */
function frameBytes(columns: JsonAnswer['columns'], rowCount: number, truncated: boolean): number {
  const head = `{"columns":${JSON.stringify(columns)},"rows":[`;
  const tail = `],"rowCount":${rowCount},"truncated":${truncated}}`;
  return Buffer.byteLength(head, 'utf8') + tail.length;
}
