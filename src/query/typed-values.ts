/**
 * Checks of typed values: whether a value fits the Spark type it is bound as, and the exact
 * form it then has (64-bit integers as bigints, decimals with their precision and scale,
 * dates as days and date-times as microseconds since the epoch).
 */
import type { ScalarType, TypedValue } from './scalar-types.js';
import { parseDate, parseTimestamp } from './temporal-values.js';
import { ValueError, showValue } from './value-error.js';

/** A decimal with the precision and scale it is bound as. */
export interface CheckedDecimal {
  readonly value: string;
  readonly precision: number;
  readonly scale: number;
}

/** A typed value in the exact form its type gives it, once checked. */
export type CheckedValue =
  | { readonly type: 'null'; readonly of: ScalarType | undefined }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'byte' | 'short' | 'int' | 'float' | 'double'; readonly value: number }
  | { readonly type: 'long'; readonly value: bigint }
  | { readonly type: 'decimal'; readonly value: CheckedDecimal }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'binary'; readonly value: Uint8Array }
  | { readonly type: 'date'; readonly value: number }
  | { readonly type: 'timestamp' | 'timestamp_ntz'; readonly value: bigint };

const INT_RANGES = { byte: [-128, 127], short: [-32768, 32767], int: [-2147483648, 2147483647] } as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The largest finite 32-bit float. */
const FLOAT_MAX = 3.4028234663852886e38;

/** The exact form of a typed value; throws a {@link ValueError} if it does not fit its type. */
export function checkValue(v: TypedValue): CheckedValue {
  // Values may come from JSON: check them even where the type says they are right.
  const raw: unknown = 'value' in v ? v.value : undefined;
  switch (v.type) {
    case 'null':
      return { type: 'null', of: v.of };
    case 'boolean':
      if (typeof raw !== 'boolean') throw new ValueError(`expected true or false, got ${showValue(raw)}`);
      return v;
    case 'byte':
    case 'short':
    case 'int': {
      const [min, max] = INT_RANGES[v.type];
      if (!Number.isInteger(raw) || v.value < min || v.value > max) {
        throw new ValueError(
          `expected an integer from ${min} to ${max} for ${v.type}, got ${showValue(raw)}`,
        );
      }
      return v;
    }
    case 'long':
      return { type: 'long', value: toInt64(v.value) };
    case 'float':
    case 'double':
      if (typeof raw !== 'number')
        throw new ValueError(`expected a number for ${v.type}, got ${showValue(raw)}`);
      if (v.type === 'float' && Number.isFinite(v.value) && Math.abs(v.value) > FLOAT_MAX) {
        throw new ValueError(`${v.value} is out of the range of float (32-bit, at most ±${FLOAT_MAX})`);
      }
      return v;
    case 'decimal':
      return { type: 'decimal', value: checkDecimal(v.value, v.precision, v.scale) };
    case 'string':
      if (typeof raw !== 'string') throw new ValueError(`expected a string, got ${showValue(raw)}`);
      return { type: 'string', value: v.value };
    case 'binary':
      if (!(raw instanceof Uint8Array)) throw new ValueError('expected bytes for binary');
      return v;
    case 'date':
      return { type: 'date', value: parseDate(v.value) };
    case 'timestamp':
      return { type: 'timestamp', value: parseTimestamp(v.value, true) };
    case 'timestamp_ntz':
      return { type: 'timestamp_ntz', value: parseTimestamp(v.value, false) };
  }
}

function toInt64(value: bigint | string | number): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) n = BigInt(value);
  else throw new ValueError(`expected a 64-bit integer (as a string for exactness), got ${showValue(value)}`);
  if (n < INT64_MIN || n > INT64_MAX) throw new ValueError(`${value} is out of the range of long (64-bit)`);
  return n;
}

/** A decimal's text with its precision and scale: given, or inferred from its digits. */
export function checkDecimal(value: string, precision?: number, scale?: number): CheckedDecimal {
  const match = typeof value === 'string' ? /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/.exec(value) : null;
  if (match === null)
    throw new ValueError(`expected a decimal number as a string (e.g. "12.50"), got ${showValue(value)}`);
  const intDigits = (match[2] ?? '').replace(/^0+(?=[0-9])/, '');
  const fraction = match[3] ?? '';
  const s = scale ?? fraction.length;
  const p = precision ?? Math.max(s + (intDigits === '0' ? 0 : intDigits.length), 1);
  if (!Number.isInteger(p) || p < 1 || p > 38)
    throw new ValueError(`decimal precision must be 1 to 38, got ${p}`);
  if (!Number.isInteger(s) || s < 0 || s > p)
    throw new ValueError(`decimal scale must be 0 to ${p}, got ${s}`);
  if (fraction.replace(/0+$/, '').length > s)
    throw new ValueError(`${value} has more than ${s} decimal places`);
  if (intDigits !== '0' && intDigits.length > p - s)
    throw new ValueError(`${value} does not fit decimal(${p},${s})`);
  return { value, precision: p, scale: s };
}
