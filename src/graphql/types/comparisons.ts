/** The comparison input types of a typed `where`, one per kind of column, shared by datasets. */
import {
  GraphQLBoolean,
  GraphQLInputObjectType,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
} from 'graphql';
import { filterOps, type ColumnFilterOp } from '../../query/column-rules.js';
import { typeFamily, type ColumnInfo } from '../../query/columns.js';
import { valueType } from './dataset-columns.js';
import { list, type SchemaTypes } from './schema-types.js';

/** The typed field of each op (`between` is `_gte` with `_lte`), and what it takes. */
const FIELDS: readonly (readonly [ColumnFilterOp, string, 'value' | 'values' | 'text' | 'flag'])[] = [
  ['eq', '_eq', 'value'],
  ['ne', '_neq', 'value'],
  ['gt', '_gt', 'value'],
  ['gte', '_gte', 'value'],
  ['lt', '_lt', 'value'],
  ['lte', '_lte', 'value'],
  ['in', '_in', 'values'],
  ['not_in', '_nin', 'values'],
  ['like', '_like', 'text'],
  ['ilike', '_ilike', 'text'],
  ['is_null', '_is_null', 'flag'],
];

/** Columns answered as strings without being text get comparisons of their own (no LIKE). */
const NOT_TEXT: Readonly<Record<string, string>> = {
  binary: 'Binary',
  timestamp_ntz: 'LocalTimestamp',
};

/**
 * The comparisons of a column: `{ _eq, _neq, _gt, … _is_null }`, as far as the column rules let
 * its type be compared. A column compared with no value (an interval, an array…) has `_is_null`
 * alone, in the shared `NullComparison`.
 */
export function comparison(types: SchemaTypes, c: ColumnInfo): GraphQLInputObjectType {
  const family = typeFamily(c.type);
  const ops = new Set(filterOps(family));
  const scalar = valueType(c);
  const withValues = ops.has('eq');
  const name = withValues ? `${NOT_TEXT[family] ?? scalar.name}Comparison` : 'NullComparison';
  const typeOf: Record<string, GraphQLInputType> = {
    value: scalar,
    values: list(scalar),
    text: GraphQLString,
    flag: GraphQLBoolean,
  };
  return types.once(name, () => {
    const fields: GraphQLInputFieldConfigMap = {};
    for (const [op, field, takes] of FIELDS) {
      if (ops.has(op)) fields[field] = { type: typeOf[takes] as GraphQLInputType };
    }
    return new GraphQLInputObjectType({
      name,
      description: withValues
        ? `Conditions on a ${scalar.name} column; several hold together.`
        : 'Conditions on a column that is compared with no value: whether it is null.',
      fields,
    });
  });
}
