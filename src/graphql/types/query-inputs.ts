/** The input types of the generic `query` field: the HTTP QuerySpec's parts, spelled in GraphQL. */
import {
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
} from 'graphql';
import { AGGREGATE_FUNCTIONS } from '../../query/spec.js';
import { GraphQLJSON } from '../scalars.js';
import { nullsOrder, sortDirection, timeBucketUnit } from './enums.js';
import { TIME_ZONE, list, type SchemaTypes } from './schema-types.js';

const FILTER_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between', 'like', 'ilike']
  .concat(['is_null', 'not_null', 'and', 'or', 'not'])
  .map((op): [string, { value: string }] => [op, { value: op }]);

export const filterInput = (types: SchemaTypes): GraphQLInputObjectType =>
  types.once('FilterInput', (name) => {
    const FilterOp = types.once(
      'FilterOp',
      (opName) => new GraphQLEnumType({ name: opName, values: Object.fromEntries(FILTER_OPS) }),
    );
    const FilterInput: GraphQLInputObjectType = new GraphQLInputObjectType({
      name,
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
    return FilterInput;
  });

export const groupInput = (types: SchemaTypes) =>
  types.once(
    'GroupInput',
    (name) =>
      new GraphQLInputObjectType({
        name,
        description: 'A column to group by, or a time bucket of a date or timestamp column.',
        fields: {
          column: { type: new GraphQLNonNull(GraphQLString) },
          bucket: { type: timeBucketUnit(types) },
          timeZone: { type: GraphQLString, description: TIME_ZONE },
          as: { type: GraphQLString },
        },
      }),
  );

export const aggregateInput = (types: SchemaTypes) =>
  types.once('AggregateInput', (name) => {
    const AggregateFunction = types.once(
      'AggregateFunction',
      (fnName) =>
        new GraphQLEnumType({
          name: fnName,
          values: Object.fromEntries(AGGREGATE_FUNCTIONS.map((f) => [f, { value: f }])),
        }),
    );
    return new GraphQLInputObjectType({
      name,
      fields: {
        fn: { type: new GraphQLNonNull(AggregateFunction) },
        column: { type: GraphQLString, description: 'Required except for count.' },
        percentile: { type: GraphQLFloat, description: 'For approx_percentile: 0.5 is the median.' },
        as: { type: new GraphQLNonNull(GraphQLString) },
      },
    });
  });

export const orderInput = (types: SchemaTypes) =>
  types.once(
    'OrderInput',
    (name) =>
      new GraphQLInputObjectType({
        name,
        fields: {
          column: { type: new GraphQLNonNull(GraphQLString) },
          direction: { type: sortDirection(types) },
          nulls: { type: nullsOrder(types) },
        },
      }),
  );
