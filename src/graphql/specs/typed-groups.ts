/** A typed aggregate field's arguments and selected measures as a QuerySpec, and its rows as groups. */
import { Errors } from '../../errors/catalogue.js';
import type { Aggregate, GroupItem, OrderItem, QuerySpec } from '../../query/spec.js';
import { direction, only } from './typed-order.js';
import type { CommonArgs } from './typed-rows.js';
import { whereFilter } from './typed-where.js';

/** The bucket arguments: of a timestamp, of a timestamp_ntz, of a date. One applies per query. */
export const BUCKET_ARGS = ['timeBucket', 'localTimeBucket', 'dateBucket'] as const;

interface BucketArg {
  readonly column: string;
  readonly unit: string;
  readonly timeZone?: string | null;
}

export interface AggregateArgs extends CommonArgs {
  readonly groupBy?: readonly string[] | null;
  readonly timeBucket?: BucketArg | null;
  readonly localTimeBucket?: BucketArg | null;
  readonly dateBucket?: BucketArg | null;
  readonly orderBy?: readonly Record<string, unknown>[] | null;
}

/** The one bucket argument given, if any; more than one is refused. */
function bucketOf(args: AggregateArgs): BucketArg | undefined {
  const given = BUCKET_ARGS.filter((arg) => args[arg] != null);
  if (given.length > 1) {
    throw new Errors.QueryInvalid(`${given.join(' and ')} are given; a query has one time bucket`);
  }
  return given[0] === undefined ? undefined : (args[given[0]] ?? undefined);
}

/** Selected fields of a group by name, with the columns selected under each measure. */
export type Measures = Readonly<Record<string, readonly string[]>>;

/** Output names of measures, which no GraphQL-named column can take (names start with `__`). */
export const BUCKET = '__bucket';
export const COUNT = '__count';
const MEASURE_FNS = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  countDistinct: 'count_distinct',
} as const;
const measureName = (measure: string, column: string) => `__${measure}__${column}`;

/** The QuerySpec of a typed aggregate field: the groups, and the measures selected or ordered by. */
export function aggregateSpec(args: AggregateArgs, selected: Measures): QuerySpec {
  const groupBy: GroupItem[] = [...(args.groupBy ?? [])];
  const bucket = bucketOf(args);
  if (bucket !== undefined) {
    const { column, unit, timeZone } = bucket;
    groupBy.push({
      column,
      bucket: unit as NonNullable<Exclude<GroupItem, string>['bucket']>,
      ...(timeZone == null ? {} : { timeZone }),
      as: BUCKET,
    });
  }
  const wanted = new Map<string, Aggregate>([[COUNT, { fn: 'count', as: COUNT }]]);
  const want = (measure: string, column: string) => {
    if (!(measure in MEASURE_FNS)) return;
    const fn = MEASURE_FNS[measure as keyof typeof MEASURE_FNS];
    const as = measureName(measure, column);
    wanted.set(as, { fn, column, as });
  };
  for (const [measure, columns] of Object.entries(selected)) for (const c of columns) want(measure, c);

  const orderBy: OrderItem[] = [];
  (args.orderBy ?? []).forEach((item, i) => {
    const [key, value] = only(item, `orderBy[${i}]`);
    if (key === 'bucket' || key === 'count') {
      if (key === 'bucket' && bucket === undefined) {
        throw new Errors.QueryInvalid(`orderBy[${i}].bucket needs a time bucket (${BUCKET_ARGS.join(', ')})`);
      }
      orderBy.push({ column: key === 'bucket' ? BUCKET : COUNT, ...direction(value) });
      return;
    }
    const [column, dir] = only(value as Record<string, unknown>, `orderBy[${i}].${key}`);
    if (key === 'key') {
      if (!groupBy.includes(column)) {
        throw new Errors.QueryInvalid(`orderBy[${i}].key.${column}: group by ${column} to order by it`);
      }
      orderBy.push({ column, ...direction(dir) });
      return;
    }
    want(key, column);
    orderBy.push({ column: measureName(key, column), ...direction(dir) });
  });

  return {
    ...(args.params == null ? {} : { params: args.params }),
    ...(args.where == null ? {} : { where: whereFilter(args.where) }),
    ...(groupBy.length === 0 ? {} : { groupBy }),
    aggregates: [...wanted.values()],
    ...(orderBy.length === 0 ? {} : { orderBy }),
    ...(args.limit == null ? {} : { limit: args.limit }),
    ...(args.offset == null ? {} : { offset: args.offset }),
  } as QuerySpec;
}

/** Rows of the aggregate query as groups: `{ key, bucket, count, sum: { c }, … }`. */
export function groupRows(
  rows: readonly Record<string, unknown>[],
  args: AggregateArgs,
  selected: Measures,
): Record<string, unknown>[] {
  const grouped = args.groupBy ?? [];
  return rows.map((row) => {
    const group: Record<string, unknown> = {
      key: Object.fromEntries(grouped.map((c) => [c, row[c]])),
      bucket: row[BUCKET] ?? null,
      count: row[COUNT],
    };
    for (const measure of Object.keys(MEASURE_FNS)) {
      const columns = selected[measure];
      if (columns === undefined) continue;
      group[measure] = Object.fromEntries(columns.map((c) => [c, row[measureName(measure, c)]]));
    }
    return group;
  });
}
