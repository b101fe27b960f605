/** A typed field's `where` (`_and`, `_or`, `_not`, comparisons by column) as a QuerySpec filter. */
import { Errors } from '../../errors/catalogue.js';
import type { Filter, Scalar } from '../../query/spec.js';

/** A typed `where`: `_and`, `_or`, `_not`, and comparisons by column name. */
export interface Where {
  readonly [key: string]: unknown;
}

const COMPARISONS: Readonly<Record<string, 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'>> = {
  _eq: 'eq',
  _neq: 'ne',
  _lt: 'lt',
  _lte: 'lte',
  _gt: 'gt',
  _gte: 'gte',
};

function conditions(column: string, comparison: Record<string, unknown>): Filter[] {
  const out: Filter[] = [];
  for (const [op, value] of Object.entries(comparison)) {
    if (value == null) continue;
    const compare = COMPARISONS[op];
    if (compare !== undefined) out.push({ op: compare, column, value: value as Scalar });
    else if (op === '_in' || op === '_nin') {
      const values = value as Scalar[];
      if (values.length === 0) {
        throw new Errors.QueryInvalid(`where.${column}.${op} needs at least one value`);
      }
      out.push({ op: op === '_in' ? 'in' : 'not_in', column, values });
    } else if (op === '_like' || op === '_ilike') {
      out.push({ op: op === '_like' ? 'like' : 'ilike', column, pattern: value as string });
    } else if (op === '_is_null') out.push({ op: value === true ? 'is_null' : 'not_null', column });
  }
  return out;
}

function all(filters: Filter[]): Filter | undefined {
  return filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { op: 'and', filters };
}

/** A typed `where` as the QuerySpec filter it means: every condition holds. */
export function whereFilter(where: Where | null | undefined, path = 'where'): Filter | undefined {
  if (where == null) return undefined;
  const parts: Filter[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value == null) continue;
    if (key === '_and' || key === '_or') {
      const list = (value as Where[]).map((w, i) => whereFilter(w, `${path}.${key}[${i}]`));
      if (list.length === 0) throw new Errors.QueryInvalid(`${path}.${key} needs at least one condition`);
      // An empty condition holds for every row: it drops out of `_and` and makes `_or` hold.
      const filters = list.filter((f): f is Filter => f !== undefined);
      if (key === '_or' && filters.length < list.length) continue;
      if (filters.length > 0) parts.push({ op: key === '_and' ? 'and' : 'or', filters });
    } else if (key === '_not') {
      const inner = whereFilter(value as Where, `${path}._not`);
      if (inner === undefined) throw new Errors.QueryInvalid(`${path}._not needs a condition`);
      parts.push({ op: 'not', filter: inner });
    } else {
      parts.push(...conditions(key, value as Record<string, unknown>));
    }
  }
  return all(parts);
}
