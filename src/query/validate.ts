import type { ScalarType, TypedValue } from './scalar-types.js';
import {
  aggregateRefusal,
  aggregateResultType,
  bucketFits,
  bucketTakesTimeZone,
  filterOpNeed,
  isBucketable,
  isFilterable,
  isGroupableType,
  isListed,
  isSortable,
} from './column-rules.js';
import { typeFamily, type ColumnInfo, type TypeFamily } from './columns.js';
import { QueryError } from './errors.js';
import { sparkTimeZone } from './time-zone.js';
import { compareValues } from './order.js';
import { checkPattern, checkShape } from './shape.js';
import {
  SPEC_LIMITS,
  TIME_BUCKETS,
  type Aggregate,
  type Filter,
  type GroupItem,
  type OrderItem,
  type QuerySpec,
  type Scalar,
  type SelectItem,
} from './spec.js';
import { typedValue } from './values.js';

/** A declared parameter of a dataset. */
export interface ParameterDefinition {
  readonly type: ScalarType;
  readonly description?: string | undefined;
  readonly required: boolean;
  readonly default?: Scalar | undefined;
  /** The only values accepted. */
  readonly allowed?: readonly Scalar[] | undefined;
  /** Inclusive bounds, for numbers, dates and timestamps. */
  readonly min?: Scalar | undefined;
  readonly max?: Scalar | undefined;
}

/** What validation needs to know about a dataset. */
export interface DatasetShape {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  readonly parameters: Readonly<Record<string, ParameterDefinition>>;
  readonly defaultLimit: number;
  readonly maxLimit: number;
  /** Columns that may be filtered on; all when absent. */
  readonly filterable?: readonly string[] | undefined;
  /** Columns that may be grouped by; all when absent. */
  readonly groupable?: readonly string[] | undefined;
}

export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** A filter whose columns are resolved and whose values are typed. */
export type Condition =
  | {
      readonly op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
      readonly column: string;
      readonly value: TypedValue;
    }
  | { readonly op: 'in' | 'not_in'; readonly column: string; readonly values: readonly TypedValue[] }
  | { readonly op: 'between'; readonly column: string; readonly from: TypedValue; readonly to: TypedValue }
  | { readonly op: 'like' | 'ilike'; readonly column: string; readonly pattern: string }
  | { readonly op: 'is_null' | 'not_null'; readonly column: string }
  | { readonly op: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly op: 'not'; readonly condition: Condition };

export interface OutputColumn {
  readonly column: string;
  readonly as: string;
}

export interface GroupColumn extends OutputColumn {
  readonly bucket?: TimeBucket | undefined;
  readonly timeZone?: string | undefined;
  /** The column is a date (buckets stay dates). */
  readonly date?: boolean | undefined;
  /** The column is a timestamp_ntz (buckets stay wall-clock times). */
  readonly local?: boolean | undefined;
}

export interface AggregateColumn {
  readonly fn: Aggregate['fn'];
  readonly column?: string | undefined;
  readonly percentile?: number | undefined;
  readonly as: string;
}

/** The checked, frozen form of a query: the compiler's only input. */
export interface ValidatedQuery {
  readonly dataset: string;
  readonly params: Readonly<Record<string, TypedValue>>;
  readonly select?: readonly OutputColumn[] | undefined;
  readonly where?: Condition | undefined;
  readonly groupBy?: readonly GroupColumn[] | undefined;
  readonly aggregates?: readonly AggregateColumn[] | undefined;
  readonly having?: Condition | undefined;
  readonly orderBy?: readonly {
    readonly column: string;
    readonly direction: 'asc' | 'desc';
    readonly nulls?: 'first' | 'last' | undefined;
  }[];
  readonly limit: number;
  readonly offset: number;
}

