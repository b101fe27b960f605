import {
  Kind,
  printSchema,
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
} from 'graphql';
import { AGGREGATE_FUNCTIONS, TIME_BUCKETS, type QuerySpec } from '../query/spec.js';
import { isNumeric, isOrderable, isTemporal, typeFamily, type ColumnInfo } from '../query/columns.js';
import type { DatasetDescription, QueryService } from '../service/query-service.js';
import type { Principal } from '../auth/principal.js';
import { Errors } from '../errors/catalogue.js';
import type { Answer, ResultRunner } from '../service/answers.js';
import {
  GraphQLDecimal,
  GraphQLDouble,
  GraphQLJSON,
  GraphQLLong,
  SCALARS,
  scalarOfParameter,
  scalarOfSparkType,
} from './scalars.js';
import { checkSpec, genericSpec, type GenericArgs } from './generic-spec.js';
import {
  aggregateSpec,
  groupRows,
  orderItems,
  whereFilter,
  type AggregateArgs,
  type Measures,
  type RowsArgs,
} from './typed-spec.js';

/** What every resolver is given: who asks, and when to give up. */
export interface GraphQLContext {
  readonly tenant: string;
  /** Who asks; absent only where no authentication applies (tests of the schema alone). */
  readonly principal?: Principal | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface SchemaOptions {
  readonly queries: QueryService;
  readonly runner: ResultRunner;
}

/** A name GraphQL accepts for a field, and not one of the names the schema uses itself. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const RESERVED_FIELDS = new Set(['datasets', 'dataset', 'query']);

export function isGraphQLName(name: string): boolean {
  return NAME.test(name) && !name.startsWith('__');
}

/** `daily_revenue` → `DailyRevenue`. */
export function typeName(dataset: string): string {
  return dataset
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const scalarType = (s: GraphQLScalarType | 'Int' | 'Boolean' | 'String') =>
  s === 'Int' ? GraphQLInt : s === 'Boolean' ? GraphQLBoolean : s === 'String' ? GraphQLString : s;

const list = <T extends GraphQLInputType | GraphQLOutputType>(t: T) =>
  new GraphQLList(new GraphQLNonNull(t as never)) as GraphQLList<GraphQLNonNull<T>>;

// ---------------------------------------------------------------------------------------------
// The generic part: the same for every server; `schema.graphql` in the repository.

const Parameter = new GraphQLObjectType({
  name: 'Parameter',
  description: 'A parameter of a dataset.',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    type: { type: new GraphQLNonNull(GraphQLString), description: 'long, decimal, date, timestamp, …' },
    required: { type: new GraphQLNonNull(GraphQLBoolean) },
    description: { type: GraphQLString },
    default: { type: GraphQLJSON, description: 'The value used when none is given.' },
  },
});

const Column = new GraphQLObjectType({
  name: 'Column',
  description: 'A column, with the type Spark reports.',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    type: { type: new GraphQLNonNull(GraphQLString), description: 'Spark’s type: bigint, decimal(12,2), …' },
    nullable: { type: GraphQLBoolean },
    description: { type: GraphQLString },
  },
});

