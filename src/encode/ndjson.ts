import type { RecordBatch } from 'apache-arrow';
import { jsonRowByteWriter } from './json-bytes.js';
import type { JsonValueOptions } from './json-values.js';
import { encodeRows, type RowEncodeOptions } from './rows.js';

export type NdjsonOptions = JsonValueOptions & RowEncodeOptions;

/**
 * Newline-delimited JSON: one object per row keyed by column name (duplicates made unique
 * like `uniqueNames`), each line ended by `\n`. Values follow `jsonWriter`'s rules. With a
 * limit, `stats.truncated` tells the caller to add a control line (`ndjsonLine`).
 */
export function encodeNdjson(
  batches: AsyncIterable<RecordBatch>,
  options: NdjsonOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  return encodeRows(
    batches,
    {
      head: '',
      separator: '',
      terminator: '\n',
      rowWriter: (batch, sink) => jsonRowByteWriter(batch, sink, options),
      tail: () => '',
    },
    options,
  );
}

/**
 * One NDJSON line for an object of the caller's own (a closing `{"@error":…}` or
 * `{"@truncated":…}`), with bigints as strings like the rows' longs.
 */
export function ndjsonLine(value: object): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, bigintAsString)}\n`, 'utf8');
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
