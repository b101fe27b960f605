import { create } from '@bufbuild/protobuf';
import { ExpressionSchema, type Expression } from '../gen/spark/connect/expressions_pb.js';
import { sparkTimeZone } from '../query/time-zone.js';
import type { TimeBucket } from '../query/validated-query.js';
import { call, value } from './expressions.js';
import type { ScalarType } from '../query/scalar-types.js';
import { dataType } from './literals.js';

/** The kinds of column a time bucket applies to. */
export type BucketedType = 'date' | 'timestamp' | 'timestamp_ntz';

const MICROS = { minute: 60_000_000n, hour: 3_600_000_000n, day: 86_400_000_000n } as const;

const long = (n: bigint) => value({ type: 'long', value: n });
const text = (s: string) => value({ type: 'string', value: s });

/**
 * The start of the bucket of `column`, equal to Spark's own `date_trunc(unit, column)` in a
 * session whose time zone is `timeZone`, whatever the session's time zone really is.
 *
 * Spark truncates minutes, hours and days with `ZonedDateTime.truncatedTo`, which keeps the
 * event's own offset when it is valid for the truncated wall-clock time (the repeated hour
 * when DST ends stays two buckets), takes the earlier offset otherwise, and moves a time in
 * a DST gap later by the gap; weeks to years start at `LocalDate.atStartOfDay`. Both are
 * built here from instants and wall-clock times read as UTC (`from_utc_timestamp`,
 * `to_utc_timestamp`, `unix_micros`), which never consult the session's time zone.
 *
 * A date stays a date and a timestamp_ntz a timestamp_ntz: their wall clock is truncated.
 *
 * One case differs: where midnight falls inside a DST gap that began the day before (only
 * America/Toronto and its aliases on 1919-03-31 in the tz database), Spark's week starts at the
 * transition itself and this one half an hour later.
 */
export function timeBucket(
  column: Expression,
  unit: TimeBucket,
  type: BucketedType,
  timeZone = 'UTC',
): Expression {
  if (type === 'date') return unit === 'day' ? column : call('trunc', [column, text(unit)]);
  if (type === 'timestamp_ntz') return localBucket(column, unit);
  const zone = sparkTimeZone(timeZone);
  if (zone === undefined) throw new Error(`time zone ${timeZone} was not validated`);
  const micros = call('unix_micros', [column]);
  if (zone.kind === 'offset') {
    const shift = BigInt(zone.seconds) * 1_000_000n;
    if (shift === 0n) return call('timestamp_micros', [truncateLocal(micros, unit)]);
    const start = truncateLocal(call('+', [micros, long(shift)]), unit);
    return call('timestamp_micros', [call('-', [start, long(shift)])]);
  }
  const zoneText = text(timeZone);
  const wallClock = (instant: Expression) =>
    call('unix_micros', [call('from_utc_timestamp', [instant, zoneText])]);
  const local = wallClock(column);
  const start = truncateLocal(local, unit);
  const earlierOffset = call('to_utc_timestamp', [call('timestamp_micros', [start]), zoneText]);
  if (!(unit in MICROS)) return earlierOffset;
  // The start at the event's own offset, if that offset is valid for it.
  const ownOffset = call('timestamp_micros', [call('-', [start, call('-', [local, micros])])]);
  return call('if', [call('==', [wallClock(ownOffset), start]), ownOffset, earlierOffset]);
}

/** A wall-clock time in microseconds (read as UTC) truncated to the start of its bucket. */
function truncateLocal(local: Expression, unit: TimeBucket): Expression {
  if (unit === 'minute' || unit === 'hour' || unit === 'day') {
    return call('-', [local, call('pmod', [local, long(MICROS[unit])])]);
  }
  const day = call('-', [local, call('pmod', [local, long(MICROS.day)])]);
  const date = call('date_from_unix_date', [cast(call('div', [day, long(MICROS.day)]), 'int')]);
  const first = call('unix_date', [call('trunc', [date, text(unit)])]);
  return call('*', [cast(first, 'long'), long(MICROS.day)]);
}

/** A timestamp_ntz's wall clock truncated, through fields that no time zone affects. */
function localBucket(column: Expression, unit: TimeBucket): Expression {
  const date = cast(column, 'date');
  switch (unit) {
    case 'minute':
    case 'hour': {
      const fields = ['year', 'month', 'day', 'hour'].map((f) => call(f, [column]));
      const minute = unit === 'minute' ? call('minute', [column]) : value({ type: 'int', value: 0 });
      return call('make_timestamp_ntz', [...fields, minute, value({ type: 'int', value: 0 })]);
    }
    case 'day':
      return cast(date, 'timestamp_ntz');
    default:
      return cast(call('trunc', [date, text(unit)]), 'timestamp_ntz');
  }
}

function cast(expr: Expression, type: ScalarType): Expression {
  return create(ExpressionSchema, {
    exprType: { case: 'cast', value: { expr, castToType: { case: 'type', value: dataType(type) } } },
  });
}
