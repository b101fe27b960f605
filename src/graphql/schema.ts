/**
 * The GraphQL schema, built from the datasets' descriptions alone: the generic fields every
 * server has (`schema.graphql` in the repository), and typed fields for each dataset whose name
 * and columns GraphQL can spell (the others are reachable through `query`). Nothing here runs
 * a query: resolvers find what answers them in the request's context.
 */
import { GraphQLObjectType, GraphQLSchema, printSchema, type GraphQLFieldConfigMap } from 'graphql';
import type { DatasetDescription } from '../service/query-service.js';
import type { GraphQLContext } from './context.js';
import { GENERIC_FIELDS, isGraphQLName } from './names.js';
import { SCALARS } from './scalars.js';
import { typedColumns } from './types/dataset-columns.js';
import { datasetFields } from './types/dataset-fields.js';
import { orderDirection } from './types/enums.js';
import { genericFields } from './types/generic-fields.js';
import { SchemaTypes } from './types/schema-types.js';

export interface SchemaOptions {
  /** Rows of one field's answer at most: the server's GraphQL row limit. */
  readonly maxRows: number;
}

function schemaOf(types: SchemaTypes, fields: GraphQLFieldConfigMap<unknown, GraphQLContext>) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields }),
    types: [...SCALARS, orderDirection(types)],
  });
}

/** The generic schema alone: what `schema.graphql` holds. */
export function genericSchema(options: SchemaOptions): GraphQLSchema {
  const types = new SchemaTypes();
  return schemaOf(types, genericFields(types, options.maxRows));
}

/** The schema the server runs: the generic fields, and the typed fields of the datasets given. */
export function fullSchema(options: SchemaOptions, datasets: readonly DatasetDescription[]): GraphQLSchema {
  const types = new SchemaTypes();
  const fields = genericFields(types, options.maxRows);
  for (const d of datasets) {
    if (!isGraphQLName(d.name) || GENERIC_FIELDS.has(d.name)) continue;
    const columns = typedColumns(d);
    if (columns.length === 0) continue;
    Object.assign(fields, datasetFields(types, d, columns, options.maxRows));
  }
  return schemaOf(types, fields);
}

/** The text of `schema.graphql`: the generic part of every server's schema. */
export function genericSdl(): string {
  // The generic fields' types do not depend on the row limit.
  return `${printSchema(genericSchema({ maxRows: 0 }))}\n`;
}
