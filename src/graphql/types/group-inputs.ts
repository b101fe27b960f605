/** The arguments of a dataset's aggregate field: what to group by, time buckets, group order. */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import { bucketTakesTimeZone, bucketUnits } from '../../query/column-rules.js';
import { typeFamily, type ColumnInfo, type TypeFamily } from '../../query/columns.js';
import { TIME_BUCKETS } from '../../query/spec.js';
import { BUCKET_ARGS } from '../specs/typed-groups.js';
import { aggregableColumns, bucketableColumns, sortableColumns } from './dataset-columns.js';
import { orderDirection, timeBucketUnit } from './enums.js';
import { MEASURES } from './measures.js';
import { TIME_ZONE, list, type SchemaTypes } from './schema-types.js';

const columnEnum = (name: string, columns: readonly ColumnInfo[]) =>
  new GraphQLEnumType({ name, values: Object.fromEntries(columns.map((c) => [c.name, { value: c.name }])) });

/** The bucket argument of each family of column that has buckets, and what its types are called. */
const BUCKETS: readonly {
  family: TypeFamily;
  arg: (typeof BUCKET_ARGS)[number];
  kind: string;
  of: string;
}[] = [
  { family: 'timestamp', arg: 'timeBucket', kind: 'Time', of: 'a timestamp column, in a time zone' },
  {
    family: 'timestamp_ntz',
    arg: 'localTimeBucket',
    kind: 'LocalTime',
    of: 'a timestamp_ntz (wall-clock) column',
  },
  { family: 'date', arg: 'dateBucket', kind: 'Date', of: 'a date column' },
];

/** The units of a bucket: all of them shared as `TimeBucketUnit`, fewer (a date's) as `<Kind>BucketUnit`. */
function unitEnum(types: SchemaTypes, kind: string, units: readonly string[]) {
  if (units.length === TIME_BUCKETS.length) return timeBucketUnit(types);
  return types.once(
    `${kind}BucketUnit`,
    (name) => new GraphQLEnumType({ name, values: Object.fromEntries(units.map((u) => [u, { value: u }])) }),
  );
}

/**
 * `groupBy: [<T>Column!]`, and a bucket argument for each family of groupable column that has
 * buckets (`timeBucket`, `localTimeBucket`, `dateBucket`), with the units and the time zone
 * the column rules allow it.
 */
export function groupingArgs(T: string, types: SchemaTypes, groupable: readonly ColumnInfo[]) {
  const args: Record<string, { type: GraphQLInputObjectType; description: string }> = {};
  const bucketable = bucketableColumns(groupable);
  for (const { family, arg, kind, of } of BUCKETS) {
    const columns = bucketable.filter((c) => typeFamily(c.type) === family);
    if (columns.length === 0) continue;
    const fields: GraphQLInputFieldConfigMap = {
      column: { type: new GraphQLNonNull(columnEnum(`${T}${kind}Column`, columns)) },
      unit: { type: new GraphQLNonNull(unitEnum(types, kind, bucketUnits(family))) },
    };
    if (bucketTakesTimeZone(family)) fields['timeZone'] = { type: GraphQLString, description: TIME_ZONE };
    args[arg] = {
      type: new GraphQLInputObjectType({ name: `${T}${kind}Bucket`, fields }),
      description: `Groups by the start of a period of ${of}; one bucket per query.`,
    };
  }
  return {
    ...(groupable.length === 0 ? {} : { groupBy: { type: list(columnEnum(`${T}Column`, groupable)) } }),
    ...args,
  };
}

/** `<T>GroupOrderBy`: one key, the bucket, the count or one measure of one column per item. */
export function groupOrderByType(
  types: SchemaTypes,
  T: string,
  columns: readonly ColumnInfo[],
  groupable: readonly ColumnInfo[],
): GraphQLInputObjectType {
  const direction = orderDirection(types);
  const byColumn = (name: string, cs: readonly ColumnInfo[]) =>
    cs.length === 0
      ? undefined
      : new GraphQLInputObjectType({
          name,
          fields: Object.fromEntries(cs.map((c) => [c.name, { type: direction }])),
        });
  const fields: GraphQLInputFieldConfigMap = { bucket: { type: direction }, count: { type: direction } };
  for (const [field, type] of [
    // Groups are sorted by the keys that sort: a void column groups, but has no order.
    ['key', byColumn(`${T}KeyOrderBy`, sortableColumns(groupable))],
    ...MEASURES.map(
      (m) => [m.field, byColumn(`${T}${m.name}OrderBy`, aggregableColumns(m.fn, columns))] as const,
    ),
  ] as const) {
    if (type !== undefined) fields[field] = { type };
  }
  return new GraphQLInputObjectType({
    name: `${T}GroupOrderBy`,
    description: 'One key, bucket or measure per item: `{ count: desc }`, `{ sum: { revenue: desc } }`.',
    fields,
  });
}
