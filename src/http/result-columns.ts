import type { Schema } from 'apache-arrow';
import { arrowSchemaFields } from '../arrow/spark-types.js';
import { uniqueNames } from '../encode/column-names.js';

/**
 * Most bytes of the `Result-Columns` header. Clients refuse long headers (Node's fetch all
 * headers past 16 KiB, Python's http.client a line past 64 KiB); half of Node's limit leaves
 * room for the rest.
 */
export const MAX_RESULT_COLUMNS_BYTES = 8192;

/**
 * The `Result-Columns` header of a result: a JSON array of `{name, type}`, names as JSON and
 * NDJSON rows key them (duplicates made unique), types as Spark names them, every character
 * past ASCII (and DEL) escaped so it is a valid header value. Undefined when it would be longer
 * than {@link MAX_RESULT_COLUMNS_BYTES}: the JSON format's `columns` and the Arrow schema say it.
 */
export function resultColumnsHeader(schema: Schema): string | undefined {
  const fields = arrowSchemaFields(schema);
  const names = uniqueNames(fields.map((f) => f.name));
  const text = JSON.stringify(fields.map((f, c) => ({ name: names[c], type: f.type }))).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length <= MAX_RESULT_COLUMNS_BYTES ? text : undefined;
}