const Dataset = new GraphQLObjectType<DatasetDescription>({
  name: 'Dataset',
  description: 'A dataset the server offers.',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    description: { type: new GraphQLNonNull(GraphQLString) },
    parameters: {
      type: new GraphQLNonNull(list(Parameter)),
      resolve: (d) => Object.entries(d.parameters).map(([name, p]) => ({ name, ...p })),
    },
    columns: { type: new GraphQLNonNull(list(Column)) },
    defaultLimit: { type: new GraphQLNonNull(GraphQLInt) },
    maxLimit: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const QueryResult = new GraphQLObjectType<Answer>({
  name: 'QueryResult',
  description: 'A whole answer, bounded by the server’s limits.',
  fields: {
    columns: { type: new GraphQLNonNull(list(Column)) },
    rows: {
      type: new GraphQLNonNull(list(GraphQLJSON)),
      description: 'One object per row, keyed by column name, with the JSON value rules.',
    },
    rowCount: { type: new GraphQLNonNull(GraphQLInt) },
    truncated: {
      type: new GraphQLNonNull(GraphQLBoolean),
      description: 'More rows were left than the limit let through.',
    },
    elapsedMs: { type: new GraphQLNonNull(GraphQLFloat), description: 'How long Spark took.' },
    cached: { type: new GraphQLNonNull(GraphQLBoolean), description: 'Answered from the result cache.' },
    cacheAgeMs: {
      type: GraphQLFloat,
      description: 'Age of a cached answer.',
      resolve: (a) => (a.cached ? a.ageMs : null),
    },
  },
});

export const CachePolicy = new GraphQLEnumType({
  name: 'CachePolicy',
  description: 'Whether an answer may come from the result cache.',
  values: {
    USE: { description: 'A cached answer within the dataset’s TTL will do.' },
    BYPASS: { description: 'Ask Spark; the fresh answer replaces the cached one.' },
  },
});

const FilterOp = new GraphQLEnumType({
  name: 'FilterOp',
  values: Object.fromEntries(
    ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between', 'like', 'ilike', 'is_null']
      .concat(['not_null', 'and', 'or', 'not'])
      .map((op) => [op, { value: op }]),
  ),
});

const FilterInput: GraphQLInputObjectType = new GraphQLInputObjectType({
  name: 'FilterInput',
  description:
    'A condition, as in the HTTP QuerySpec: `op` with `column` and `value`, `values`, `from`/`to` ' +
    'or `pattern`; `and`/`or` with `filters`; `not` with `filter`.',
  fields: () => ({
    op: { type: new GraphQLNonNull(FilterOp) },
    column: { type: GraphQLString },
    value: { type: GraphQLJSON },
    values: { type: new GraphQLList(GraphQLJSON) },
    from: { type: GraphQLJSON },
    to: { type: GraphQLJSON },
    pattern: { type: GraphQLString },
    filters: { type: list(FilterInput) },
    filter: { type: FilterInput },
  }),
});

const TimeBucketUnit = new GraphQLEnumType({
  name: 'TimeBucketUnit',
  values: Object.fromEntries(TIME_BUCKETS.map((b) => [b, { value: b }])),
});

const TIME_ZONE =
  'A tz database region ID as Spark reads it (Europe/Paris; case matters), a short ID (EST) or an ' +
  'offset up to ±18:00 (+05:30); UTC by default. Timestamps only.';

const GroupInput = new GraphQLInputObjectType({
  name: 'GroupInput',
  description: 'A column to group by, or a time bucket of a date or timestamp column.',
  fields: {
    column: { type: new GraphQLNonNull(GraphQLString) },
    bucket: { type: TimeBucketUnit },
    timeZone: { type: GraphQLString, description: TIME_ZONE },
    as: { type: GraphQLString },
  },
});

const AggregateFunction = new GraphQLEnumType({
  name: 'AggregateFunction',
  values: Object.fromEntries(AGGREGATE_FUNCTIONS.map((f) => [f, { value: f }])),
});

const AggregateInput = new GraphQLInputObjectType({
  name: 'AggregateInput',
  fields: {
    fn: { type: new GraphQLNonNull(AggregateFunction) },
    column: { type: GraphQLString, description: 'Required except for count.' },
    percentile: { type: GraphQLFloat, description: 'For approx_percentile: 0.5 is the median.' },
    as: { type: new GraphQLNonNull(GraphQLString) },
  },
});

const SortDirection = new GraphQLEnumType({
  name: 'SortDirection',
  values: { asc: { value: 'asc' }, desc: { value: 'desc' } },
});
const NullsOrder = new GraphQLEnumType({
  name: 'NullsOrder',
  values: { first: { value: 'first' }, last: { value: 'last' } },
});

const OrderInput = new GraphQLInputObjectType({
  name: 'OrderInput',
  fields: {
    column: { type: new GraphQLNonNull(GraphQLString) },
    direction: { type: SortDirection },
    nulls: { type: NullsOrder },
  },
});

/** Ordering of the typed fields, one column per item: `{ ts: desc_nulls_last }`. */
export const OrderDirection = new GraphQLEnumType({
  name: 'OrderDirection',
  values: Object.fromEntries(
    ['asc', 'asc_nulls_first', 'asc_nulls_last', 'desc', 'desc_nulls_first', 'desc_nulls_last'].map((d) => [
      d,
      { value: d },
    ]),
  ),
});

/** Spark executions a field costs, for the complexity limit. */
export const QUERY_FIELD_COST = 10;

function genericFields(options: SchemaOptions): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  const { queries, runner } = options;
  return {
    datasets: {
      type: new GraphQLNonNull(list(Dataset)),
      description: 'Every dataset you may use, with its columns as Spark reports them.',
      resolve: (_root, _args, ctx: GraphQLContext) =>
        Promise.all(queries.list(ctx.principal).map((d) => queries.describe(d.name, ctx.signal))),
    },
    dataset: {
      type: Dataset,
      args: { name: { type: new GraphQLNonNull(GraphQLString) } },
      description: 'A dataset by name (null when there is none); FORBIDDEN when it is not yours to use.',
      resolve: (_root, args: { name: string }, ctx: GraphQLContext) =>
        queries.catalog.registry.get(args.name) === undefined
          ? null
          : queries.describe(args.name, ctx.signal, ctx.principal),
    },
    query: {
      type: QueryResult,
      description: 'Any query of a dataset, as the HTTP QuerySpec says it.',
      extensions: { complexity: QUERY_FIELD_COST },
      args: {
        dataset: { type: new GraphQLNonNull(GraphQLString) },
        params: { type: GraphQLJSON, description: 'Values of the dataset’s parameters, by name.' },
        select: { type: list(GraphQLString) },
        where: { type: FilterInput },
        groupBy: { type: list(GroupInput) },
        aggregates: { type: list(AggregateInput) },
        having: { type: FilterInput },
        orderBy: { type: list(OrderInput) },
        limit: { type: GraphQLInt },
        offset: { type: GraphQLInt },
        cache: { type: CachePolicy, defaultValue: 'USE' },
      },
      resolve: async (_root, args: GenericArgs & { cache: string }, ctx: GraphQLContext) => {
        const spec = withRowLimit(genericSpec(args), runner.limits.maxRows);
        return runner.run({
          dataset: args.dataset,
          spec,
          tenant: ctx.tenant,
          principal: ctx.principal,
          bypassCache: args.cache === 'BYPASS',
          signal: ctx.signal,
        });
      },
    },
  };
}

/** GraphQL answers are whole: a limit above the server's GraphQL row limit is refused. */
function withRowLimit(spec: QuerySpec, maxRows: number): QuerySpec {
  checkSpec(spec);
  if (spec.limit !== undefined && spec.limit > maxRows) {
    throw new Errors.QueryInvalid(
      `limit ${spec.limit} is above this server's GraphQL row limit (${maxRows})`,
    );
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// The typed part: per dataset, from its columns as Spark reports them.

interface TypedDataset {
  readonly description: DatasetDescription;
  /** Columns with GraphQL names, which the typed fields expose. */
  readonly columns: readonly ColumnInfo[];
}

function typedFields(
  dataset: TypedDataset,
  options: SchemaOptions,
  comparisons: Comparisons,
): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  const { runner } = options;
  const { description: d, columns } = dataset;
  const T = typeName(d.name);
  const outType = (c: ColumnInfo) => scalarType(scalarOfSparkType(c.type));
  const filterable = columns.filter(
    (c) =>
      (d.filterable === undefined || d.filterable.includes(c.name)) &&
      !['complex', 'void', 'other'].includes(typeFamily(c.type)),
  );
  const groupable = columns.filter(
    (c) => (d.groupable === undefined || d.groupable.includes(c.name)) && isOrderable(typeFamily(c.type)),
  );

  const Row = new GraphQLObjectType({
    name: `${T}Row`,
    description: `A row of ${d.name}.`,
    fields: Object.fromEntries(
      columns.map((c) => [
        c.name,
        { type: outType(c), description: d.columns.find((x) => x.name === c.name)?.description },
      ]),
    ),
  });

  const Where: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: `${T}Where`,
    description: `Conditions on ${d.name}: all must hold.`,
    fields: (): GraphQLInputFieldConfigMap => ({
      _and: { type: list(Where) },
      _or: { type: list(Where) },
      _not: { type: Where },
      ...Object.fromEntries(filterable.map((c) => [c.name, { type: comparison(c, comparisons) }])),
    }),
  });

  const OrderBy = new GraphQLInputObjectType({
    name: `${T}OrderBy`,
    description: 'One column per item; earlier items order first.',
    fields: Object.fromEntries(
      columns.filter((c) => isOrderable(typeFamily(c.type))).map((c) => [c.name, { type: OrderDirection }]),
    ),
  });

  const args = {
    ...paramsArg(d, T),
    where: { type: Where },
  };
  const limitArgs = {
    limit: { type: GraphQLInt, description: `At most ${Math.min(d.maxLimit, runner.limits.maxRows)}.` },
    offset: { type: GraphQLInt },
    cache: { type: CachePolicy, defaultValue: 'USE' },
  };

  const fields: GraphQLFieldConfigMap<unknown, GraphQLContext> = {
    [d.name]: {
      type: list(Row),
      description: d.description,
      extensions: { complexity: QUERY_FIELD_COST },
      args: { ...args, orderBy: { type: list(OrderBy) }, ...limitArgs },
      resolve: async (_root, a: RowsArgs & { cache: string }, ctx: GraphQLContext) => {
        const spec: QuerySpec = {
          ...(a.params == null ? {} : { params: a.params }),
          ...optional('where', whereFilter(a.where)),
          ...optional('orderBy', orderItems(a.orderBy)),
          ...optional('limit', a.limit),
          ...optional('offset', a.offset),
          select: columns.map((c) => c.name),
        };
        const answer = await runner.run({
          dataset: d.name,
          spec: withRowLimit(defaultLimit(spec, d, runner.limits.maxRows), runner.limits.maxRows),
          tenant: ctx.tenant,
          principal: ctx.principal,
          bypassCache: a.cache === 'BYPASS',
          signal: ctx.signal,
        });
        return complete(answer);
      },
    },
  };

  const aggregate = aggregateField(d, T, columns, groupable, args, limitArgs, options);
  if (aggregate !== undefined) fields[`${d.name}Aggregate`] = aggregate;
  return fields;
}

