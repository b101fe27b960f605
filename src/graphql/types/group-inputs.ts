/** The arguments of a dataset's aggregate field: what to group by, time buckets, group order. */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import type { ColumnInfo } from '../../query/columns.js';
import { numericColumns, orderableColumns, temporalColumns } from './column-rules.js';
import { orderDirection, timeBucketUnit } from './enums.js';
import { TIME_ZONE, list, type SchemaTypes } from './schema-types.js';

const columnEnum = (name: string, columns: readonly ColumnInfo[]) =>
  new GraphQLEnumType({ name, values: Object.fromEntries(columns.map((c) => [c.name, { value: c.name }])) });

/** `groupBy: [<T>Column!]` and `timeBucket: <T>TimeBucket`, where the columns allow them. */
export function groupingArgs(
  types: SchemaTypes,
  T: string,
  columns: readonly ColumnInfo[],
  groupable: readonly ColumnInfo[],
) {
  const temporal = temporalColumns(columns);
  const TimeBucket =
    temporal.length === 0
      ? undefined
      : new GraphQLInputObjectType({
          name: `${T}TimeBucket`,
          fields: {
            column: { type: new GraphQLNonNull(columnEnum(`${T}TimeColumn`, temporal)) },
            unit: { type: new GraphQLNonNull(timeBucketUnit(types)) },
            timeZone: { type: GraphQLString, description: TIME_ZONE },
          },
        });
  return {
    ...(groupable.length === 0 ? {} : { groupBy: { type: list(columnEnum(`${T}Column`, groupable)) } }),
    ...(TimeBucket === undefined ? {} : { timeBucket: { type: TimeBucket } }),
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
  const numeric = numericColumns(columns);
  const orderable = orderableColumns(columns);
  const byColumn = (name: string, cs: readonly ColumnInfo[]) =>
    cs.length === 0
      ? undefined
      : new GraphQLInputObjectType({
          name,
          fields: Object.fromEntries(cs.map((c) => [c.name, { type: direction }])),
        });
  const fields: GraphQLInputFieldConfigMap = { bucket: { type: direction }, count: { type: direction } };
  for (const [field, type] of [
    ['key', byColumn(`${T}KeyOrderBy`, groupable)],
    ['sum', byColumn(`${T}SumsOrderBy`, numeric)],
    ['avg', byColumn(`${T}AveragesOrderBy`, numeric)],
    ['min', byColumn(`${T}MinimumsOrderBy`, orderable)],
    ['max', byColumn(`${T}MaximumsOrderBy`, orderable)],
    ['countDistinct', byColumn(`${T}DistinctCountsOrderBy`, orderable)],
  ] as const) {
    if (type !== undefined) fields[field] = { type };
  }
  return new GraphQLInputObjectType({
    name: `${T}GroupOrderBy`,
    description: 'One key, bucket or measure per item: `{ count: desc }`, `{ sum: { revenue: desc } }`.',
    fields,
  });
}
