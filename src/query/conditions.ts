/** Filters (where, having) checked against the columns they name, with their values typed. */
import { filterOpNeed, isFilterable } from './column-rules.js';
import type { Resolver } from './column-resolver.js';
import { typeFamily, type ColumnInfo, type TypeFamily } from './columns.js';
import { QueryError } from './errors.js';
import { checkPattern } from './shape.js';
import { SPEC_LIMITS, type Filter, type Scalar } from './spec.js';
import type { Condition } from './validated-query.js';
import { typedValue } from './values.js';

/** A filter as a condition; {@link checkShape} has bounded its size and depth. */
export function condition(
  filter: Filter,
  pointer: string,
  columns: Resolver,
  allowedColumns: readonly string[] | undefined,
): Condition {
  switch (filter.op) {
    case 'and':
    case 'or':
      return {
        op: filter.op,
        conditions: filter.filters.map((f, k) =>
          condition(f, `${pointer}/filters/${k}`, columns, allowedColumns),
        ),
      };
    case 'not':
      return { op: 'not', condition: condition(filter.filter, `${pointer}/filter`, columns, allowedColumns) };
    default:
      break;
  }
  const column = columns.get(filter.column, `${pointer}/column`);
  if (allowedColumns !== undefined && !isFilterable(column.name, allowedColumns)) {
    throw new QueryError(
      `${pointer}/column`,
      `column "${column.name}" cannot be filtered on`,
      allowedColumns,
    );
  }
  const family = typeFamily(column.type);
  const need = filterOpNeed(filter.op);
  if (need !== undefined) {
    requireFamily(family, need.test, `${pointer}/op`, `"${filter.op}" needs ${need.needs}`, column);
  }
  const value = (v: Scalar, p: string) => typedValue(v, family, column.type, p);
  switch (filter.op) {
    case 'eq':
    case 'ne':
      return { op: filter.op, column: column.name, value: value(filter.value, `${pointer}/value`) };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { op: filter.op, column: column.name, value: value(filter.value, `${pointer}/value`) };
    case 'in':
    case 'not_in':
      if (filter.values.length === 0 || filter.values.length > SPEC_LIMITS.maxInValues) {
        throw new QueryError(
          `${pointer}/values`,
          `"${filter.op}" takes 1 to ${SPEC_LIMITS.maxInValues} values, not ${filter.values.length}`,
        );
      }
      return {
        op: filter.op,
        column: column.name,
        values: filter.values.map((v, k) => value(v, `${pointer}/values/${k}`)),
      };
    case 'between':
      return {
        op: 'between',
        column: column.name,
        from: value(filter.from, `${pointer}/from`),
        to: value(filter.to, `${pointer}/to`),
      };
    case 'like':
    case 'ilike':
      checkPattern(filter.pattern, `${pointer}/pattern`);
      return { op: filter.op, column: column.name, pattern: filter.pattern };
    case 'is_null':
    case 'not_null':
      return { op: filter.op, column: column.name };
  }
}

export function requireFamily(
  family: TypeFamily,
  test: (f: TypeFamily) => boolean,
  pointer: string,
  message: string,
  column: ColumnInfo,
): void {
  if (!test(family)) throw new QueryError(pointer, `${message}; "${column.name}" is ${column.type}`);
}
