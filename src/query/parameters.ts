/** The values of a dataset's declared parameters, bound from a request. */
import { typeFamily } from './columns.js';
import { QueryError } from './errors.js';
import { compareValues } from './order.js';
import type { ScalarType, TypedValue } from './scalar-types.js';
import type { Scalar } from './spec.js';
import type { ParameterDefinition } from './validated-query.js';
import { typedValue } from './values.js';

/** Binds request values to a dataset's parameters: defaults, required ones, allowed values, bounds. */
export function validateParams(
  given: Readonly<Record<string, Scalar>>,
  declared: Readonly<Record<string, ParameterDefinition>>,
): Record<string, TypedValue> {
  const names = Object.keys(declared);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      throw new QueryError(`/params/${name}`, `dataset has no parameter "${name}"`, names);
    }
  }
  const params: Record<string, TypedValue> = {};
  for (const [name, def] of Object.entries(declared)) {
    const pointer = `/params/${name}`;
    const value = (Object.hasOwn(given, name) ? given[name] : undefined) ?? def.default;
    if (value === undefined || value === null) {
      if (def.required) throw new QueryError(pointer, `parameter "${name}" (${def.type}) is required`);
      params[name] = { type: 'null', of: def.type };
      continue;
    }
    if (def.allowed !== undefined && !def.allowed.some((a) => a === value)) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is not allowed`,
        def.allowed.map((a) => JSON.stringify(a)),
      );
    }
    const typed = parameterValue(value, def.type, pointer);
    const bound = (b: Scalar) => parameterValue(b, def.type, pointer);
    if (def.min !== undefined && def.min !== null && compareValues(typed, bound(def.min)) < 0) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is less than the minimum ${JSON.stringify(def.min)}`,
      );
    }
    if (def.max !== undefined && def.max !== null && compareValues(typed, bound(def.max)) > 0) {
      throw new QueryError(
        pointer,
        `${JSON.stringify(value)} is more than the maximum ${JSON.stringify(def.max)}`,
      );
    }
    params[name] = typed;
  }
  return params;
}

function scalarTypeName(type: ScalarType): string {
  const names: Partial<Record<ScalarType, string>> = {
    byte: 'tinyint',
    short: 'smallint',
    long: 'bigint',
    decimal: 'decimal(38,18)',
  };
  return names[type] ?? type;
}

/** A parameter's value (or a bound of it) as the type it is declared with. */
function parameterValue(value: Scalar, type: ScalarType, pointer: string): TypedValue {
  return typedValue(value, typeFamily(scalarTypeName(type)), type, pointer);
}
