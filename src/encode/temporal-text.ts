import { DataType, DateUnit, TimeUnit, type Data } from 'apache-arrow';
import { formatDate, formatTimestamp } from '../arrow/temporal.js';
import type { TextReader } from './text-reader.js';

/**
 * Fast paths for the two temporal types results are full of. `arrow/temporal.ts` stays the
 * definition (and handles every value); these give the same text with number arithmetic for
 * the usual range, without the BigInt and `Date` allocations that otherwise dominate encoding
 * time, and fall back to it outside that range.
 */

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const MICROS_PER_DAY = 86_400_000_000;
/** Days from 0000-03-01 to 1970-01-01. */
const EPOCH_SHIFT = 719_468;

/** Days since the epoch → `YYYY-MM-DD`, as `formatDate`. */
export function dateText(days: number): string {
  // Howard Hinnant's days_from_civil inverse, on a 400-year cycle starting in March.
  const z = days + EPOCH_SHIFT;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) return formatDate(days);
  return `${year}-${TWO_DIGITS[month] as string}-${TWO_DIGITS[day] as string}`;
}

/** Microseconds of a day (0 ≤ micros < 86 400 000 000) → `HH:MM:SS[.ffffff]`. */
function timeOfDayText(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  let fraction = micros - seconds * 1_000_000;
  const text = `${TWO_DIGITS[Math.floor(seconds / 3600)] as string}:${TWO_DIGITS[Math.floor(seconds / 60) % 60] as string}:${TWO_DIGITS[seconds % 60] as string}`;
  if (fraction === 0) return text;
  let digits = 6;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  return `${text}.${String(fraction).padStart(digits, '0')}`;
}

/**
 * Days (of dates in `DateUnit.DAY`) or microseconds (of timestamps in `TimeUnit.MICROSECOND`,
 * Spark's only units) as text; undefined for other units, which go through `valueReader`.
 */
export function temporalText(data: Data): TextReader | undefined {
  const type: DataType = data.type;
  if (DataType.isDate(type) && type.unit === DateUnit.DAY) {
    const days = data.values as Int32Array;
    return (i) => dateText(days[i] ?? 0);
  }
  if (DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND) {
    const instant = type.timezone != null && type.timezone !== '';
    const suffix = instant ? 'Z' : '';
    const values = data.values as BigInt64Array;
    const high = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const low = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    let lastDay = NaN;
    let lastDate = '';
    return (i) => {
      const h = high[2 * i + 1] ?? 0;
      if (h < -0x200000 || h >= 0x200000) return formatTimestamp(values[i] ?? 0n, instant);
      const micros = h * 0x100000000 + (low[2 * i] ?? 0);
      const day = Math.floor(micros / MICROS_PER_DAY);
      if (day !== lastDay) {
        lastDay = day;
        lastDate = dateText(day);
      }
      return `${lastDate}T${timeOfDayText(micros - day * MICROS_PER_DAY)}${suffix}`;
    };
  }
  return undefined;
}
