/** The object types of a dataset's aggregate field: a group, its key and its measures. */
import {
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { ColumnInfo } from '../../query/columns.js';
import type { DatasetDescription } from '../../service/query-service.js';
import { GraphQLLong } from '../scalars.js';
import { aggregableColumns, aggregateType, valueType } from './dataset-columns.js';
import { MEASURES } from './measures.js';

/** An object with a field per column, or none without columns. */
function perColumn(
  name: string,
  description: string,
  columns: readonly ColumnInfo[],
  type: (c: ColumnInfo) => GraphQLOutputType,
): GraphQLObjectType | undefined {
  if (columns.length === 0) return undefined;
  return new GraphQLObjectType({
    name,
    description,
    fields: Object.fromEntries(columns.map((c) => [c.name, { type: type(c) }])),
  });
}

/** A field of type `T!` named `name`, or none when there is no `T`. */
const required = (name: string, type: GraphQLObjectType | undefined) =>
  type === undefined ? {} : { [name]: { type: new GraphQLNonNull(type) } };

/** `<T>Group`: the key, the bucket, the count, and the measures a request may select. */
export function groupType(
  d: DatasetDescription,
  T: string,
  columns: readonly ColumnInfo[],
  groupable: readonly ColumnInfo[],
): GraphQLObjectType {
  const Key = perColumn(
    `${T}Key`,
    'The values of the grouped columns (null for those not grouped by).',
    groupable,
    valueType,
  );
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {
    ...required('key', Key),
    bucket: {
      type: GraphQLString,
      description: 'Start of the time bucket: YYYY-MM-DD for dates, ISO-8601 for timestamps.',
    },
    count: { type: new GraphQLNonNull(GraphQLLong), description: 'Rows in the group.' },
  };
  for (const { field, fn, name, description } of MEASURES) {
    Object.assign(
      fields,
      required(
        field,
        perColumn(`${T}${name}`, description, aggregableColumns(fn, columns), (c) => aggregateType(fn, c)),
      ),
    );
  }
  return new GraphQLObjectType({
    name: `${T}Group`,
    description: `A group of ${d.name}’s rows and its measures: select the ones to compute.`,
    fields,
  });
}
