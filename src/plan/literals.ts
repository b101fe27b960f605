/**
 * Typed values as Spark Connect protobuf: literals, literal expressions and data types. The
 * values are checked by the query vocabulary ({@link checkValue}); this module only encodes.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ExpressionSchema,
  Expression_LiteralSchema,
  type Expression,
  type Expression_Literal,
} from '../gen/spark/connect/expressions_pb.js';
import { DataTypeSchema, type DataType } from '../gen/spark/connect/types_pb.js';
import type { ScalarType, TypedValue } from '../query/scalar-types.js';
import { checkDecimal, checkValue } from '../query/typed-values.js';

type LiteralInit = NonNullable<MessageInitShape<typeof Expression_LiteralSchema>['literalType']>;

/** A Spark literal for a typed value; throws a ValueError if the value does not fit its type. */
export function literal(value: TypedValue): Expression_Literal {
  return create(Expression_LiteralSchema, { literalType: literalType(value) });
}

/** A literal expression. SQL arguments must be plain literals like this one. */
export function literalExpression(value: TypedValue): Expression {
  return create(ExpressionSchema, { exprType: { case: 'literal', value: literal(value) } });
}

/**
 * A literal expression of exactly the declared type, for plans: Spark types a decimal literal
 * by its digits (1.5 is decimal(2,1) whatever precision is asked), so one with an explicit
 * precision or scale is cast to it.
 */
export function typedLiteralExpression(value: TypedValue): Expression {
  const expr = literalExpression(value);
  if (value.type !== 'decimal' || (value.precision === undefined && value.scale === undefined)) return expr;
  const { precision, scale } = checkDecimal(value.value, value.precision, value.scale);
  return create(ExpressionSchema, {
    exprType: {
      case: 'cast',
      value: {
        expr,
        castToType: { case: 'type', value: { kind: { case: 'decimal', value: { precision, scale } } } },
      },
    },
  });
}

function literalType(value: TypedValue): LiteralInit {
  const v = checkValue(value);
  switch (v.type) {
    case 'null':
      return {
        case: 'null',
        value: v.of === undefined ? { kind: { case: 'null', value: {} } } : dataType(v.of),
      };
    case 'boolean':
      return { case: 'boolean', value: v.value };
    case 'byte':
    case 'short':
    case 'float':
    case 'double':
      return { case: v.type, value: v.value };
    case 'int':
      return { case: 'integer', value: v.value };
    case 'long':
      return { case: 'long', value: v.value };
    case 'decimal':
      return { case: 'decimal', value: { ...v.value } };
    case 'string':
      return { case: 'string', value: v.value };
    case 'binary':
      return { case: 'binary', value: v.value };
    case 'date':
      return { case: 'date', value: v.value };
    case 'timestamp':
      return { case: 'timestamp', value: v.value };
    case 'timestamp_ntz':
      return { case: 'timestampNtz', value: v.value };
  }
}

/** The Spark data type of a scalar type (decimals default to Spark's decimal(10,0)). */
export function dataType(type: ScalarType): DataType {
  const kind = ((): NonNullable<MessageInitShape<typeof DataTypeSchema>['kind']> => {
    switch (type) {
      case 'int':
        return { case: 'integer', value: {} };
      case 'timestamp_ntz':
        return { case: 'timestampNtz', value: {} };
      case 'decimal':
        return { case: 'decimal', value: { precision: 10, scale: 0 } };
      default:
        return { case: type, value: {} };
    }
  })();
  return create(DataTypeSchema, { kind });
}