/** Checks a query against the dataset and returns its validated form; throws {@link QueryError}. */
export function validateQuery(spec: QuerySpec, dataset: DatasetShape): ValidatedQuery {
  checkShape(spec);
  const columns = new Resolver(dataset.columns, dataset.name);
  const params = validateParams(spec.params ?? {}, dataset.parameters);
  const where =
    spec.where === undefined ? undefined : condition(spec.where, '/where', columns, dataset.filterable);

  const aggregating = spec.groupBy !== undefined || spec.aggregates !== undefined;
  if (aggregating && spec.select !== undefined) {
    throw new QueryError('/select', 'a grouped query returns its groupBy and aggregates; leave select out');
  }
  if (!aggregating && spec.having !== undefined)
    throw new QueryError('/having', 'having needs groupBy or aggregates');

  const select = spec.select?.map((item, k) => selectColumn(item, `/select/${k}`, columns));
  const groupBy = spec.groupBy?.map((item, k) =>
    groupColumn(item, `/groupBy/${k}`, columns, dataset.groupable),
  );
  const aggregates = spec.aggregates?.map((item, k) => aggregateColumn(item, `/aggregates/${k}`, columns));

  const outputs = aggregating
    ? [
        ...(groupBy ?? []).map((g) => output(g.as, groupType(g, columns))),
        ...(aggregates ?? []).map((a) => output(a.as, aggregateType(a, columns))),
      ]
    : (select ?? dataset.columns.map((c) => ({ column: c.name, as: c.name }))).map((s) =>
        output(s.as, columns.get(s.column).type),
      );
  checkUnique(
    outputs.map((o) => o.name),
    aggregating ? '/groupBy' : '/select',
  );
  const outputResolver = new Resolver(
    outputs.map((o) => ({ name: o.name, type: o.type, nullable: true })),
    dataset.name,
    'output column',
  );

  const having =
    spec.having === undefined ? undefined : condition(spec.having, '/having', outputResolver, undefined);
  // Ungrouped queries may sort by any dataset column; grouped ones by what they return.
  const sortable = aggregating
    ? outputResolver
    : new Resolver(
        [...dataset.columns, ...outputs.map((o) => ({ name: o.name, type: o.type, nullable: true }))],
        dataset.name,
      );
  const orderBy = spec.orderBy?.map((item, k) => orderColumn(item, `/orderBy/${k}`, sortable));

  const limit = spec.limit ?? dataset.defaultLimit;
  if (limit > dataset.maxLimit) {
    throw new QueryError(
      '/limit',
      `${limit} is more than dataset ${dataset.name} allows (at most ${dataset.maxLimit})`,
    );
  }
  const offset = spec.offset ?? 0;
  if (limit + offset > SPEC_LIMITS.maxRowIndex) {
    throw new QueryError(
      '/offset',
      `limit + offset is ${limit + offset}; Spark allows at most ${SPEC_LIMITS.maxRowIndex}`,
    );
  }
  return deepFreeze({
    dataset: dataset.name,
    params,
    ...(select === undefined ? {} : { select }),
    ...(where === undefined ? {} : { where }),
    ...(groupBy === undefined ? {} : { groupBy }),
    ...(aggregates === undefined ? {} : { aggregates }),
    ...(having === undefined ? {} : { having }),
    ...(orderBy === undefined ? {} : { orderBy }),
    limit,
    offset,
  });
}

