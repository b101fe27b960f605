import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ExpressionSchema,
  Expression_LiteralSchema,
  type Expression,
  type Expression_Literal,
} from '../gen/spark/connect/expressions_pb.js';
import { DataTypeSchema, type DataType } from '../gen/spark/connect/types_pb.js';

/** The Spark scalar types a value can be bound as. */
export const SCALAR_TYPES = [
  'boolean',
  'byte',
  'short',
  'int',
  'long',
  'float',
  'double',
  'decimal',
  'string',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/**
 * A value with the Spark type it is bound as. Types JSON cannot carry exactly travel as
 * strings: `long` (or a bigint), `decimal`, `date` (`YYYY-MM-DD`), `timestamp` (ISO-8601 with
 * an offset) and `timestamp_ntz` (ISO-8601 without one).
 */
export type TypedValue =
  | { readonly type: 'null'; readonly of?: ScalarType }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'byte' | 'short' | 'int' | 'float' | 'double'; readonly value: number }
  | { readonly type: 'long'; readonly value: bigint | string | number }
  | { readonly type: 'decimal'; readonly value: string; readonly precision?: number; readonly scale?: number }
  | { readonly type: 'string' | 'date' | 'timestamp' | 'timestamp_ntz'; readonly value: string }
  | { readonly type: 'binary'; readonly value: Uint8Array };

/** A value that cannot be bound as the type asked for; the message says what to fix. */
export class LiteralError extends Error {
  override readonly name = 'LiteralError';
}

type LiteralInit = NonNullable<MessageInitShape<typeof Expression_LiteralSchema>['literalType']>;

const INT_RANGES = { byte: [-128, 127], short: [-32768, 32767], int: [-2147483648, 2147483647] } as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MICROS_PER_DAY = 86_400_000_000n;
/** The largest finite 32-bit float. */
const FLOAT_MAX = 3.4028234663852886e38;
/** Java's zone offsets go from -18:00 to +18:00. */
const MAX_OFFSET_MINUTES = 18 * 60;

/** A Spark literal for a typed value. */
export function literal(value: TypedValue): Expression_Literal {
  return create(Expression_LiteralSchema, { literalType: literalType(value) });
}

/** A literal expression. SQL arguments must be plain literals like this one. */
export function literalExpression(value: TypedValue): Expression {
  return create(ExpressionSchema, { exprType: { case: 'literal', value: literal(value) } });
}

/**
 * A literal expression of exactly the declared type, for plans: Spark types a decimal literal
 * by its digits (1.5 is decimal(2,1) whatever precision is asked), so one with an explicit
 * precision or scale is cast to it.
 */
export function typedLiteralExpression(value: TypedValue): Expression {
  const expr = literalExpression(value);
  if (value.type !== 'decimal' || (value.precision === undefined && value.scale === undefined)) return expr;
  const { precision, scale } = decimal(value.value, value.precision, value.scale);
  return create(ExpressionSchema, {
    exprType: {
      case: 'cast',
      value: {
        expr,
        castToType: { case: 'type', value: { kind: { case: 'decimal', value: { precision, scale } } } },
      },
    },
  });
}

function literalType(v: TypedValue): LiteralInit {
  // Values may come from JSON: check them even where the type says they are right.
  const raw: unknown = 'value' in v ? v.value : undefined;
  switch (v.type) {
    case 'null':
      return {
        case: 'null',
        value: v.of === undefined ? { kind: { case: 'null', value: {} } } : dataType(v.of),
      };
    case 'boolean':
      if (typeof raw !== 'boolean') throw new LiteralError(`expected true or false, got ${show(raw)}`);
      return { case: 'boolean', value: v.value };
    case 'byte':
    case 'short':
    case 'int': {
      const [min, max] = INT_RANGES[v.type];
      if (!Number.isInteger(raw) || v.value < min || v.value > max) {
        throw new LiteralError(`expected an integer from ${min} to ${max} for ${v.type}, got ${show(raw)}`);
      }
      return { case: v.type === 'int' ? 'integer' : v.type, value: v.value };
    }
    case 'long':
      return { case: 'long', value: toInt64(v.value) };
    case 'float':
    case 'double':
      if (typeof raw !== 'number')
        throw new LiteralError(`expected a number for ${v.type}, got ${show(raw)}`);
      if (v.type === 'float' && Number.isFinite(v.value) && Math.abs(v.value) > FLOAT_MAX) {
        throw new LiteralError(`${v.value} is out of the range of float (32-bit, at most ±${FLOAT_MAX})`);
      }
      return { case: v.type, value: v.value };
    case 'decimal':
      return { case: 'decimal', value: decimal(v.value, v.precision, v.scale) };
    case 'string':
      if (typeof raw !== 'string') throw new LiteralError(`expected a string, got ${show(raw)}`);
      return { case: 'string', value: v.value };
    case 'binary':
      if (!(raw instanceof Uint8Array)) throw new LiteralError('expected bytes for binary');
      return { case: 'binary', value: v.value };
    case 'date':
      return { case: 'date', value: parseDate(v.value) };
    case 'timestamp':
      return { case: 'timestamp', value: parseTimestamp(v.value, true) };
    case 'timestamp_ntz':
      return { case: 'timestampNtz', value: parseTimestamp(v.value, false) };
  }
}

