import type { RecordBatch, Schema } from 'apache-arrow';
import { arrowSchemaFields } from '../arrow/spark-types.js';
import { uniqueNames } from './column-names.js';
import { jsonRowByteWriter } from './json-bytes.js';
import type { JsonValueOptions } from './json-values.js';
import { encodeRows, type RowEncodeOptions } from './rows.js';

export type JsonDocumentOptions = JsonValueOptions & RowEncodeOptions;

/**
 * A bounded JSON document, streamed:
 * `{"columns":[{"name":…,"type":…}],"rows":[{…},…],"rowCount":N,"truncated":false}`.
 * Column types are Spark's type names; rows are objects keyed by the columns' names (made
 * unique like `uniqueNames`) with `jsonWriter`'s value rules. `maxRows` and `maxBytes` end
 * the rows early with `"truncated":true`; `rowCount` is the number of rows in the document.
 * The same facts reach the caller through `stats`.
 */
export function encodeJson(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  options: JsonDocumentOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const fields = arrowSchemaFields(schema);
  const names = uniqueNames(fields.map((f) => f.name));
  const columns = fields.map(
    (f, c) => `{"name":${JSON.stringify(names[c])},"type":${JSON.stringify(f.type)}}`,
  );
  return encodeRows(
    batches,
    {
      head: `{"columns":[${columns.join(',')}],"rows":[`,
      separator: ',',
      terminator: '',
      rowWriter: (batch, sink) => jsonRowByteWriter(batch, sink, options),
      tail: (rows, truncated) => `],"rowCount":${rows},"truncated":${truncated}}`,
    },
    options,
  );
}
