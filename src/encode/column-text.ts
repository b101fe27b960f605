/** Readers that give the text of each row of an Arrow column chunk, as the text encoders write it. */
import { isAscii } from 'node:buffer';
import { DataType, Precision, type Data } from 'apache-arrow';
import { UnsupportedArrowTypeError, valueReader } from '../arrow/values.js';
import { formatDecimal } from '../arrow/temporal.js';
import { temporalText } from './temporal-text.js';
import type { TextReader } from './text-reader.js';

/** Null rows give `nullText`; the others are read by `read`. */
export function withNulls(data: Data, read: TextReader, nullText: string): TextReader {
  if (DataType.isNull(data.type)) return () => nullText;
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || bitmap.length === 0) return read;
  const o = data.offset;
  return (i) => {
    const bit = o + i;
    return ((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) === 0 ? nullText : read(i);
  };
}

/** `true` / `false`, read from the value bitmap. */
export function booleanText(data: Data): TextReader {
  const bits = data.values as Uint8Array;
  const o = data.offset;
  return (i) => (((bits[(o + i) >> 3] ?? 0) & (1 << ((o + i) & 7))) !== 0 ? 'true' : 'false');
}

/** Exact decimal digits of any integer column; 64-bit values within ±2^53 skip BigInt. */
export function integerText(data: Data): TextReader {
  const type = data.type as DataType & { bitWidth: number; isSigned: boolean };
  if (type.bitWidth < 64) {
    const values = data.values as Int32Array;
    return (i) => String(values[i]);
  }
  const values = data.values as BigInt64Array | BigUint64Array;
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const low = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const limit = 0x200000;
  if (type.isSigned) {
    return (i) => {
      const high = words[2 * i + 1] ?? 0;
      return high >= -limit && high < limit
        ? String(high * 0x100000000 + (low[2 * i] ?? 0))
        : String(values[i]);
    };
  }
  return (i) => {
    const high = low[2 * i + 1] ?? 0;
    return high < limit ? String(high * 0x100000000 + (low[2 * i] ?? 0)) : String(values[i]);
  };
}

/**
 * The fewest digits that read back as the same float or double: a float 0.1 is `0.1`, as
 * Spark shows it, not the `0.10000000149011612` of its double value. Non-finite values give `NaN`,
 * `Infinity` and `-Infinity`, quoted when `quoteNonFinite` (JSON has no literal for them).
 * Negative zero is `-0.0`, as Spark's JSON and CSV writers print it: parsers read `-0` as the
 * integer 0 but `-0.0` as a negative zero.
 */
export function floatText(data: Data, quoteNonFinite: boolean): TextReader {
  const type = data.type as DataType & { precision: Precision };
  if (type.precision === Precision.HALF) throw new UnsupportedArrowTypeError('float16 is not supported');
  const values = data.values as Float32Array | Float64Array;
  const single = type.precision === Precision.SINGLE;
  return (i) => {
    const v = values[i] ?? 0;
    if (v - v !== 0) return quoteNonFinite ? `"${v}"` : String(v);
    if (v === 0) return Object.is(v, -0) ? '-0.0' : '0';
    return single ? float32Text(v) : String(v);
  };
}

function float32Text(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const rounded = Number(v.toPrecision(digits));
    if (Math.fround(rounded) === v) return String(rounded);
  }
  return String(v);
}

/** Whole-chunk decoding is used up to this many bytes of string data. */
const MAX_ASCII_CHUNK = 1 << 26;

/**
 * UTF-8 strings. When a chunk's string bytes are all ASCII (the common case) they are decoded
 * once and each value is a substring of that, which is much cheaper than a decode per value.
 */
export function stringText(data: Data): TextReader {
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  if (offsets instanceof BigInt64Array) {
    return (i) => buffer.toString('utf8', Number(offsets[i]), Number(offsets[i + 1]));
  }
  const start = offsets[0] ?? 0;
  const end = offsets[data.length] ?? 0;
  if (end - start <= MAX_ASCII_CHUNK && isAscii(bytes.subarray(start, end))) {
    const text = buffer.toString('latin1', start, end);
    return (i) => text.slice((offsets[i] ?? 0) - start, (offsets[i + 1] ?? 0) - start);
  }
  return (i) => buffer.toString('utf8', offsets[i], offsets[i + 1]);
}

/** Binary values in base64 (RFC 4648, with padding), the usual text form of bytes in JSON. */
export function base64Text(data: Data): TextReader {
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  return (i) => buffer.toString('base64', Number(offsets[i]), Number(offsets[i + 1]));
}

/** Whether `valueReader` reads this type as exact text (decimals, dates, times, intervals). */
export function isExactTextType(type: DataType): boolean {
  return (
    DataType.isDecimal(type) ||
    DataType.isDate(type) ||
    DataType.isTimestamp(type) ||
    DataType.isTime(type) ||
    DataType.isDuration(type) ||
    DataType.isInterval(type)
  );
}

/**
 * The exact text `valueReader` gives decimals and temporal values, so every output follows
 * one set of rules (dates and timestamps through the equal but faster `temporalText`).
 */
export function exactText(data: Data): TextReader {
  const fast = temporalText(data) ?? decimalText(data);
  if (fast !== undefined) return fast;
  const read = valueReader(unsliced(data));
  return (i) => read(i) as string;
}

/**
 * Decimal128 text through `formatDecimal`, building the unscaled BigInt from one number when
 * it is within ±2^53 (nearly always) instead of from four 32-bit words.
 */
function decimalText(data: Data): TextReader | undefined {
  const type: DataType = data.type;
  if (!DataType.isDecimal(type) || type.bitWidth !== 128) return undefined;
  const words = data.values as Uint32Array;
  const signed = new Int32Array(words.buffer, words.byteOffset, words.length);
  const scale = type.scale;
  const read = valueReader(unsliced(data));
  return (i) => {
    const at = i * 4;
    const high = signed[at + 1] ?? 0;
    const top = high < 0 ? -1 : 0;
    if (high >= -0x200000 && high < 0x200000 && signed[at + 2] === top && signed[at + 3] === top) {
      return formatDecimal(BigInt(high * 0x100000000 + (words[at] ?? 0)), scale);
    }
    return read(i) as string;
  };
}

/**
 * The values of a fixed-width chunk without its offset and nulls, for `valueReader`, which
 * adds the offset to value indexes although apache-arrow has already sliced the value buffer
 * (harmless for chunks read from IPC, whose offsets are all 0). Callers handle nulls first.
 */
function unsliced(data: Data): Data {
  if (data.offset === 0) return data;
  return data.clone(data.type, 0, data.length, 0, [undefined, data.values, undefined, undefined] as never);
}