function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value == null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Without a limit, a typed field returns the dataset's default, within the GraphQL row limit. */
function defaultLimit(spec: QuerySpec, d: DatasetDescription, maxRows: number): QuerySpec {
  return spec.limit === undefined ? { ...spec, limit: Math.min(d.defaultLimit, maxRows) } : spec;
}

/** A typed list is all the rows or an error: it has no way to say it was cut. */
function complete(answer: Answer): readonly Record<string, unknown>[] {
  if (answer.truncated) {
    throw new Errors.ResultTooLarge(
      `the answer is larger than this server's GraphQL limits (${answer.rowCount} rows fit); ask for fewer rows`,
    );
  }
  return answer.rows;
}

function paramsArg(d: DatasetDescription, T: string) {
  const entries = Object.entries(d.parameters).filter(([name]) => isGraphQLName(name));
  if (entries.length === 0) return {};
  const Params = new GraphQLInputObjectType({
    name: `${T}Params`,
    fields: Object.fromEntries(
      entries.map(([name, p]) => {
        const type = scalarType(scalarOfParameter(p.type));
        const required = p.required && p.default === undefined;
        return [name, { type: required ? new GraphQLNonNull(type) : type, description: p.description }];
      }),
    ),
  });
  const anyRequired = entries.some(([, p]) => p.required && p.default === undefined);
  return { params: { type: anyRequired ? new GraphQLNonNull(Params) : Params } };
}

