import { Errors } from '../errors/catalogue.js';
import type { Aggregate, Filter, GroupItem, OrderItem, QuerySpec, Scalar } from '../query/spec.js';

/** A typed `where`: `_and`, `_or`, `_not`, and comparisons by column name. */
export interface Where {
  readonly [key: string]: unknown;
}

interface CommonArgs {
  readonly params?: Record<string, Scalar> | null;
  readonly where?: Where | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface RowsArgs extends CommonArgs {
  readonly orderBy?: readonly Record<string, string>[] | null;
}

export interface AggregateArgs extends CommonArgs {
  readonly groupBy?: readonly string[] | null;
  readonly timeBucket?: { column: string; unit: string; timeZone?: string | null } | null;
  readonly orderBy?: readonly Record<string, unknown>[] | null;
}

/** Selected fields of a group by name, with the columns selected under each measure. */
export type Measures = Readonly<Record<string, readonly string[]>>;

const COMPARISONS: Readonly<Record<string, 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'>> = {
  _eq: 'eq',
  _neq: 'ne',
  _lt: 'lt',
  _lte: 'lte',
  _gt: 'gt',
  _gte: 'gte',
};

function conditions(column: string, comparison: Record<string, unknown>): Filter[] {
  const out: Filter[] = [];
  for (const [op, value] of Object.entries(comparison)) {
    if (value == null) continue;
    const compare = COMPARISONS[op];
    if (compare !== undefined) out.push({ op: compare, column, value: value as Scalar });
    else if (op === '_in' || op === '_nin') {
      const values = value as Scalar[];
      if (values.length === 0) {
        throw new Errors.QueryInvalid(`where.${column}.${op} needs at least one value`);
      }
      out.push({ op: op === '_in' ? 'in' : 'not_in', column, values });
    } else if (op === '_like' || op === '_ilike') {
      out.push({ op: op === '_like' ? 'like' : 'ilike', column, pattern: value as string });
    } else if (op === '_is_null') out.push({ op: value === true ? 'is_null' : 'not_null', column });
  }
  return out;
}

function all(filters: Filter[]): Filter | undefined {
  return filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { op: 'and', filters };
}

/** A typed `where` as the QuerySpec filter it means: every condition holds. */
export function whereFilter(where: Where | null | undefined, path = 'where'): Filter | undefined {
  if (where == null) return undefined;
  const parts: Filter[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value == null) continue;
    if (key === '_and' || key === '_or') {
      const list = (value as Where[]).map((w, i) => whereFilter(w, `${path}.${key}[${i}]`));
      if (list.length === 0) throw new Errors.QueryInvalid(`${path}.${key} needs at least one condition`);
      // An empty condition holds for every row: it drops out of `_and` and makes `_or` hold.
      const filters = list.filter((f): f is Filter => f !== undefined);
      if (key === '_or' && filters.length < list.length) continue;
      if (filters.length > 0) parts.push({ op: key === '_and' ? 'and' : 'or', filters });
    } else if (key === '_not') {
      const inner = whereFilter(value as Where, `${path}._not`);
      if (inner === undefined) throw new Errors.QueryInvalid(`${path}._not needs a condition`);
      parts.push({ op: 'not', filter: inner });
    } else {
      parts.push(...conditions(key, value as Record<string, unknown>));
    }
  }
  return all(parts);
}

const DIRECTIONS: Readonly<Record<string, { direction: 'asc' | 'desc'; nulls?: 'first' | 'last' }>> = {
  asc: { direction: 'asc' },
  asc_nulls_first: { direction: 'asc', nulls: 'first' },
  asc_nulls_last: { direction: 'asc', nulls: 'last' },
  desc: { direction: 'desc' },
  desc_nulls_first: { direction: 'desc', nulls: 'first' },
  desc_nulls_last: { direction: 'desc', nulls: 'last' },
};

function only(item: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(item).filter(([, v]) => v != null);
  if (entries.length !== 1) {
    throw new Errors.QueryInvalid(`${path} names ${entries.length} keys; give one per item, in order`);
  }
  return entries[0] as [string, unknown];
}

function direction(value: unknown): { direction: 'asc' | 'desc'; nulls?: 'first' | 'last' } {
  return DIRECTIONS[value as string] ?? { direction: 'asc' };
}

/** Typed `orderBy` items, one column each. */
export function orderItems(
  orderBy: readonly Record<string, string>[] | null | undefined,
): OrderItem[] | undefined {
  if (orderBy == null || orderBy.length === 0) return undefined;
  return orderBy.map((item, i) => {
    const [column, dir] = only(item, `orderBy[${i}]`);
    return { column, ...direction(dir) };
  });
}

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
  if (args.timeBucket != null) {
    const { column, unit, timeZone } = args.timeBucket;
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
      if (key === 'bucket' && args.timeBucket == null) {
        throw new Errors.QueryInvalid(`orderBy[${i}].bucket needs a timeBucket`);
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
