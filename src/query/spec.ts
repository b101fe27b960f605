import Type, { type Static } from 'typebox';

/**
 * The query a client sends for a dataset, as JSON Schema (TypeBox). These schemas validate
 * requests and are the source of `openapi.yaml`'s components. Filters are a union tagged by
 * `op`, so a validator reports the error of the one variant that applies.
 */

/** Limits on the shape of a query, so hostile documents are refused before any work. */
export const SPEC_LIMITS = {
  maxNameLength: 256,
  maxColumns: 256,
  maxInValues: 1_000,
  maxStringLength: 65_536,
  maxFilterDepth: 8,
  /** Conditions of `where` and `having` together (and, or and not are structure, not counted). */
  maxFilters: 200,
  /** Wildcards (`%`, `_`) in a LIKE pattern: Spark compiles patterns into Java regular expressions. */
  maxPatternWildcards: 100,
  /** Spark's LIMIT and OFFSET are 32-bit integers, and so is their sum. */
  maxRowIndex: 2_147_483_647,
} as const;

const Name = (description: string) =>
  Type.String({ minLength: 1, maxLength: SPEC_LIMITS.maxNameLength, description });

export const ColumnName = Name('A column of the dataset (or, after grouping, an output column).');

export const Scalar = Type.Union(
  [Type.String({ maxLength: SPEC_LIMITS.maxStringLength }), Type.Number(), Type.Boolean(), Type.Null()],
  {
    description:
      'A value, read as the type of the column it is compared with: long and decimal values may be ' +
      'given as strings to stay exact, dates as YYYY-MM-DD, timestamps as ISO-8601 with an offset.',
  },
);
export type Scalar = Static<typeof Scalar>;

export const COMPARISON_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
export const SET_OPS = ['in', 'not_in'] as const;
export const PATTERN_OPS = ['like', 'ilike'] as const;
export const NULL_OPS = ['is_null', 'not_null'] as const;
export const LOGICAL_OPS = ['and', 'or'] as const;

const strict = { additionalProperties: false } as const;
const filterRef = Type.Ref('Filter');

const variants = [
  Type.Object(
    { op: Type.Enum([...COMPARISON_OPS]), column: ColumnName, value: Scalar },
    {
      ...strict,
      title: 'Comparison',
      description: '`column <op> value`; `ne` keeps SQL semantics (nulls never match).',
    },
  ),
  Type.Object(
    {
      op: Type.Enum([...SET_OPS]),
      column: ColumnName,
      values: Type.Array(Scalar, { minItems: 1, maxItems: SPEC_LIMITS.maxInValues }),
    },
    { ...strict, title: 'SetMembership' },
  ),
  Type.Object(
    { op: Type.Enum(['between']), column: ColumnName, from: Scalar, to: Scalar },
    { ...strict, title: 'Between', description: '`from <= column <= to`.' },
  ),
  Type.Object(
    {
      op: Type.Enum([...PATTERN_OPS]),
      column: ColumnName,
      pattern: Type.String({ maxLength: SPEC_LIMITS.maxStringLength }),
    },
    {
      ...strict,
      title: 'Pattern',
      description:
        'SQL LIKE pattern: `%` any characters, `_` one character ' +
        `(at most ${SPEC_LIMITS.maxPatternWildcards} of them); ` +
        '`\\%`, `\\_` and `\\\\` are those characters (no other escape); `ilike` ignores case.',
    },
  ),
  Type.Object({ op: Type.Enum([...NULL_OPS]), column: ColumnName }, { ...strict, title: 'NullCheck' }),
  Type.Object(
    {
      op: Type.Enum([...LOGICAL_OPS]),
      filters: Type.Array(filterRef, { minItems: 1, maxItems: SPEC_LIMITS.maxFilters }),
    },
    { ...strict, title: 'AllOrAny' },
  ),
  Type.Object({ op: Type.Enum(['not']), filter: filterRef }, { ...strict, title: 'Not' }),
];

export type Filter =
  | { readonly op: (typeof COMPARISON_OPS)[number]; readonly column: string; readonly value: Scalar }
  | { readonly op: (typeof SET_OPS)[number]; readonly column: string; readonly values: readonly Scalar[] }
  | { readonly op: 'between'; readonly column: string; readonly from: Scalar; readonly to: Scalar }
  | { readonly op: (typeof PATTERN_OPS)[number]; readonly column: string; readonly pattern: string }
  | { readonly op: (typeof NULL_OPS)[number]; readonly column: string }
  | { readonly op: (typeof LOGICAL_OPS)[number]; readonly filters: readonly Filter[] }
  | { readonly op: 'not'; readonly filter: Filter };