/** The comparison input types of one schema, shared by its datasets' columns of a kind. */
type Comparisons = Map<string, GraphQLInputObjectType>;

/** `{ _eq, _neq, _gt, _gte, _lt, _lte, _in, _nin, _is_null }`, and `_like`/`_ilike` for text. */
function comparison(c: ColumnInfo, comparisons: Comparisons): GraphQLInputObjectType {
  const scalar = scalarType(scalarOfSparkType(c.type));
  const family = typeFamily(c.type);
  const text = family === 'string';
  // Columns answered as strings without being text get comparisons of their own (no LIKE).
  const OTHER: Partial<Record<typeof family, string>> = {
    binary: 'Binary',
    timestamp_ntz: 'LocalTimestamp',
    time: 'Time',
    interval: 'Interval',
  };
  const name = `${OTHER[family] ?? scalar.name}Comparison`;
  const existing = comparisons.get(name);
  if (existing !== undefined) return existing;
  const orderable = isOrderable(family);
  const type = new GraphQLInputObjectType({
    name,
    description: `Conditions on a ${scalar.name} column; several hold together.`,
    fields: {
      _eq: { type: scalar },
      _neq: { type: scalar },
      ...(orderable
        ? { _gt: { type: scalar }, _gte: { type: scalar }, _lt: { type: scalar }, _lte: { type: scalar } }
        : {}),
      _in: { type: list(scalar) },
      _nin: { type: list(scalar) },
      ...(text ? { _like: { type: GraphQLString }, _ilike: { type: GraphQLString } } : {}),
      _is_null: { type: GraphQLBoolean },
    },
  });
  comparisons.set(name, type);
  return type;
}

