import { takesValues } from './column-rules.js';
import type { TypeFamily } from './columns.js';
import { QueryError } from './errors.js';
import type { TypedValue } from './scalar-types.js';
import type { Scalar } from './spec.js';
import { checkValue } from './typed-values.js';
import { ValueError } from './value-error.js';

/**
 * A JSON value read as the type of the column (or parameter) it meets. Numbers and exact
 * strings are both accepted where they are unambiguous; the message of a refusal says what
 * form is expected.
 */
export function typedValue(value: Scalar, family: TypeFamily, type: string, pointer: string): TypedValue {
  if (value === null)
    throw new QueryError(pointer, `null is not a value here; use op "is_null" or "not_null"`);
  if (!takesValues(family))
    throw new QueryError(pointer, `columns of type ${type} cannot be compared with a value`);
  const typed = ((): TypedValue => {
    switch (family) {
      case 'boolean':
        // Query strings carry booleans as text.
        return {
          type: 'boolean',
          value: value === 'true' ? true : value === 'false' ? false : (value as boolean),
        };
      case 'integer':
        return { type: 'int', value: numberFrom(value, pointer, type) };
      case 'long':
        return { type: 'long', value: typeof value === 'number' ? value : (value as string) };
      case 'fractional':
        return { type: 'double', value: numberFrom(value, pointer, type) };
      case 'decimal':
        return {
          type: 'decimal',
          value: typeof value === 'number' ? decimalText(value, pointer) : (value as string),
        };
      case 'string':
        return { type: 'string', value: value as string };
      case 'binary':
        return { type: 'binary', value: base64(value, pointer) };
      case 'date':
        return { type: 'date', value: value as string };
      case 'timestamp':
        return { type: 'timestamp', value: value as string };
      case 'timestamp_ntz':
        return { type: 'timestamp_ntz', value: value as string };
      default:
        throw new QueryError(pointer, `columns of type ${type} cannot be compared with a value`);
    }
  })();
  try {
    checkValue(typed); // checks the value fits the type
  } catch (err) {
    if (err instanceof ValueError) throw new QueryError(pointer, `${err.message} (column type ${type})`);
    throw err;
  }
  return typed;
}

function numberFrom(value: Scalar, pointer: string, type: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw new QueryError(pointer, `expected a number for ${type}, got ${JSON.stringify(value)}`);
}

function decimalText(value: number, pointer: string): string {
  if (!Number.isFinite(value)) throw new QueryError(pointer, `expected a finite decimal, got ${value}`);
  const text = String(value);
  if (/e/i.test(text)) throw new QueryError(pointer, `give ${text} as a decimal string to keep it exact`);
  return text;
}

function base64(value: Scalar, pointer: string): Uint8Array {
  const bytes = base64Bytes(value);
  if (bytes === undefined) throw new QueryError(pointer, 'expected base64 text for a binary column');
  return bytes;
}

/** The bytes of standard base64 text (padded); undefined for anything else, which Node would half-read. */
export function base64Bytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    return undefined;
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}
