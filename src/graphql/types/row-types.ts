/** The types of a dataset's rows field: its row, its `where`, its `orderBy` and its parameters. */
import {
  GraphQLInputObjectType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLInputFieldConfigMap,
} from 'graphql';
import type { ColumnInfo } from '../../query/columns.js';
import type { DatasetDescription } from '../../service/query-service.js';
import { isGraphQLName } from '../names.js';
import { scalarOfParameter, scalarType } from '../scalars.js';
import { filterableColumns, sortableColumns, valueType } from './dataset-columns.js';
import { comparison } from './comparisons.js';
import { orderDirection } from './enums.js';
import { list, type SchemaTypes } from './schema-types.js';

/** `<T>Row`: one field per column, described as the dataset describes it. */
export function rowType(d: DatasetDescription, T: string, columns: readonly ColumnInfo[]) {
  return new GraphQLObjectType({
    name: `${T}Row`,
    description: `A row of ${d.name}.`,
    fields: Object.fromEntries(
      columns.map((c) => [
        c.name,
        { type: valueType(c), description: d.columns.find((x) => x.name === c.name)?.description },
      ]),
    ),
  });
}

/** `<T>Where`: `_and`, `_or`, `_not`, and a comparison per filterable column. */
export function whereType(
  types: SchemaTypes,
  d: DatasetDescription,
  T: string,
  columns: readonly ColumnInfo[],
): GraphQLInputObjectType {
  const filterable = filterableColumns(d, columns);
  const Where: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: `${T}Where`,
    description: `Conditions on ${d.name}: all must hold.`,
    fields: (): GraphQLInputFieldConfigMap => ({
      _and: { type: list(Where) },
      _or: { type: list(Where) },
      _not: { type: Where },
      ...Object.fromEntries(filterable.map((c) => [c.name, { type: comparison(types, c) }])),
    }),
  });
  return Where;
}

/** `<T>OrderBy`: a direction per column rows can be sorted by. */
export function orderByType(types: SchemaTypes, T: string, columns: readonly ColumnInfo[]) {
  return new GraphQLInputObjectType({
    name: `${T}OrderBy`,
    description: 'One column per item; earlier items order first.',
    fields: Object.fromEntries(
      sortableColumns(columns).map((c) => [c.name, { type: orderDirection(types) }]),
    ),
  });
}

/** The `params` argument (`<T>Params`), required when a parameter is; none without parameters. */
export function paramsArg(d: DatasetDescription, T: string) {
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
