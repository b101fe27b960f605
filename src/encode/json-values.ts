import { DataType, type Data, type Field } from 'apache-arrow';
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
  withNulls,
} from './column-text.js';
import type { TextReader } from './text-reader.js';

export interface JsonValueOptions {
  /**
   * Write longs and decimals as JSON numbers (their exact digits) instead of strings. Off by
   * default: most JSON parsers read numbers as doubles and silently round beyond 2^53.
   */
  readonly numbers?: boolean | undefined;
}

/** The JSON text of row `i` of one column chunk. */
export type JsonWriter = TextReader;

/**
 * The JSON writer of one column chunk, chosen once per chunk. The rules, shared by every JSON
 * output: longs and decimals as strings (or numbers, see `numbers`), other integers and
 * floating-point values as numbers except `"NaN"`, `"Infinity"` and `"-Infinity"`, temporal
 * values and intervals in the ISO-8601 text of `valueReader`, binary in base64, structs as
 * objects, arrays as arrays, maps as objects when their keys are strings and as `[key, value]`
 * pairs otherwise.
 */
export function jsonWriter(data: Data, options: JsonValueOptions = {}): JsonWriter {
  return withNulls(data, valueWriter(data, options), 'null');
}

/**
 * A JSON object writer over parallel column chunks (a record batch's or a struct's children).
 * Keys are escaped once per chunk; duplicate names are made unique with `uniqueNames`.
 */
export function jsonObjectWriter(
  names: readonly string[],
  columns: readonly Data[],
  options: JsonValueOptions = {},
): JsonWriter {
  const keys = uniqueNames(names).map((name, c) => `${c === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const writers = columns.map((column) => jsonWriter(column, options));
  const n = writers.length;
  if (n === 0) return () => '{}';
  const firstKey = keys[0] as string;
  const first = writers[0] as JsonWriter;
  return (i) => {
    let text = firstKey + first(i);
    for (let c = 1; c < n; c++) text += (keys[c] as string) + (writers[c] as JsonWriter)(i);
    return text + '}';
  };
}

function valueWriter(data: Data, options: JsonValueOptions): JsonWriter {
  const type: DataType = data.type;
  if (DataType.isNull(type)) return () => 'null';
  if (DataType.isBool(type)) return booleanText(data);
  if (DataType.isInt(type)) {
    const text = integerText(data);
    return type.bitWidth === 64 && options.numbers !== true ? quoted(text) : text;
  }
  if (DataType.isFloat(type)) return floatText(data, true);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    const text = stringText(data);
    return (i) => JSON.stringify(text(i));
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return quoted(base64Text(data));
  if (DataType.isDecimal(type) && options.numbers === true) return exactText(data);
  if (isExactTextType(type)) return quoted(exactText(data));
  if (DataType.isList(type)) return listWriter(data, options);
  if (DataType.isStruct(type)) {
    return jsonObjectWriter(
      type.children.map((f: Field) => f.name),
      data.children,
      options,
    );
  }
  if (DataType.isMap(type)) return mapWriter(data, options);
  throw new UnsupportedArrowTypeError(`Arrow type ${arrowTypeLabel(type)} is not supported`);
}

function quoted(text: TextReader): JsonWriter {
  return (i) => '"' + text(i) + '"';
}

function listWriter(data: Data, options: JsonValueOptions): JsonWriter {
  const offsets = data.valueOffsets as Int32Array;
  const item = jsonWriter(child(data, 0), options);
  return (i) => {
    let j = offsets[i] ?? 0;
    const end = offsets[i + 1] ?? 0;
    if (j === end) return '[]';
    let text = '[' + item(j);
    for (j++; j < end; j++) text += ',' + item(j);
    return text + ']';
  };
}

/** Like `valueReader`: an object when keys are strings, else an array of `[key, value]` pairs. */
function mapWriter(data: Data, options: JsonValueOptions): JsonWriter {
  const offsets = data.valueOffsets as Int32Array;
  const entries = child(data, 0);
  const key = jsonWriter(child(entries, 0), options);
  const value = jsonWriter(child(entries, 1), options);
  if (DataType.isUtf8(entries.type.children[0]?.type as DataType)) {
    return (i) => {
      let text = '{';
      for (let j = offsets[i] ?? 0, end = offsets[i + 1] ?? 0; j < end; j++) {
        const k = key(j);
        text += (text.length === 1 ? '' : ',') + (k === 'null' ? '"null"' : k) + ':' + value(j);
      }
      return text + '}';
    };
  }
  return (i) => {
    let text = '[';
    for (let j = offsets[i] ?? 0, end = offsets[i + 1] ?? 0; j < end; j++) {
      text += (text.length === 1 ? '[' : ',[') + key(j) + ',' + value(j) + ']';
    }
    return text + ']';
  };
}

function child(data: Data, index: number): Data {
  const found = data.children[index];
  if (found === undefined) {
    throw new UnsupportedArrowTypeError(`${arrowTypeLabel(data.type)} lacks child ${index}`);
  }
  return found;
}
