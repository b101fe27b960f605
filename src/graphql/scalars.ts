import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLScalarType,
  GraphQLString,
  Kind,
  type ValueNode,
} from 'graphql';
import type { ScalarType } from '../query/scalar-types.js';
import { typeFamily } from '../query/columns.js';

/**
 * Scalars that carry Spark's values exactly, with the JSON value rules of every other output:
 * longs and decimals as strings, dates `YYYY-MM-DD`, timestamps ISO-8601 with an offset,
 * doubles as numbers except `"NaN"`, `"Infinity"` and `"-Infinity"`. Answers pass through as
 * the encoder wrote them; arguments are read as text or numbers and checked against the
 * column's type when the query is validated, with the same messages as over HTTP.
 */

function textScalar(name: string, description: string, acceptsNumbers: boolean): GraphQLScalarType {
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => value,
    parseValue: (value) => {
      if (typeof value === 'string') return value;
      if (acceptsNumbers && typeof value === 'number') return value;
      throw new GraphQLError(`${name} must be ${acceptsNumbers ? 'a string or a number' : 'a string'}`);
    },
    parseLiteral: (node) => {
      // Number literals stay text, so longs beyond 2^53 and decimals are exact.
      if (
        node.kind === Kind.STRING ||
        (acceptsNumbers && (node.kind === Kind.INT || node.kind === Kind.FLOAT))
      )
        return node.value;
      throw new GraphQLError(`${name} cannot be read from a ${node.kind.toLowerCase()} literal`, {
        nodes: node,
      });
    },
  });
}

export const GraphQLLong = textScalar(
  'Long',
  'A 64-bit integer. Answers are strings, exact beyond 2^53; arguments may be strings or integers.',
  true,
);
export const GraphQLDecimal = textScalar(
  'Decimal',
  'An exact decimal number. Answers are strings; arguments may be strings or numbers.',
  true,
);
export const GraphQLDate = textScalar('Date', 'A date, YYYY-MM-DD.', false);
export const GraphQLTimestamp = textScalar(
  'Timestamp',
  'An instant, ISO-8601 with an offset (answers in UTC, with Z).',
  false,
);
export const GraphQLDouble = new GraphQLScalarType({
  name: 'Double',
  description: 'A double-precision number; "NaN", "Infinity" and "-Infinity" as strings.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity')
      return value;
    throw new GraphQLError('Double must be a number, "NaN", "Infinity" or "-Infinity"');
  },
  parseLiteral: (node) => {
    if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
    if (node.kind === Kind.STRING && ['NaN', 'Infinity', '-Infinity'].includes(node.value)) return node.value;
    throw new GraphQLError('Double must be a number, "NaN", "Infinity" or "-Infinity"', { nodes: node });
  },
});

function jsonLiteral(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
      // Exact: an integer literal beyond 2^53 stays text.
      return Number.isSafeInteger(Number(node.value)) ? Number(node.value) : node.value;
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => jsonLiteral(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, jsonLiteral(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value: rows of the generic query, nested values, parameter maps.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: jsonLiteral,
});

export const SCALARS = [
  GraphQLLong,
  GraphQLDecimal,
  GraphQLDouble,
  GraphQLDate,
  GraphQLTimestamp,
  GraphQLJSON,
];

/** The scalar a Spark column type is answered as. */
export function scalarOfSparkType(type: string): GraphQLScalarType | 'Int' | 'Boolean' | 'String' {
  switch (typeFamily(type)) {
    case 'boolean':
      return 'Boolean';
    case 'integer':
      return 'Int';
    case 'long':
      return GraphQLLong;
    case 'fractional':
      return GraphQLDouble;
    case 'decimal':
      return GraphQLDecimal;
    case 'string':
    case 'binary':
    case 'time':
    case 'interval':
    case 'timestamp_ntz':
      return 'String';
    case 'date':
      return GraphQLDate;
    case 'timestamp':
      return GraphQLTimestamp;
    default:
      return GraphQLJSON;
  }
}

/** The scalar a dataset parameter is given as. */
export function scalarOfParameter(type: ScalarType): GraphQLScalarType | 'Int' | 'Boolean' | 'String' {
  switch (type) {
    case 'boolean':
      return 'Boolean';
    case 'byte':
    case 'short':
    case 'int':
      return 'Int';
    case 'long':
      return GraphQLLong;
    case 'float':
    case 'double':
      return GraphQLDouble;
    case 'decimal':
      return GraphQLDecimal;
    case 'date':
      return GraphQLDate;
    case 'timestamp':
      return GraphQLTimestamp;
    default:
      return 'String';
  }
}

/** A scalar named above as its GraphQL type, GraphQL's own included. */
export function scalarType(s: GraphQLScalarType | 'Int' | 'Boolean' | 'String'): GraphQLScalarType {
  return s === 'Int' ? GraphQLInt : s === 'Boolean' ? GraphQLBoolean : s === 'String' ? GraphQLString : s;
}
