/**
 * JSON written as bytes straight into a `ByteSink`: the bytes of `jsonWriter`'s text
 * (json-values.ts), which stays the definition. The common column types (integers, floats,
 * strings, decimals, dates and timestamps) are written digit by digit or copied from Arrow's
 * own UTF-8 (column-bytes.ts); the rest go through `jsonWriter`'s text.
 */
import { isUtf8 } from 'node:buffer';
import { DataType, type Data, type RecordBatch } from 'apache-arrow';
import { utf8Bytes, type ByteSink } from './byte-sink.js';
import {
  asciiWriter,
  exactWriter,
  floatWriter,
  integerWriter,
  withNullBytes,
  type ByteWriter,
} from './column-bytes.js';
import { uniqueNames } from './column-names.js';
import { base64Text, booleanText, isExactTextType } from './column-text.js';
import { jsonWriter, type JsonValueOptions } from './json-values.js';

const QUOTE = 0x22;
const NULL = utf8Bytes('null');

/** The byte writer of one column chunk, chosen once per chunk (see `jsonWriter`). */
export function jsonByteWriter(data: Data, sink: ByteSink, options: JsonValueOptions = {}): ByteWriter {
  const write = valueWriter(data, sink, options);
  if (write !== undefined) return withNullBytes(data, write, sink, NULL);
  const text = jsonWriter(data, options);
  return (i) => {
    sink.text(text(i));
  };
}

/** Each row of a record batch as a JSON object keyed by column name, as `jsonWriter` writes objects. */
export function jsonRowByteWriter(
  batch: RecordBatch,
  sink: ByteSink,
  options: JsonValueOptions = {},
): ByteWriter {
  const names = uniqueNames(batch.schema.fields.map((f) => f.name));
  const keys = names.map((name, c) => utf8Bytes(`${c === 0 ? '{' : ','}${JSON.stringify(name)}:`));
  const writers = batch.data.children.map((column) => jsonByteWriter(column, sink, options));
  const n = writers.length;
  if (n === 0)
    return () => {
      sink.ascii('{}');
    };
  return (i) => {
    for (let c = 0; c < n; c++) {
      const key = keys[c] as Uint8Array;
      sink.copy(key, 0, key.length);
      (writers[c] as ByteWriter)(i);
    }
    sink.byte(0x7d); // }
  };
}

/** Undefined for the types written through `jsonWriter`'s text. */
function valueWriter(data: Data, sink: ByteSink, options: JsonValueOptions): ByteWriter | undefined {
  const type: DataType = data.type;
  if (DataType.isInt(type))
    return integerWriter(data, sink, type.bitWidth === 64 && options.numbers !== true);
  if (DataType.isFloat(type)) return floatWriter(data, sink, true);
  if (DataType.isBool(type)) return asciiWriter(booleanText(data), sink, false);
  if (DataType.isUtf8(type)) return stringWriter(data, sink);
  if (DataType.isBinary(type) || DataType.isLargeBinary(type))
    return asciiWriter(base64Text(data), sink, true);
  if (isExactTextType(type))
    return exactWriter(data, sink, !(DataType.isDecimal(type) && options.numbers === true));
  return undefined;
}

/**
 * Strings. A chunk whose bytes are valid UTF-8 and hold nothing JSON escapes (quotes,
 * backslashes, control characters) is copied as it is, between quotes: its bytes are exactly
 * those of JSON.stringify's text. Other chunks, and large strings, go through JSON.stringify.
 */
function stringWriter(data: Data, sink: ByteSink): ByteWriter | undefined {
  const bytes = data.values as Uint8Array;
  const offsets = data.valueOffsets as Int32Array;
  const start = offsets[0] ?? 0;
  const end = offsets[data.length] ?? 0;
  if (!copiesAsJson(bytes, start, end)) return undefined;
  return (i) => {
    sink.byte(QUOTE);
    sink.copy(bytes, offsets[i] ?? 0, offsets[i + 1] ?? 0);
    sink.byte(QUOTE);
  };
}

function copiesAsJson(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const b = bytes[k] as number;
    if (b < 0x20 || b === 0x22 || b === 0x5c) return false;
  }
  return isUtf8(bytes.subarray(start, end));
}
