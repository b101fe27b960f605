/**
 * What a query may do with a column, decided from the family of its type and the dataset's
 * lists: filter on it, compare it with values, group by it, bucket it by time, sort by it,
 * aggregate it, and the type an aggregate of it returns. Validation asks these questions;
 * every front door that describes a dataset should ask the same ones.
 */
import { isNumeric, isOrderable, isTemporal, typeFamily, type TypeFamily } from './columns.js';
import {
  COMPARISON_OPS,
  NULL_OPS,
  PATTERN_OPS,
  SET_OPS,
  TIME_BUCKETS,
  type Aggregate,
  type Filter,
} from './spec.js';

/** An op of a filter on one column (not and, or, not). */
export type ColumnFilterOp = Exclude<Filter['op'], 'and' | 'or' | 'not'>;
type TimeBucket = (typeof TIME_BUCKETS)[number];

/** Whether a dataset's list (`filterable`, `groupable`) admits a column: all do when there is no list. */
export function isListed(name: string, list: readonly string[] | undefined): boolean {
  return list === undefined || list.includes(name);
}

/** Whether filters may name the column: the dataset's `filterable` list decides, whatever its type. */
export function isFilterable(name: string, filterable: readonly string[] | undefined): boolean {
  return isListed(name, filterable);
}

const VALUE_FAMILIES = new Set<TypeFamily>([
  'boolean',
  'integer',
  'long',
  'fractional',
  'decimal',
  'string',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
]);

/** Whether a column can be compared with a value (eq, ne, in, not_in, lt…, between); is_null works on any. */
export function takesValues(family: TypeFamily): boolean {
  return VALUE_FAMILIES.has(family);
}

/** Filter ops that need more of their column than values of its type. */
export type FilterOpNeed = { readonly test: (family: TypeFamily) => boolean; readonly needs: string };

/** What a comparison op needs of its column's family, checked before its values; undefined if nothing. */
export function filterOpNeed(op: string): FilterOpNeed | undefined {
  switch (op) {
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
    case 'between':
      return { test: isOrderable, needs: 'an orderable column' };
    case 'like':
    case 'ilike':
      return { test: (family) => family === 'string', needs: 'a string column' };
    default:
      return undefined;
  }
}

const VALUE_OPS: readonly ColumnFilterOp[] = [...COMPARISON_OPS, ...SET_OPS, 'between', ...PATTERN_OPS];

/**
 * The filter ops a column of the family takes: those with values where it takes values and
 * meets what the op needs ({@link filterOpNeed}), and the null checks whatever its type.
 */
export function filterOps(family: TypeFamily): readonly ColumnFilterOp[] {
  const withValues = takesValues(family)
    ? VALUE_OPS.filter((op) => filterOpNeed(op)?.test(family) ?? true)
    : [];
  return [...withValues, ...NULL_OPS];
}

/** Whether a column's type can be grouped by (the `groupable` list is asked with {@link isListed}). */
export function isGroupableType(family: TypeFamily): boolean {
  return family !== 'complex' && family !== 'other';
}

/** Whether a column can be bucketed by time. */
export function isBucketable(family: TypeFamily): boolean {
  return isTemporal(family);
}

/** Whether a bucket unit applies to a column of the family: a date has no hours. */
export function bucketFits(family: TypeFamily, bucket: TimeBucket): boolean {
  return family !== 'date' || (bucket !== 'minute' && bucket !== 'hour');
}

/** The units a column of the family can be bucketed by: none unless it is bucketable. */
export function bucketUnits(family: TypeFamily): readonly TimeBucket[] {
  return isBucketable(family) ? TIME_BUCKETS.filter((bucket) => bucketFits(family, bucket)) : [];
}

/** Whether a bucket of the column may name a time zone: only instants (timestamp) have one. */
export function bucketTakesTimeZone(family: TypeFamily): boolean {
  return family === 'timestamp';
}

/** Whether rows can be sorted by a column, and it compared with `<`, min and max. */
export function isSortable(family: TypeFamily): boolean {
  return isOrderable(family);
}

/** Why an aggregate cannot take a column of the family (e.g. "needs a numeric column"); undefined if it can. */
export function aggregateRefusal(fn: Aggregate['fn'], family: TypeFamily): string | undefined {
  switch (fn) {
    case 'sum':
    case 'avg':
      return isNumeric(family) || family === 'interval' ? undefined : 'needs a numeric column';
    case 'min':
    case 'max':
      return isOrderable(family) ? undefined : 'needs an orderable column';
    case 'approx_percentile':
      return isNumeric(family) || isTemporal(family) || family === 'interval'
        ? undefined
        : 'needs a numeric, date or timestamp column';
    case 'count':
    case 'count_distinct':
      return family === 'other' ? 'cannot count this type' : undefined;
  }
}

/** Whether an aggregate can be null (of no rows, or of nulls only): counts never are. */
export function aggregateMayBeNull(fn: Aggregate['fn']): boolean {
  return fn !== 'count' && fn !== 'count_distinct';
}

/**
 * The Spark type name an aggregate of a column of `type` returns (of no column: a row count),
 * as far as its family goes: Spark decides the exact precision of decimal sums and averages.
 */
export function aggregateResultType(fn: Aggregate['fn'], type: string | undefined): string {
  if (fn === 'count' || fn === 'count_distinct') return 'bigint';
  const of = type ?? 'bigint';
  // The average of intervals is an interval, as their sum is.
  if (fn === 'avg') return ['decimal', 'interval'].includes(typeFamily(of)) ? of : 'double';
  if (fn === 'sum') return typeFamily(of) === 'integer' ? 'bigint' : of;
  return of;
}
