import {
  DataType,
  DateUnit,
  Precision,
  IntervalUnit,
  TimeUnit,
  type Data,
  type Field,
  type Schema,
} from 'apache-arrow';
import {
  formatDate,
  formatDayTimeInterval,
  formatDecimal,
  formatTimeOfDay,
  formatTimestamp,
  formatYearMonthInterval,
} from './temporal.js';
import { arrowTypeLabel } from './spark-types.js';

/**
 * A value read from Arrow without loss: long → bigint, decimal → exact decimal text, date →
 * `YYYY-MM-DD`, timestamp → ISO-8601 (`Z` for instants, no offset for timestamp_ntz),
 * intervals → ISO-8601 durations, binary → bytes, struct → object, array → array, map →
 * object (string keys) or `[key, value]` pairs.
 */
export type ExactValue =
  null | boolean | number | bigint | string | Uint8Array | ExactValue[] | { [key: string]: ExactValue };

/** Reads row `i` of one column chunk. */
export type ValueReader = (i: number) => ExactValue;

export class UnsupportedArrowTypeError extends Error {
  override readonly name = 'UnsupportedArrowTypeError';
}

const utf8 = new TextDecoder();

/**
 * A reader for one column chunk, chosen once per chunk so the per-row work is a typed-array
 * access and a conversion. Reads the Arrow buffers directly: apache-arrow's own getters
 * round timestamps to milliseconds and return decimals unscaled.
 */
export function valueReader(data: Data): ValueReader {
  const read = rawReader(data);
  if (data.nullCount === 0 || DataType.isNull(data.type)) return read;
  const bitmap = data.nullBitmap;
  const offset = data.offset;
  if (bitmap.length === 0) return read;
  return (i) => {
    const bit = offset + i;
    return ((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) === 0 ? null : read(i);
  };
}

/**
 * apache-arrow slices value buffers and value offsets with their batch; only validity and
 * boolean bits still count from `data.offset`.
 */
function rawReader(data: Data): ValueReader {
  const type: DataType = data.type;
  const o = data.offset;
  const values = data.values as ArrayLike<number | bigint> & { subarray?: unknown };
  if (DataType.isNull(type)) return () => null;
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    if (DataType.isFloat(type) && type.precision === Precision.HALF)
      throw new UnsupportedArrowTypeError('float16 is not supported');
    return (i) => values[i] as number | bigint;
  }
  if (DataType.isBool(type)) {
    const bits = data.values as Uint8Array;
    return (i) => ((bits[(o + i) >> 3] ?? 0) & (1 << ((o + i) & 7))) !== 0;
  }
  if (
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type) ||
    DataType.isBinary(type) ||
    DataType.isLargeBinary(type)
  ) {
    const offsets = data.valueOffsets as ArrayLike<number | bigint>;
    const bytes = data.values as Uint8Array;
    const text = DataType.isUtf8(type) || DataType.isLargeUtf8(type);
    return (i) => {
      const slice = bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]));
      return text ? utf8.decode(slice) : slice.slice();
    };
  }
  if (DataType.isDecimal(type)) {
    if (type.bitWidth !== 128)
      throw new UnsupportedArrowTypeError(`decimal${type.bitWidth} is not supported`);
    const words = data.values as Uint32Array;
    const scale = type.scale;
    return (i) => formatDecimal(int128(words, i * 4), scale);
  }
  if (DataType.isDate(type)) {
    if (type.unit === DateUnit.DAY) return (i) => formatDate(values[i] as number);
    return (i) => formatDate(Math.floor(Number(values[i]) / 86_400_000));
  }
  if (DataType.isTimestamp(type)) {
    const toMicros = microsFactor(type.unit);
    const instant = type.timezone != null && type.timezone !== '';
    return (i) => formatTimestamp(toMicros(values[i] as bigint), instant);
  }
  if (DataType.isTime(type)) {
    const toMicros = microsFactor(type.unit);
    return (i) => formatTimeOfDay(toMicros(BigInt(values[i] as number | bigint)));
  }
  if (DataType.isDuration(type)) {
    const toMicros = microsFactor(type.unit);
    return (i) => formatDayTimeInterval(toMicros(values[i] as bigint));
  }
  if (DataType.isInterval(type) && type.unit === IntervalUnit.YEAR_MONTH) {
    return (i) => formatYearMonthInterval(values[i] as number);
  }
  if (DataType.isList(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const child = childReader(data, 0);
    return (i) => {
      const out: ExactValue[] = [];
      for (let j = offsets[i] ?? 0, end = offsets[i + 1] ?? 0; j < end; j++) out.push(child(j));
      return out;
    };
  }
  if (DataType.isStruct(type)) {
    const names = type.children.map((f: Field) => f.name);
    const children = names.map((_name, c) => childReader(data, c));
    return (i) => {
      const out: { [key: string]: ExactValue } = {};
      for (let c = 0; c < names.length; c++) out[names[c] as string] = (children[c] as ValueReader)(i);
      return out;
    };
  }
  if (DataType.isMap(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const entries = data.children[0] as Data;
    const keys = childReader(entries, 0);
    const vals = childReader(entries, 1);
    const stringKeys = DataType.isUtf8(entries.type.children[0]?.type as DataType);
    return (i) => {
      const start = offsets[i] ?? 0;
      const end = offsets[i + 1] ?? 0;
      if (stringKeys) {
        const out: { [key: string]: ExactValue } = {};
        for (let j = start; j < end; j++) out[keys(j) as string] = vals(j);
        return out;
      }
      const pairs: ExactValue[] = [];
      for (let j = start; j < end; j++) pairs.push([keys(j), vals(j)]);
      return pairs;
    };
  }
  throw new UnsupportedArrowTypeError(`Arrow type ${arrowTypeLabel(type)} is not supported`);
}

/**
 * A child's reader. Struct children are sliced with their parent (same row index); list and
 * map children are indexed through the parent's value offsets.
 */
function childReader(data: Data, index: number): ValueReader {
  const child = data.children[index];
  if (child === undefined)
    throw new UnsupportedArrowTypeError(`${arrowTypeLabel(data.type)} lacks child ${index}`);
  return valueReader(child);
}

function microsFactor(unit: TimeUnit): (v: bigint) => bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return (v) => v * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return (v) => v * 1_000n;
    case TimeUnit.MICROSECOND:
      return (v) => v;
    case TimeUnit.NANOSECOND:
      // Down, not toward zero: -1 ns is the microsecond before the epoch.
      return (v) => (v - (((v % 1_000n) + 1_000n) % 1_000n)) / 1_000n;
  }
}

/** A little-endian two's-complement 128-bit integer from four 32-bit words. */
function int128(words: Uint32Array, at: number): bigint {
  const unsigned =
    BigInt(words[at] ?? 0) |
    (BigInt(words[at + 1] ?? 0) << 32n) |
    (BigInt(words[at + 2] ?? 0) << 64n) |
    (BigInt(words[at + 3] ?? 0) << 96n);
  return BigInt.asIntN(128, unsigned);
}

/** Column names with their Arrow types, for messages and tests. */
export function describeSchema(schema: Schema): string[] {
  return schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
}
