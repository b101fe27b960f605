/** Exact text forms of Spark's temporal values (proleptic Gregorian, microsecond precision). */

const MICROS_PER_DAY = 86_400_000_000n;

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, '0');
}

/** Days since the epoch → `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  const date = new Date(days * 86_400_000);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

/** Microseconds of a day → `HH:MM:SS[.ffffff]`. */
export function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const text = `${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}`;
  return fraction === 0n ? text : `${text}.${pad(fraction, 6).replace(/0+$/, '')}`;
}

/**
 * Microseconds since the epoch → ISO-8601 date-time, `Z`-suffixed for instants (timestamp)
 * and without an offset for local date-times (timestamp_ntz).
 */
export function formatTimestamp(micros: bigint, instant: boolean): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return `${formatDate(Number(days))}T${formatTimeOfDay(rest)}${instant ? 'Z' : ''}`;
}

/** A day-time interval in microseconds → ISO-8601 duration, e.g. `P1DT2H3M4.5S`. */
export function formatDayTimeInterval(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  const days = abs / MICROS_PER_DAY;
  const rest = abs % MICROS_PER_DAY;
  const hours = rest / 3_600_000_000n;
  const minutes = (rest / 60_000_000n) % 60n;
  const seconds = (rest / 1_000_000n) % 60n;
  const fraction = rest % 1_000_000n;
  let time = '';
  if (hours > 0n) time += `${hours}H`;
  if (minutes > 0n) time += `${minutes}M`;
  if (seconds > 0n || fraction > 0n) {
    time += fraction === 0n ? `${seconds}S` : `${seconds}.${pad(fraction, 6).replace(/0+$/, '')}S`;
  }
  const text = `P${days > 0n || time === '' ? `${days}D` : ''}${time === '' ? '' : `T${time}`}`;
  return `${sign}${text}`;
}

/** A year-month interval in months → ISO-8601 duration, e.g. `P1Y2M`. */
export function formatYearMonthInterval(months: number): string {
  const sign = months < 0 ? '-' : '';
  const abs = Math.abs(months);
  const years = Math.floor(abs / 12);
  const rest = abs % 12;
  return `${sign}P${years > 0 || rest === 0 ? `${years}Y` : ''}${rest > 0 ? `${rest}M` : ''}`;
}

/** An unscaled decimal and its scale → plain decimal text with exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
