/** The comparison input types of a typed `where`, one per kind of column, shared by datasets. */
import { GraphQLBoolean, GraphQLInputObjectType, GraphQLString } from 'graphql';
import type { ColumnInfo } from '../../query/columns.js';
import { comparisonRule } from './column-rules.js';
import { list, type SchemaTypes } from './schema-types.js';

/** `{ _eq, _neq, _gt, _gte, _lt, _lte, _in, _nin, _is_null }`, and `_like`/`_ilike` for text. */
export function comparison(types: SchemaTypes, c: ColumnInfo): GraphQLInputObjectType {
  const { name, scalar, ordered, text } = comparisonRule(c);
  return types.once(
    name,
    () =>
      new GraphQLInputObjectType({
        name,
        description: `Conditions on a ${scalar.name} column; several hold together.`,
        fields: {
          _eq: { type: scalar },
          _neq: { type: scalar },
          ...(ordered
            ? { _gt: { type: scalar }, _gte: { type: scalar }, _lt: { type: scalar }, _lte: { type: scalar } }
            : {}),
          _in: { type: list(scalar) },
          _nin: { type: list(scalar) },
          ...(text ? { _like: { type: GraphQLString }, _ilike: { type: GraphQLString } } : {}),
          _is_null: { type: GraphQLBoolean },
        },
      }),
  );
}
