/**
 * Parsing of date and date-time text as Spark reads it: proleptic Gregorian calendar, years
 * 0001 to 9999, microsecond precision, offsets from -18:00 to +18:00.
 */
import { ValueError, showValue } from './value-error.js';

const MICROS_PER_DAY = 86_400_000_000n;
/** Java's zone offsets go from -18:00 to +18:00. */
const MAX_OFFSET_MINUTES = 18 * 60;

/** `YYYY-MM-DD` → days since 1970-01-01. */
export function parseDate(text: string): number {
  const match = typeof text === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text) : null;
  if (match === null) throw new ValueError(`expected a date as YYYY-MM-DD, got ${showValue(text)}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = utc(y, m, d, 0, 0, 0);
  if (ms === undefined) throw new ValueError(`${text} is not a valid date`);
  return ms / 86_400_000;
}

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;

/** ISO-8601 date-time → microseconds since the epoch; `withOffset` says whether the zone is required or refused. */
export function parseTimestamp(text: string, withOffset: boolean): bigint {
  const match = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  if (match === null) {
    throw new ValueError(
      `expected an ISO-8601 date-time (e.g. 2024-05-01T12:30:00Z), got ${showValue(text)}`,
    );
  }
  const zone = match[8];
  if (withOffset && zone === undefined) {
    throw new ValueError(
      `timestamp ${text} needs a time zone offset (Z or ±HH:MM); use timestamp_ntz for local times`,
    );
  }
  if (!withOffset && zone !== undefined)
    throw new ValueError(`timestamp_ntz ${text} must not have a time zone offset`);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = utc(y, mo, d, h, mi, s);
  if (ms === undefined) throw new ValueError(`${text} is not a valid date-time`);
  const fraction = (match[7] ?? '').padEnd(6, '0');
  if (/[1-9]/.test(fraction.slice(6))) throw new ValueError(`${text} is more precise than microseconds`);
  let micros = BigInt(ms) * 1000n + BigInt(fraction.slice(0, 6));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const [hours, mins] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    if (mins > 59 || hours * 60 + mins > MAX_OFFSET_MINUTES) {
      throw new ValueError(`${text} has the offset ${zone}; offsets go from -18:00 to +18:00`);
    }
    micros -= sign * BigInt(hours * 60 + mins) * 60_000_000n;
  }
  if (micros < -MICROS_PER_DAY * 719_162n || micros >= MICROS_PER_DAY * 2_932_897n) {
    throw new ValueError(`${text} is outside years 0001 to 9999`);
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