/** The Spark data type of a scalar type (decimals default to Spark's decimal(10,0)). */
export function dataType(type: ScalarType): DataType {
  const kind = ((): NonNullable<MessageInitShape<typeof DataTypeSchema>['kind']> => {
    switch (type) {
      case 'int':
        return { case: 'integer', value: {} };
      case 'timestamp_ntz':
        return { case: 'timestampNtz', value: {} };
      case 'decimal':
        return { case: 'decimal', value: { precision: 10, scale: 0 } };
      default:
        return { case: type, value: {} };
    }
  })();
  return create(DataTypeSchema, { kind });
}

function toInt64(value: bigint | string | number): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) n = BigInt(value);
  else throw new LiteralError(`expected a 64-bit integer (as a string for exactness), got ${show(value)}`);
  if (n < INT64_MIN || n > INT64_MAX) throw new LiteralError(`${value} is out of the range of long (64-bit)`);
  return n;
}

function decimal(
  value: string,
  precision?: number,
  scale?: number,
): { value: string; precision: number; scale: number } {
  const match = typeof value === 'string' ? /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/.exec(value) : null;
  if (match === null)
    throw new LiteralError(`expected a decimal number as a string (e.g. "12.50"), got ${show(value)}`);
  const intDigits = (match[2] ?? '').replace(/^0+(?=[0-9])/, '');
  const fraction = match[3] ?? '';
  const s = scale ?? fraction.length;
  const p = precision ?? Math.max(s + (intDigits === '0' ? 0 : intDigits.length), 1);
  if (!Number.isInteger(p) || p < 1 || p > 38)
    throw new LiteralError(`decimal precision must be 1 to 38, got ${p}`);
  if (!Number.isInteger(s) || s < 0 || s > p)
    throw new LiteralError(`decimal scale must be 0 to ${p}, got ${s}`);
  if (fraction.replace(/0+$/, '').length > s)
    throw new LiteralError(`${value} has more than ${s} decimal places`);
  if (intDigits !== '0' && intDigits.length > p - s)
    throw new LiteralError(`${value} does not fit decimal(${p},${s})`);
  return { value, precision: p, scale: s };
}

/** `YYYY-MM-DD` → days since 1970-01-01. */
function parseDate(text: string): number {
  const match = typeof text === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text) : null;
  if (match === null) throw new LiteralError(`expected a date as YYYY-MM-DD, got ${show(text)}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = utc(y, m, d, 0, 0, 0);
  if (ms === undefined) throw new LiteralError(`${text} is not a valid date`);
  return ms / 86_400_000;
}

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;

/** ISO-8601 date-time → microseconds since the epoch; `withOffset` says whether the zone is required or refused. */
function parseTimestamp(text: string, withOffset: boolean): bigint {
  const match = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  if (match === null) {
    throw new LiteralError(`expected an ISO-8601 date-time (e.g. 2024-05-01T12:30:00Z), got ${show(text)}`);
  }
  const zone = match[8];
  if (withOffset && zone === undefined) {
    throw new LiteralError(
      `timestamp ${text} needs a time zone offset (Z or ±HH:MM); use timestamp_ntz for local times`,
    );
  }
  if (!withOffset && zone !== undefined)
    throw new LiteralError(`timestamp_ntz ${text} must not have a time zone offset`);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = utc(y, mo, d, h, mi, s);
  if (ms === undefined) throw new LiteralError(`${text} is not a valid date-time`);
  const fraction = (match[7] ?? '').padEnd(6, '0');
  if (/[1-9]/.test(fraction.slice(6))) throw new LiteralError(`${text} is more precise than microseconds`);
  let micros = BigInt(ms) * 1000n + BigInt(fraction.slice(0, 6));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const [hours, mins] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    if (mins > 59 || hours * 60 + mins > MAX_OFFSET_MINUTES) {
      throw new LiteralError(`${text} has the offset ${zone}; offsets go from -18:00 to +18:00`);
    }
    micros -= sign * BigInt(hours * 60 + mins) * 60_000_000n;
  }
  if (micros < -MICROS_PER_DAY * 719_162n || micros >= MICROS_PER_DAY * 2_932_897n) {
    throw new LiteralError(`${text} is outside years 0001 to 9999`);
  }
  return micros;
}

/** Milliseconds since the epoch for a proleptic Gregorian UTC date-time, if every field is in range. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getUTCDate() === d && date.getUTCMonth() === mo - 1 ? date.getTime() : undefined;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}