/** A filter: a tree of conditions tagged by `op`. */
export const Filter = Type.Unsafe<Filter>({
  $id: 'Filter',
  title: 'Filter',
  type: 'object',
  required: ['op'],
  discriminator: { propertyName: 'op' },
  oneOf: variants,
});

export const TIME_BUCKETS = ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;

export const GroupItem = Type.Union([
  ColumnName,
  Type.Object(
    {
      column: ColumnName,
      bucket: Type.Optional(
        Type.Enum([...TIME_BUCKETS], {
          description: 'Truncates a date or timestamp to the start of its bucket.',
        }),
      ),
      timeZone: Type.Optional(
        Type.String({
          maxLength: 64,
          description:
            'Time zone of the buckets: a tz database region ID as Spark reads it (Europe/Paris; case ' +
            'matters), a short ID (EST) or an offset up to ±18:00 (+05:30); UTC by default. Timestamps ' +
            'only: dates and timestamp_ntz values have no time zone.',
        }),
      ),
      as: Type.Optional(Name('Output name; the column name by default.')),
    },
    strict,
  ),
]);
export type GroupItem = Static<typeof GroupItem>;

export const AGGREGATE_FUNCTIONS = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'approx_percentile',
] as const;

export const Aggregate = Type.Object(
  {
    fn: Type.Enum([...AGGREGATE_FUNCTIONS]),
    column: Type.Optional(
      Type.Union([ColumnName], {
        description: 'Required except for `count`, which counts rows when omitted.',
      }),
    ),
    percentile: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'For approx_percentile: 0.5 is the median.' }),
    ),
    as: Name('Output name.'),
  },
  strict,
);
export type Aggregate = Static<typeof Aggregate>;

export const SelectItem = Type.Union([
  ColumnName,
  Type.Object({ column: ColumnName, as: Type.Optional(Name('Output name.')) }, strict),
]);
export type SelectItem = Static<typeof SelectItem>;

export const OrderItem = Type.Union([
  ColumnName,
  Type.Object(
    {
      column: ColumnName,
      direction: Type.Optional(Type.Enum(['asc', 'desc'], { description: 'asc by default.' })),
      nulls: Type.Optional(
        Type.Enum(['first', 'last'], { description: 'Spark’s default: first for asc, last for desc.' }),
      ),
    },
    strict,
  ),
]);
export type OrderItem = Static<typeof OrderItem>;

export const QuerySpec = Type.Object(
  {
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: SPEC_LIMITS.maxNameLength }), Scalar, {
        description: 'Values of the dataset’s parameters.',
      }),
    ),
    select: Type.Optional(
      Type.Array(SelectItem, {
        minItems: 1,
        maxItems: SPEC_LIMITS.maxColumns,
        description: 'All columns by default.',
      }),
    ),
    where: Type.Optional(filterRef),
    groupBy: Type.Optional(Type.Array(GroupItem, { minItems: 1, maxItems: SPEC_LIMITS.maxColumns })),
    aggregates: Type.Optional(Type.Array(Aggregate, { minItems: 1, maxItems: SPEC_LIMITS.maxColumns })),
    having: Type.Optional(Type.Union([filterRef], { description: 'A filter on the grouped output.' })),
    orderBy: Type.Optional(Type.Array(OrderItem, { minItems: 1, maxItems: SPEC_LIMITS.maxColumns })),
    limit: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: SPEC_LIMITS.maxRowIndex,
        description: 'At most the dataset’s maximum; its default when absent.',
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: SPEC_LIMITS.maxRowIndex,
        description: `Rows to skip; limit + offset is at most ${SPEC_LIMITS.maxRowIndex}.`,
      }),
    ),
  },
  { ...strict, $id: 'QuerySpec', title: 'QuerySpec', description: 'A query over one dataset.' },
);
export type QuerySpec = Omit<Static<typeof QuerySpec>, 'where' | 'having'> & {
  readonly where?: Filter;
  readonly having?: Filter;
};
