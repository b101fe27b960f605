/** The object types of the generic fields: datasets with their parameters and columns, answers. */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
} from 'graphql';
import type { Answer, GraphQLContext } from '../context.js';
import { datasetColumns, type DatasetEntry } from '../resolvers.js';
import { GraphQLJSON } from '../scalars.js';
import { list, type SchemaTypes } from './schema-types.js';

const text = new GraphQLNonNull(GraphQLString);

const column = (types: SchemaTypes) =>
  types.once(
    'Column',
    (name) =>
      new GraphQLObjectType({
        name,
        description: 'A column, with the type Spark reports.',
        fields: {
          name: { type: text },
          type: { type: text, description: 'Spark’s type: bigint, decimal(12,2), …' },
          nullable: { type: GraphQLBoolean },
          description: { type: GraphQLString },
        },
      }),
  );

const parameter = (types: SchemaTypes) =>
  types.once(
    'Parameter',
    (name) =>
      new GraphQLObjectType({
        name,
        description: 'A parameter of a dataset.',
        fields: {
          name: { type: text },
          type: { type: text, description: 'long, decimal, date, timestamp, …' },
          required: { type: new GraphQLNonNull(GraphQLBoolean) },
          description: { type: GraphQLString },
          default: { type: GraphQLJSON, description: 'The value used when none is given.' },
        },
      }),
  );

export const datasetObject = (types: SchemaTypes) =>
  types.once(
    'Dataset',
    (name) =>
      new GraphQLObjectType<DatasetEntry, GraphQLContext>({
        name,
        description: 'A dataset the server offers.',
        fields: {
          name: { type: text },
          description: { type: text },
          parameters: {
            type: new GraphQLNonNull(list(parameter(types))),
            resolve: (d) => Object.entries(d.parameters).map(([name, p]) => ({ name, ...p })),
          },
          columns: {
            type: list(column(types)),
            description:
              'As Spark reports them; null, with an error at this field, while Spark cannot describe the dataset.',
            resolve: datasetColumns,
          },
          defaultLimit: { type: new GraphQLNonNull(GraphQLInt) },
          maxLimit: { type: new GraphQLNonNull(GraphQLInt) },
        },
      }),
  );

export const queryResultObject = (types: SchemaTypes) =>
  types.once(
    'QueryResult',
    (name) =>
      new GraphQLObjectType<Answer>({
        name,
        description: 'A whole answer, bounded by the server’s limits.',
        fields: {
          columns: { type: new GraphQLNonNull(list(column(types))) },
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
          cached: {
            type: new GraphQLNonNull(GraphQLBoolean),
            description: 'Answered from the result cache.',
          },
          cacheAgeMs: {
            type: GraphQLFloat,
            description: 'Age of a cached answer.',
            resolve: (a) => (a.cached ? a.ageMs : null),
          },
        },
      }),
  );
