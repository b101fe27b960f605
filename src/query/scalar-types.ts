/**
 * The scalar types a value can be bound as in a query or SQL parameter, and the typed value
 * that carries one: the value vocabulary shared by validation, the front doors and the plan
 * compiler.
 */

/** The Spark scalar types a value can be bound as. */
export const SCALAR_TYPES = [
  'boolean',
  'byte',
  'short',
  'int',
  'long',
  'float',
  'double',
  'decimal',
  'string',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/**
 * A value with the Spark type it is bound as. Types JSON cannot carry exactly travel as
 * strings: `long` (or a bigint), `decimal`, `date` (`YYYY-MM-DD`), `timestamp` (ISO-8601 with
 * an offset) and `timestamp_ntz` (ISO-8601 without one).
 */
export type TypedValue =
  | { readonly type: 'null'; readonly of?: ScalarType }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'byte' | 'short' | 'int' | 'float' | 'double'; readonly value: number }
  | { readonly type: 'long'; readonly value: bigint | string | number }
  | { readonly type: 'decimal'; readonly value: string; readonly precision?: number; readonly scale?: number }
  | { readonly type: 'string' | 'date' | 'timestamp' | 'timestamp_ntz'; readonly value: string }
  | { readonly type: 'binary'; readonly value: Uint8Array };