function aggregateField(
  d: DatasetDescription,
  T: string,
  columns: readonly ColumnInfo[],
  groupable: readonly ColumnInfo[],
  args: Record<string, { type: GraphQLInputType }>,
  limitArgs: Record<string, { type: GraphQLInputType; defaultValue?: unknown }>,
  options: SchemaOptions,
): GraphQLFieldConfig<unknown, GraphQLContext> | undefined {
  const { runner } = options;
  const numeric = columns.filter((c) => isNumeric(typeFamily(c.type)));
  const orderable = columns.filter((c) => isOrderable(typeFamily(c.type)));
  const temporal = columns.filter((c) => isTemporal(typeFamily(c.type)));
  const outType = (c: ColumnInfo) => scalarType(scalarOfSparkType(c.type));
  const sumType = (c: ColumnInfo) => {
    const family = typeFamily(c.type);
    return family === 'fractional' ? GraphQLDouble : family === 'decimal' ? GraphQLDecimal : GraphQLLong;
  };
  const avgType = (c: ColumnInfo) => (typeFamily(c.type) === 'decimal' ? GraphQLDecimal : GraphQLDouble);
  const object = (
    name: string,
    description: string,
    cs: readonly ColumnInfo[],
    type: (c: ColumnInfo) => GraphQLOutputType,
  ) =>
    cs.length === 0
      ? undefined
      : new GraphQLObjectType({
          name,
          description,
          fields: Object.fromEntries(cs.map((c) => [c.name, { type: type(c) }])),
        });

  const Key = object(
    `${T}Key`,
    'The values of the grouped columns (null for those not grouped by).',
    groupable,
    outType,
  );
  const Sum = object(`${T}Sums`, 'Sums of numeric columns.', numeric, sumType);
  const Avg = object(`${T}Averages`, 'Averages of numeric columns.', numeric, avgType);
  const Min = object(`${T}Minimums`, 'Smallest values.', orderable, outType);
  const Max = object(`${T}Maximums`, 'Largest values.', orderable, outType);
  const Distinct = object(
    `${T}DistinctCounts`,
    'Numbers of distinct non-null values.',
    orderable,
    () => new GraphQLNonNull(GraphQLLong),
  );

  const Group = new GraphQLObjectType({
    name: `${T}Group`,
    description: `A group of ${d.name}’s rows and its measures: select the ones to compute.`,
    fields: {
      ...(Key === undefined ? {} : { key: { type: new GraphQLNonNull(Key) } }),
      bucket: {
        type: GraphQLString,
        description: 'Start of the time bucket: YYYY-MM-DD for dates, ISO-8601 for timestamps.',
      },
      count: { type: new GraphQLNonNull(GraphQLLong), description: 'Rows in the group.' },
      ...(Distinct === undefined ? {} : { countDistinct: { type: new GraphQLNonNull(Distinct) } }),
      ...(Sum === undefined ? {} : { sum: { type: new GraphQLNonNull(Sum) } }),
      ...(Avg === undefined ? {} : { avg: { type: new GraphQLNonNull(Avg) } }),
      ...(Min === undefined ? {} : { min: { type: new GraphQLNonNull(Min) } }),
      ...(Max === undefined ? {} : { max: { type: new GraphQLNonNull(Max) } }),
    },
  });

  const ColumnEnum = new GraphQLEnumType({
    name: `${T}Column`,
    values: Object.fromEntries(groupable.map((c) => [c.name, { value: c.name }])),
  });
  const TimeBucket =
    temporal.length === 0
      ? undefined
      : new GraphQLInputObjectType({
          name: `${T}TimeBucket`,
          fields: {
            column: {
              type: new GraphQLNonNull(
                new GraphQLEnumType({
                  name: `${T}TimeColumn`,
                  values: Object.fromEntries(temporal.map((c) => [c.name, { value: c.name }])),
                }),
              ),
            },
            unit: { type: new GraphQLNonNull(TimeBucketUnit) },
            timeZone: { type: GraphQLString, description: TIME_ZONE },
          },
        });
  const measureOrder = (name: string, cs: readonly ColumnInfo[]) =>
    cs.length === 0
      ? undefined
      : new GraphQLInputObjectType({
          name,
          fields: Object.fromEntries(cs.map((c) => [c.name, { type: OrderDirection }])),
        });
  const orderFields: GraphQLInputFieldConfigMap = {
    bucket: { type: OrderDirection },
    count: { type: OrderDirection },
  };
  for (const [field, type] of [
    ['key', measureOrder(`${T}KeyOrderBy`, groupable)],
    ['sum', measureOrder(`${T}SumsOrderBy`, numeric)],
    ['avg', measureOrder(`${T}AveragesOrderBy`, numeric)],
    ['min', measureOrder(`${T}MinimumsOrderBy`, orderable)],
    ['max', measureOrder(`${T}MaximumsOrderBy`, orderable)],
    ['countDistinct', measureOrder(`${T}DistinctCountsOrderBy`, orderable)],
  ] as const) {
    if (type !== undefined) orderFields[field] = { type };
  }
  const GroupOrderBy = new GraphQLInputObjectType({
    name: `${T}GroupOrderBy`,
    description: 'One key, bucket or measure per item: `{ count: desc }`, `{ sum: { revenue: desc } }`.',
    fields: orderFields,
  });

  return {
    type: list(Group),
    description: `Groups of ${d.name}, with the measures selected.`,
    extensions: { complexity: QUERY_FIELD_COST },
    args: {
      ...args,
      ...(groupable.length === 0 ? {} : { groupBy: { type: list(ColumnEnum) } }),
      ...(TimeBucket === undefined ? {} : { timeBucket: { type: TimeBucket } }),
      orderBy: { type: list(GroupOrderBy) },
      ...limitArgs,
    },
    resolve: async (
      _root,
      a: AggregateArgs & { cache: string },
      ctx: GraphQLContext,
      info: GraphQLResolveInfo,
    ) => {
      const measures: Measures = selectedMeasures(info);
      const spec = defaultLimit(aggregateSpec(a, measures), d, runner.limits.maxRows);
      const answer = await runner.run({
        dataset: d.name,
        spec: withRowLimit(spec, runner.limits.maxRows),
        tenant: ctx.tenant,
        principal: ctx.principal,
        bypassCache: a.cache === 'BYPASS',
        signal: ctx.signal,
      });
      return groupRows(complete(answer), a, measures);
    },
  };
}