/** Binds request values to a dataset's parameters: defaults, required ones, allowed values, bounds. */
export function validateParams(
  given: Readonly<Record<string, Scalar>>,
  declared: Readonly<Record<string, ParameterDefinition>>,
): Record<string, TypedValue> {
  const names = Object.keys(declared);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      throw new QueryError(`/params/${name}`, `dataset has no parameter "${name}"`, names);
    }
  }
  const params: Record<string, TypedValue> = {};
  for (const [name, def] of Object.entries(declared)) {
    const pointer = `/params/${name}`;
    const value = (Object.hasOwn(given, name) ? given[name] : undefined) ?? def.default;
    if (value === undefined || value === null) {
      if (def.required) throw new QueryError(pointer, `parameter "${name}" (${def.type}) is required`);
      params[name] = { type: 'null', of: def.type };
      continue;
    }
    if (def.allowed !== undefined && !def.allowed.some((a) => a === value)) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is not allowed`,
        def.allowed.map((a) => JSON.stringify(a)),
      );
    }
    const typed = parameterValue(value, def.type, pointer);
    const bound = (b: Scalar) => parameterValue(b, def.type, pointer);
    if (def.min !== undefined && def.min !== null && compareValues(typed, bound(def.min)) < 0) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is less than the minimum ${JSON.stringify(def.min)}`,
      );
    }
    if (def.max !== undefined && def.max !== null && compareValues(typed, bound(def.max)) > 0) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is more than the maximum ${JSON.stringify(def.max)}`,
      );
    }
    params[name] = typed;
  }
  return params;
}

/** Resolves column names exactly, or else ignoring case as Spark does. */
class Resolver {
  readonly #columns: readonly ColumnInfo[];
  readonly #what: string;
  readonly #dataset: string;

  constructor(columns: readonly ColumnInfo[], dataset: string, what = 'column') {
    this.#columns = columns;
    this.#dataset = dataset;
    this.#what = what;
  }

  get(name: string, pointer = ''): ColumnInfo {
    const found =
      this.#columns.find((c) => c.name === name) ??
      this.#columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (found === undefined) {
      throw new QueryError(pointer, `dataset ${this.#dataset} has no ${this.#what} "${name}"`, this.names());
    }
    return found;
  }

  names(): string[] {
    return [...new Set(this.#columns.map((c) => c.name))];
  }
}

/** A filter as a condition; {@link checkShape} has bounded its size and depth. */
function condition(
  filter: Filter,
  pointer: string,
  columns: Resolver,
  allowedColumns: readonly string[] | undefined,
): Condition {
  switch (filter.op) {
    case 'and':
    case 'or':
      return {
        op: filter.op,
        conditions: filter.filters.map((f, k) =>
          condition(f, `${pointer}/filters/${k}`, columns, allowedColumns),
        ),
      };
    case 'not':
      return { op: 'not', condition: condition(filter.filter, `${pointer}/filter`, columns, allowedColumns) };
    default:
      break;
  }
  const column = columns.get(filter.column, `${pointer}/column`);
  if (allowedColumns !== undefined && !isFilterable(column.name, allowedColumns)) {
    throw new QueryError(
      `${pointer}/column`,
      `column "${column.name}" cannot be filtered on`,
      allowedColumns,
    );
  }
  const family = typeFamily(column.type);
  const need = filterOpNeed(filter.op);
  if (need !== undefined) {
    requireFamily(family, need.test, `${pointer}/op`, `"${filter.op}" needs ${need.needs}`, column);
  }
  const value = (v: Scalar, p: string) => typedValue(v, family, column.type, p);
  switch (filter.op) {
    case 'eq':
    case 'ne':
      return { op: filter.op, column: column.name, value: value(filter.value, `${pointer}/value`) };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { op: filter.op, column: column.name, value: value(filter.value, `${pointer}/value`) };
    case 'in':
    case 'not_in':
      if (filter.values.length === 0 || filter.values.length > SPEC_LIMITS.maxInValues) {
        throw new QueryError(
          `${pointer}/values`,
          `"${filter.op}" takes 1 to ${SPEC_LIMITS.maxInValues} values, not ${filter.values.length}`,
        );
      }
      return {
        op: filter.op,
        column: column.name,
        values: filter.values.map((v, k) => value(v, `${pointer}/values/${k}`)),
      };
    case 'between':
      return {
        op: 'between',
        column: column.name,
        from: value(filter.from, `${pointer}/from`),
        to: value(filter.to, `${pointer}/to`),
      };
    case 'like':
    case 'ilike':
      checkPattern(filter.pattern, `${pointer}/pattern`);
      return { op: filter.op, column: column.name, pattern: filter.pattern };
    case 'is_null':
    case 'not_null':
      return { op: filter.op, column: column.name };
  }
}

function requireFamily(
  family: TypeFamily,
  test: (f: TypeFamily) => boolean,
  pointer: string,
  message: string,
  column: ColumnInfo,
): void {
  if (!test(family)) throw new QueryError(pointer, `${message}; "${column.name}" is ${column.type}`);
}

function selectColumn(item: SelectItem, pointer: string, columns: Resolver): OutputColumn {
  const name = typeof item === 'string' ? item : item.column;
  const column = columns.get(name, typeof item === 'string' ? pointer : `${pointer}/column`);
  return { column: column.name, as: typeof item === 'string' ? column.name : (item.as ?? column.name) };
}

function groupColumn(
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

function aggregateColumn(item: Aggregate, pointer: string, columns: Resolver): AggregateColumn {
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

function orderColumn(
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

function output(name: string, type: string): { name: string; type: string } {
  return { name, type };
}

function groupType(group: GroupColumn, columns: Resolver): string {
  const type = columns.get(group.column).type;
  return type;
}

/** Result types are Spark's business; for output resolution what matters is the family. */
function aggregateType(aggregate: AggregateColumn, columns: Resolver): string {
  const type = aggregate.column === undefined ? undefined : columns.get(aggregate.column).type;
  return aggregateResultType(aggregate.fn, type);
}

function checkUnique(names: readonly string[], pointer: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key))
      throw new QueryError(
        pointer,
        `output column "${name}" appears twice; give one of them another name with "as"`,
      );
    seen.add(key);
  }
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

function scalarTypeName(type: ScalarType): string {
  const names: Partial<Record<ScalarType, string>> = {
    byte: 'tinyint',
    short: 'smallint',
    long: 'bigint',
    decimal: 'decimal(38,18)',
  };
  return names[type] ?? type;
}

/** A parameter's value (or a bound of it) as the type it is declared with. */
function parameterValue(value: Scalar, type: ScalarType, pointer: string): TypedValue {
  return typedValue(value, typeFamily(scalarTypeName(type)), type, pointer);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
