import { create } from '@bufbuild/protobuf';
import {
  ExpressionSchema,
  Expression_SortOrderSchema,
  Expression_SortOrder_NullOrdering,
  Expression_SortOrder_SortDirection,
  type Expression,
  type Expression_SortOrder,
} from '../gen/spark/connect/expressions_pb.js';
import type { TypedValue } from '../query/scalar-types.js';
import { typedLiteralExpression } from './literals.js';

/**
 * A column by its exact name. The name is quoted, so dots, spaces or backticks in it are
 * never read as structure (field access, an expression).
 */
export function column(name: string): Expression {
  const quoted = `\`${name.replaceAll('`', '``')}\``;
  return create(ExpressionSchema, {
    exprType: { case: 'unresolvedAttribute', value: { unparsedIdentifier: quoted } },
  });
}

/** A call of one of Spark's built-in functions by name. */
export function call(functionName: string, args: readonly Expression[], isDistinct = false): Expression {
  return create(ExpressionSchema, {
    exprType: { case: 'unresolvedFunction', value: { functionName, arguments: [...args], isDistinct } },
  });
}

export function value(typed: TypedValue): Expression {
  return typedLiteralExpression(typed);
}

export function star(): Expression {
  return create(ExpressionSchema, { exprType: { case: 'unresolvedStar', value: {} } });
}

export function alias(expr: Expression, name: string): Expression {
  return create(ExpressionSchema, { exprType: { case: 'alias', value: { expr, name: [name] } } });
}

export function sortOrder(
  child: Expression,
  direction: 'asc' | 'desc',
  nulls?: 'first' | 'last',
): Expression_SortOrder {
  return create(Expression_SortOrderSchema, {
    child,
    direction:
      direction === 'asc'
        ? Expression_SortOrder_SortDirection.ASCENDING
        : Expression_SortOrder_SortDirection.DESCENDING,
    // Spark's defaults when not asked: nulls first ascending, last descending.
    nullOrdering:
      (nulls ?? (direction === 'asc' ? 'first' : 'last')) === 'first'
        ? Expression_SortOrder_NullOrdering.SORT_NULLS_FIRST
        : Expression_SortOrder_NullOrdering.SORT_NULLS_LAST,
  });
}
