/** The generic fields, the same on every server: `datasets`, `dataset(name)` and `query`. */
import { GraphQLInt, GraphQLNonNull, GraphQLString, type GraphQLFieldConfigMap } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { findDataset, listDatasets, runQuery } from '../resolvers.js';
import { GraphQLJSON } from '../scalars.js';
import { datasetObject, queryResultObject } from './catalogue-objects.js';
import { cachePolicy } from './enums.js';
import { aggregateInput, filterInput, groupInput, orderInput } from './query-inputs.js';
import { QUERY_FIELD_COST, list, type SchemaTypes } from './schema-types.js';

export function genericFields(
  types: SchemaTypes,
  maxRows: number,
): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    datasets: {
      type: new GraphQLNonNull(list(datasetObject(types))),
      description: 'Every dataset you may use; Spark is asked for columns only when they are selected.',
      resolve: listDatasets,
    },
    dataset: {
      type: datasetObject(types),
      args: { name: { type: new GraphQLNonNull(GraphQLString) } },
      description: 'A dataset by name (null when there is none); FORBIDDEN when it is not yours to use.',
      resolve: findDataset,
    },
    query: {
      type: queryResultObject(types),
      description: 'Any query of a dataset, as the HTTP QuerySpec says it.',
      extensions: { complexity: QUERY_FIELD_COST },
      args: {
        dataset: { type: new GraphQLNonNull(GraphQLString) },
        params: { type: GraphQLJSON, description: 'Values of the dataset’s parameters, by name.' },
        select: { type: list(GraphQLString) },
        where: { type: filterInput(types) },
        groupBy: { type: list(groupInput(types)) },
        aggregates: { type: list(aggregateInput(types)) },
        having: { type: filterInput(types) },
        orderBy: { type: list(orderInput(types)) },
        limit: { type: GraphQLInt },
        offset: { type: GraphQLInt },
        cache: { type: cachePolicy(types), defaultValue: 'USE' },
      },
      resolve: runQuery(maxRows),
    },
  };
}
