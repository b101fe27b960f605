import type { Filter, OrderItem, QuerySpec, Scalar } from '../query/spec.js';
import { Errors, withExtras } from '../errors/catalogue.js';
import { COMPARISON_OPS, NULL_OPS, PATTERN_OPS, SET_OPS } from '../query/spec.js';

const KEY = /^(params|filter)\[([^\]]+)\](?:\[([a-z_]+)\])?$/;
const OPS = [...COMPARISON_OPS, ...SET_OPS, ...PATTERN_OPS, ...NULL_OPS] as const;

/**
 * The QuerySpec of `GET /v1/datasets/{name}/rows`: `select=a,b`, `orderBy=-a,b`, `limit`,
 * `offset`, `params[name]=value`, `filter[column]=value` and `filter[column][op]=value`.
 */
export function rowsQuerySpec(query: Readonly<Record<string, unknown>>): QuerySpec {
  // As entries, so that any name (`__proto__` too) is a parameter name and nothing else.
  const params: [string, Scalar][] = [];
  const filters: Filter[] = [];
  for (const [key, raw] of Object.entries(query)) {
    const match = KEY.exec(key);
    if (match === null) continue;
    const [, kind, name = '', op] = match;
    const value = String(raw);
    if (kind === 'params') {
      if (op !== undefined) throw invalid(key, `parameters take no operator: use params[${name}]=value`);
      params.push([name, value]);
      continue;
    }
    filters.push(filter(key, name, op ?? 'eq', value));
  }
  const list = (text: unknown) =>
    String(text)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const orderBy = query['orderBy'] === undefined ? undefined : list(query['orderBy']).map(order);
  const spec: QuerySpec = {
    ...(params.length > 0 ? { params: Object.fromEntries(params) } : {}),
    ...(query['select'] === undefined ? {} : { select: list(query['select']) }),
    ...(filters.length === 0
      ? {}
      : { where: filters.length === 1 ? (filters[0] as Filter) : { op: 'and', filters } }),
    ...(orderBy === undefined || orderBy.length === 0 ? {} : { orderBy }),
    ...(query['limit'] === undefined ? {} : { limit: Number(query['limit']) }),
    ...(query['offset'] === undefined ? {} : { offset: Number(query['offset']) }),
  };
  return spec;
}

function filter(key: string, column: string, op: string, value: string): Filter {
  switch (op) {
    case 'eq':
    case 'ne':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { op, column, value };
    case 'in':
    case 'not_in':
      return { op, column, values: value.split(',') };
    case 'like':
    case 'ilike':
      return { op, column, pattern: value };
    case 'is_null':
    case 'not_null':
      if (value !== 'true') throw invalid(key, `write ${key}=true`);
      return { op, column };
    default:
      throw withExtras(new Errors.RequestInvalid(`${key}: "${op}" is not an operator`), {
        pointer: `/${key}`,
        allowed: [...OPS],
      });
  }
}

function order(item: string): OrderItem {
  return item.startsWith('-') ? { column: item.slice(1), direction: 'desc' } : item;
}

function invalid(key: string, message: string): Error {
  return withExtras(new Errors.RequestInvalid(`${key}: ${message}`), { pointer: `/${key}` });
}
