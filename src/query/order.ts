/** The exact order of typed values, for checking ranges and lists before Spark sees them. */
import { Decimal } from 'decimal.js';
import type { TypedValue } from './scalar-types.js';
import { checkValue } from './typed-values.js';

/**
 * Orders two values of one type exactly, as Spark does: longs as 64-bit integers, decimals
 * digit by digit, timestamps by their instant (whatever their offsets), strings by their UTF-8
 * bytes, NaN above every number.
 */
export function compareValues(a: TypedValue, b: TypedValue): number {
  const [x, y] = [checkValue(a), checkValue(b)];
  if (x.type === 'decimal' && y.type === 'decimal') {
    return new Decimal(x.value.value).cmp(y.value.value);
  }
  const [u, v] = [
    x.type === 'null' ? undefined : x.value,
    y.type === 'null' ? undefined : y.value,
  ] as unknown[];
  if (typeof u === 'string' && typeof v === 'string') return Buffer.compare(Buffer.from(u), Buffer.from(v));
  if (u instanceof Uint8Array && v instanceof Uint8Array) return Buffer.compare(u, v);
  if (typeof u === 'number' && typeof v === 'number' && (Number.isNaN(u) || Number.isNaN(v))) {
    return Number(Number.isNaN(u)) - Number(Number.isNaN(v));
  }
  const [p, q] = [u as number | bigint | boolean, v as number | bigint | boolean];
  return p < q ? -1 : p > q ? 1 : 0;
}
