/** The typed fields of one dataset: `<name>` for its rows and `<name>Aggregate` for its groups. */
import { GraphQLInt, type GraphQLFieldConfigMap } from 'graphql';
import type { ColumnInfo } from '../../query/columns.js';
import type { DatasetDescription } from '../../service/query-service.js';
import type { GraphQLContext } from '../context.js';
import { typeName } from '../names.js';
import { dataGroups, dataRows } from '../resolvers.js';
import { groupableColumns } from './dataset-columns.js';
import { cachePolicy } from './enums.js';
import { groupOrderByType, groupingArgs } from './group-inputs.js';
import { groupType } from './group-types.js';
import { orderByType, paramsArg, rowType, whereType } from './row-types.js';
import { QUERY_FIELD_COST, list, type SchemaTypes } from './schema-types.js';

export function datasetFields(
  types: SchemaTypes,
  d: DatasetDescription,
  columns: readonly ColumnInfo[],
  maxRows: number,
): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  const T = typeName(d.name);
  const groupable = groupableColumns(d, columns);
  const filterArgs = { ...paramsArg(d, T), where: { type: whereType(types, d, T, columns) } };
  const windowArgs = {
    limit: { type: GraphQLInt, description: `At most ${Math.min(d.maxLimit, maxRows)}.` },
    offset: { type: GraphQLInt },
    cache: { type: cachePolicy(types), defaultValue: 'USE' },
  };
  return {
    [d.name]: {
      type: list(rowType(d, T, columns)),
      description: d.description,
      extensions: { complexity: QUERY_FIELD_COST },
      args: { ...filterArgs, orderBy: { type: list(orderByType(types, T, columns)) }, ...windowArgs },
      resolve: dataRows(d, columns, maxRows),
    },
    [`${d.name}Aggregate`]: {
      type: list(groupType(d, T, columns, groupable)),
      description: `Groups of ${d.name}, with the measures selected.`,
      extensions: { complexity: QUERY_FIELD_COST },
      args: {
        ...filterArgs,
        ...groupingArgs(T, types, groupable),
        orderBy: { type: list(groupOrderByType(types, T, columns, groupable)) },
        ...windowArgs,
      },
      resolve: dataGroups(d, maxRows),
    },
  };
}
