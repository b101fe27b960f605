/**
 * Rows of Arrow record batches as JavaScript values, exactly what `JSON.parse` gives for the
 * text of `jsonWriter` (json-values.ts), built without that text: for answers consumed as
 * values (GraphQL), not sent as bytes. Each reader also adds the UTF-8 size of the JSON text
 * it stands for to a meter, so byte limits and cache sizes count what the JSON encoder sends.
 *
 * Where the writer's text of a value is short ASCII (numbers, decimals, temporal values,
 * base64), the same text is made and measured, and the value is what it reads back as; strings
 * are measured as JSON.stringify would escape them, without escaping them.
 */
import { DataType, type Data, type Field, type RecordBatch } from 'apache-arrow';
import { arrowTypeLabel } from '../arrow/spark-types.js';
import { UnsupportedArrowTypeError } from '../arrow/values.js';
import { uniqueNames } from './column-names.js';
import {
  base64Text,
  booleanText,
  exactText,
  floatText,
  integerText,
  isExactTextType,
  stringText,
} from './column-text.js';
import type { JsonValueOptions } from './json-values.js';
import { jsonStringBytes } from './json-size.js';

/** UTF-8 bytes of the JSON text read so far. */
export interface JsonMeter {
  bytes: number;
}

/** Row `i`'s value; adds the size of its JSON text to the meter. */
export type JsonValueReader = (i: number) => unknown;

/** The value reader of one column chunk, chosen once per chunk (see `jsonWriter`). */
export function jsonValueReader(
  data: Data,
  meter: JsonMeter,
  options: JsonValueOptions = {},
): JsonValueReader {
  if (DataType.isNull(data.type)) return nullValue(meter);
  const read = valueReader(data, meter, options);
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || bitmap.length === 0) return read;
  const o = data.offset;
  return (i) => {
    const bit = o + i;
    if (((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0) return read(i);
    meter.bytes += 4;
    return null;
  };
}

/** Objects over parallel column chunks, keyed by their names made unique (`uniqueNames`). */
export function jsonObjectReader(
  names: readonly string[],
  columns: readonly Data[],
  meter: JsonMeter,
  options: JsonValueOptions = {},
): JsonValueReader {
  const keys = uniqueNames(names);
  const readers = columns.map((column) => jsonValueReader(column, meter, options));
  // Braces, and each key with its quotes, colon and the comma before it.
  const frame = keys.reduce((sum, key, c) => sum + jsonStringBytes(key) + 1 + (c === 0 ? 0 : 1), 2);
  return (i) => {
    meter.bytes += frame;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < readers.length; c++) put(row, keys[c] as string, (readers[c] as JsonValueReader)(i));
    return row;
  };
}

/** Each row of a record batch as an object keyed by column name (`jsonRowByteWriter`'s rows). */
export function jsonRowReader(
  batch: RecordBatch,
  meter: JsonMeter,
  options: JsonValueOptions = {},
): JsonValueReader {
  return jsonObjectReader(
    batch.schema.fields.map((f) => f.name),
    batch.data.children,
    meter,
    options,
  );
}

function valueReader(data: Data, meter: JsonMeter, options: JsonValueOptions): JsonValueReader {
  const type: DataType = data.type;
  if (DataType.isBool(type)) {
    const text = booleanText(data);
    return (i) => {
      const t = text(i);
      meter.bytes += t.length;
      return t === 'true';
    };
  }
  if (DataType.isInt(type)) {
    const text = integerText(data);
    return type.bitWidth === 64 && options.numbers !== true ? quoted(text, meter) : numeric(text, meter);
  }
  if (DataType.isFloat(type)) return numeric(floatText(data, true), meter);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    const text = stringText(data);
    return (i) => {
      const s = text(i);
      meter.bytes += jsonStringBytes(s);
      return s;
    };
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return quoted(base64Text(data), meter);
  if (DataType.isDecimal(type) && options.numbers === true) return numeric(exactText(data), meter);
  if (isExactTextType(type)) return quoted(exactText(data), meter);
  if (DataType.isList(type)) return listReader(data, meter, options);
  if (DataType.isStruct(type)) {
    return jsonObjectReader(
      type.children.map((f: Field) => f.name),
      data.children,
      meter,
      options,
    );
  }
  if (DataType.isMap(type)) return mapReader(data, meter, options);
  throw new UnsupportedArrowTypeError(`Arrow type ${arrowTypeLabel(type)} is not supported`);
}

function nullValue(meter: JsonMeter): JsonValueReader {
  return () => {
    meter.bytes += 4;
    return null;
  };
}

/**
 * A number as the writer's ASCII text reads back: the number of its digits (`-0.0` is a
 * negative zero, as for JSON.parse), or the text of a quoted non-finite float (`"NaN"`).
 */
function numeric(text: (i: number) => string, meter: JsonMeter): JsonValueReader {
  return (i) => {
    const t = text(i);
    meter.bytes += t.length;
    return t.charCodeAt(0) === 0x22 ? t.slice(1, -1) : Number(t);
  };
}

/** A value the writer quotes as is: ASCII text without characters JSON escapes. */
function quoted(text: (i: number) => string, meter: JsonMeter): JsonValueReader {
  return (i) => {
    const t = text(i);
    meter.bytes += t.length + 2;
    return t;
  };
}

function listReader(data: Data, meter: JsonMeter, options: JsonValueOptions): JsonValueReader {
  const offsets = data.valueOffsets as Int32Array;
  const item = jsonValueReader(child(data, 0), meter, options);
  return (i) => {
    const start = offsets[i] ?? 0;
    const end = offsets[i + 1] ?? 0;
    // Brackets and the commas between items.
    meter.bytes += end > start ? 1 + end - start : 2;
    const items: unknown[] = [];
    for (let j = start; j < end; j++) items.push(item(j));
    return items;
  };
}

/** Like `mapWriter`: an object when keys are strings (a null key is `"null"`), else pairs. */
function mapReader(data: Data, meter: JsonMeter, options: JsonValueOptions): JsonValueReader {
  const offsets = data.valueOffsets as Int32Array;
  const entries = child(data, 0);
  const key = jsonValueReader(child(entries, 0), meter, options);
  const value = jsonValueReader(child(entries, 1), meter, options);
  const stringKeys = DataType.isUtf8(entries.type.children[0]?.type as DataType);
  return (i) => {
    const start = offsets[i] ?? 0;
    const end = offsets[i + 1] ?? 0;
    // Braces or brackets, the commas between entries, and a colon or `[`, `,`, `]` each.
    meter.bytes += (end > start ? 1 + end - start : 2) + (end - start) * (stringKeys ? 1 : 3);
    if (stringKeys) {
      const object: Record<string, unknown> = {};
      for (let j = start; j < end; j++) {
        const k = key(j);
        if (k === null) meter.bytes += 2; // written as "null", not null
        put(object, k === null ? 'null' : (k as string), value(j));
      }
      return object;
    }
    const pairs: unknown[] = [];
    for (let j = start; j < end; j++) pairs.push([key(j), value(j)]);
    return pairs;
  };
}

/** Sets a key as `JSON.parse` does: `__proto__` becomes an own property, not the prototype. */
function put(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

function child(data: Data, index: number): Data {
  const found = data.children[index];
  if (found === undefined) {
    throw new UnsupportedArrowTypeError(`${arrowTypeLabel(data.type)} lacks child ${index}`);
  }
  return found;
}