/** The measures a request selects under a group field, through fragments too. */
function selectedMeasures(info: GraphQLResolveInfo): Measures {
  const measures: Record<string, Set<string>> = {};
  const visit = (
    selections: readonly import('graphql').SelectionNode[],
    into: (name: string, sub?: readonly import('graphql').SelectionNode[]) => void,
  ) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) into(s.name.value, s.selectionSet?.selections);
      else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet.selections, into);
      else {
        const fragment = info.fragments[s.name.value];
        if (fragment !== undefined) visit(fragment.selectionSet.selections, into);
      }
    }
  };
  for (const node of info.fieldNodes) {
    visit(node.selectionSet?.selections ?? [], (name, sub) => {
      const set = (measures[name] ??= new Set());
      if (sub !== undefined) visit(sub, (column) => set.add(column));
    });
  }
  return Object.fromEntries(
    Object.entries(measures).map(([k, v]) => [k, [...v].filter((c) => c !== '__typename')]),
  );
}

// ---------------------------------------------------------------------------------------------

/** The generic schema alone: what `schema.graphql` holds. */
export function genericSchema(options: SchemaOptions): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: genericFields(options) }),
    types: [...SCALARS, OrderDirection],
  });
}

/**
 * The schema the server runs: the generic part, and typed fields for each dataset whose
 * name and columns GraphQL can spell (the others are reachable through `query`).
 */
export function fullSchema(options: SchemaOptions, datasets: readonly DatasetDescription[]): GraphQLSchema {
  // Types are made per schema: schemas built side by side share nothing.
  const comparisons: Comparisons = new Map();
  const fields = genericFields(options);
  for (const description of datasets) {
    if (!isGraphQLName(description.name) || RESERVED_FIELDS.has(description.name)) continue;
    const columns = description.columns.filter(
      (c) => isGraphQLName(c.name) && !['_and', '_or', '_not'].includes(c.name),
    );
    if (columns.length === 0) continue;
    Object.assign(fields, typedFields({ description, columns }, options, comparisons));
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields }),
    types: [...SCALARS, OrderDirection],
  });
}

/** The text of `schema.graphql`: the generic part of every server's schema. */
export function genericSdl(): string {
  // Printing never calls a resolver.
  return `${printSchema(genericSchema({ queries: undefined as never, runner: undefined as never }))}\n`;
}
