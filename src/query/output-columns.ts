/**
 * The columns a query returns or sorts by: selected columns, groups (with time buckets),
 * aggregates, and the order of the rows.
 */
import {
  aggregateRefusal,
  aggregateResultType,
  bucketFits,
  bucketTakesTimeZone,
  isBucketable,
  isGroupableType,
  isListed,
  isSortable,
} from './column-rules.js';
import type { Resolver } from './column-resolver.js';
import { typeFamily } from './columns.js';
import { requireFamily } from './conditions.js';
import { QueryError } from './errors.js';
import type { Aggregate, GroupItem, OrderItem, SelectItem } from './spec.js';
import { sparkTimeZone } from './time-zone.js';
import type { AggregateColumn, GroupColumn, OutputColumn, ValidatedQuery } from './validated-query.js';

export function selectColumn(item: SelectItem, pointer: string, columns: Resolver): OutputColumn {
  const name = typeof item === 'string' ? item : item.column;
  const column = columns.get(name, typeof item === 'string' ? pointer : `${pointer}/column`);
  return { column: column.name, as: typeof item === 'string' ? column.name : (item.as ?? column.name) };
}

export function groupColumn(
  item: GroupItem,
  pointer: string,
  columns: Resolver,
  groupable: readonly string[] | undefined,
): GroupColumn {
  const spec = typeof item === 'string' ? { column: item } : item;
  const column = columns.get(spec.column, typeof item === 'string' ? pointer : `${pointer}/column`);
  if (groupable !== undefined && !isListed(column.name, groupable)) {
    throw new QueryError(pointer, `column "${column.name}" cannot be grouped by`, groupable);
  }
  const family = typeFamily(column.type);
  if (!isGroupableType(family)) {
    throw new QueryError(pointer, `cannot group by "${column.name}" of type ${column.type}`);
  }
  if (spec.bucket === undefined) {
    if (spec.timeZone !== undefined)
      throw new QueryError(`${pointer}/timeZone`, 'timeZone applies to a bucket');
    return { column: column.name, as: spec.as ?? column.name };
  }
  requireFamily(
    family,
    isBucketable,
    `${pointer}/bucket`,
    'time buckets need a date or timestamp column',
    column,
  );
  if (!bucketFits(family, spec.bucket)) {
    throw new QueryError(
      `${pointer}/bucket`,
      `"${column.name}" is a date: bucket it by day, week, month, quarter or year`,
    );
  }
  if (spec.timeZone !== undefined && !bucketTakesTimeZone(family)) {
    const what = family === 'date' ? 'a date' : 'a timestamp_ntz (a wall-clock time)';
    throw new QueryError(`${pointer}/timeZone`, `"${column.name}" is ${what}, which has no time zone`);
  }
  if (spec.timeZone !== undefined) checkTimeZone(spec.timeZone, `${pointer}/timeZone`);
  return {
    column: column.name,
    as: spec.as ?? column.name,
    bucket: spec.bucket,
    ...(spec.timeZone === undefined ? {} : { timeZone: spec.timeZone }),
    ...(family === 'date' ? { date: true } : {}),
    ...(family === 'timestamp_ntz' ? { local: true } : {}),
  };
}

export function aggregateColumn(item: Aggregate, pointer: string, columns: Resolver): AggregateColumn {
  if (item.fn === 'approx_percentile') {
    const p = item.percentile;
    if (p === undefined || !(p >= 0 && p <= 1))
      throw new QueryError(`${pointer}/percentile`, 'approx_percentile needs a percentile between 0 and 1');
  } else if (item.percentile !== undefined) {
    throw new QueryError(`${pointer}/percentile`, `percentile applies to approx_percentile, not ${item.fn}`);
  }
  if (item.column === undefined) {
    if (item.fn !== 'count') throw new QueryError(`${pointer}/column`, `${item.fn} needs a column`);
    return { fn: 'count', as: item.as };
  }
  const column = columns.get(item.column, `${pointer}/column`);
  const family = typeFamily(column.type);
  const why = aggregateRefusal(item.fn, family);
  if (why !== undefined) {
    throw new QueryError(`${pointer}/fn`, `${item.fn} ${why}; "${column.name}" is ${column.type}`);
  }
  return {
    fn: item.fn,
    column: column.name,
    as: item.as,
    ...(item.percentile === undefined ? {} : { percentile: item.percentile }),
  };
}

export function orderColumn(
  item: OrderItem,
  pointer: string,
  columns: Resolver,
): NonNullable<ValidatedQuery['orderBy']>[number] {
  const spec = typeof item === 'string' ? { column: item } : item;
  const column = columns.get(spec.column, typeof item === 'string' ? pointer : `${pointer}/column`);
  if (!isSortable(typeFamily(column.type))) {
    throw new QueryError(pointer, `cannot sort by "${column.name}" of type ${column.type}`);
  }
  return {
    column: column.name,
    direction: spec.direction ?? 'asc',
    ...(spec.nulls === undefined ? {} : { nulls: spec.nulls }),
  };
}

export function groupType(group: GroupColumn, columns: Resolver): string {
  const type = columns.get(group.column).type;
  return type;
}

/** Result types are Spark's business; for output resolution what matters is the family. */
export function aggregateType(aggregate: AggregateColumn, columns: Resolver): string {
  const type = aggregate.column === undefined ? undefined : columns.get(aggregate.column).type;
  return aggregateResultType(aggregate.fn, type);
}

/** Spark's own rules (Java's `ZoneId`), so a zone Spark would refuse is a 400 here. */
function checkTimeZone(zone: string, pointer: string): void {
  if (sparkTimeZone(zone) !== undefined) return;
  throw new QueryError(
    pointer,
    `"${zone}" is not a time zone Spark knows; use a region ID as spelled in the tz database ` +
      '(Europe/Paris, UTC) or an offset from -18:00 to +18:00 (+02:00)',
  );
}
