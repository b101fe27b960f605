import type { ColumnInfo } from '../../src/query/columns.js';
import { typeFamily } from '../../src/query/columns.js';
import type { Filter, QuerySpec, Scalar } from '../../src/query/spec.js';

/**
 * The SQL a person would write for a QuerySpec, to check the compiled plan against Spark's
 * own answer. Written independently of the compiler: comparisons as SQL operators, time
 * buckets in the session's time zone (the caller sets it), literals as typed SQL literals.
 * Only for values the tests generate (no quotes or backslashes in strings).
 */
export function referenceSql(
  spec: QuerySpec,
  table: string,
  columns: readonly ColumnInfo[],
): { sql: string; timeZone: string } {
  const type = (name: string) => {
    const c = columns.find((col) => col.name.toLowerCase() === name.toLowerCase());
    if (c === undefined) throw new Error(`no column ${name}`);
    return c.type;
  };
  const id = (name: string) => `\`${name.replaceAll('`', '``')}\``;
  let timeZone = 'UTC';

  const grouping = spec.groupBy !== undefined || spec.aggregates !== undefined;
  const groups = (spec.groupBy ?? []).map((g) => {
    const item = typeof g === 'string' ? { column: g } : g;
    const as = item.as ?? item.column;
    if (item.bucket === undefined) return { expr: id(item.column), as };
    if (item.timeZone !== undefined) timeZone = item.timeZone;
    const truncated = `date_trunc('${item.bucket.toUpperCase()}', ${id(item.column)})`;
    return { expr: type(item.column) === 'date' ? `CAST(${truncated} AS DATE)` : truncated, as };
  });
  const aggregates = (spec.aggregates ?? []).map((a) => {
    const arg = a.column === undefined ? '*' : id(a.column);
    const expr =
      a.fn === 'count_distinct'
        ? `count(DISTINCT ${arg})`
        : a.fn === 'approx_percentile'
          ? `percentile_approx(${arg}, ${a.percentile})`
          : `${a.fn}(${arg})`;
    return { expr, as: a.as };
  });
  const selectList = grouping
    ? [...groups, ...aggregates].map((x) => `${x.expr} AS ${id(x.as)}`).join(', ')
    : spec.select === undefined
      ? '*'
      : spec.select
          .map((s) => (typeof s === 'string' ? id(s) : `${id(s.column)} AS ${id(s.as ?? s.column)}`))
          .join(', ');

  let sql = `SELECT ${selectList} FROM ${table}`;
  if (spec.where !== undefined) sql += ` WHERE ${condition(spec.where, type, id)}`;
  if (grouping && groups.length > 0) sql += ` GROUP BY ${groups.map((g) => g.expr).join(', ')}`;
  if (spec.having !== undefined) {
    const outputType = (name: string) => {
      const agg = spec.aggregates?.find((a) => a.as === name);
      return agg === undefined
        ? type(name)
        : agg.fn.startsWith('count')
          ? 'bigint'
          : type(agg.column ?? 'id');
    };
    sql += ` HAVING ${condition(spec.having, outputType, id)}`;
  }
  if (spec.orderBy !== undefined) {
    sql += ` ORDER BY ${spec.orderBy
      .map((o) => {
        const item = typeof o === 'string' ? { column: o } : o;
        const dir = item.direction ?? 'asc';
        return `${id(item.column)} ${dir.toUpperCase()} NULLS ${(item.nulls ?? (dir === 'asc' ? 'first' : 'last')).toUpperCase()}`;
      })
      .join(', ')}`;
  }
  if (spec.limit !== undefined) sql += ` LIMIT ${spec.limit}`;
  if (spec.offset !== undefined && spec.offset > 0) sql += ` OFFSET ${spec.offset}`;
  return { sql, timeZone };
}

function condition(f: Filter, type: (name: string) => string, id: (name: string) => string): string {
  const lit = (column: string, v: Scalar) => literal(type(column), v);
  switch (f.op) {
    case 'and':
    case 'or':
      return `(${f.filters.map((x) => condition(x, type, id)).join(` ${f.op.toUpperCase()} `)})`;
    case 'not':
      return `(NOT ${condition(f.filter, type, id)})`;
    case 'eq':
      return `${id(f.column)} = ${lit(f.column, f.value)}`;
    case 'ne':
      return `${id(f.column)} <> ${lit(f.column, f.value)}`;
    case 'lt':
      return `${id(f.column)} < ${lit(f.column, f.value)}`;
    case 'lte':
      return `${id(f.column)} <= ${lit(f.column, f.value)}`;
    case 'gt':
      return `${id(f.column)} > ${lit(f.column, f.value)}`;
    case 'gte':
      return `${id(f.column)} >= ${lit(f.column, f.value)}`;
    case 'in':
      return `${id(f.column)} IN (${f.values.map((v) => lit(f.column, v)).join(', ')})`;
    case 'not_in':
      return `${id(f.column)} NOT IN (${f.values.map((v) => lit(f.column, v)).join(', ')})`;
    case 'between':
      return `${id(f.column)} BETWEEN ${lit(f.column, f.from)} AND ${lit(f.column, f.to)}`;
    case 'like':
      return `${id(f.column)} LIKE '${f.pattern}'`;
    case 'ilike':
      return `${id(f.column)} ILIKE '${f.pattern}'`;
    case 'is_null':
      return `${id(f.column)} IS NULL`;
    case 'not_null':
      return `${id(f.column)} IS NOT NULL`;
  }
}

/** A SQL literal of the column's type. */
export function literal(type: string, v: Scalar): string {
  if (typeof v === 'string' && /['\\]/.test(v)) throw new Error(`reference SQL cannot quote ${v}`);
  switch (typeFamily(type)) {
    case 'boolean':
      return String(v);
    case 'integer':
    case 'fractional':
      return `CAST('${String(v)}' AS ${type.toUpperCase()})`;
    case 'long':
      return `CAST('${String(v)}' AS BIGINT)`;
    case 'decimal':
      return `CAST('${String(v)}' AS DECIMAL(38, 10))`;
    case 'string':
      return `'${String(v)}'`;
    case 'date':
      return `DATE'${String(v)}'`;
    case 'timestamp':
      return `TIMESTAMP'${String(v)}'`;
    case 'timestamp_ntz':
      return `TIMESTAMP_NTZ'${String(v)}'`;
    case 'binary':
      return `X'${Buffer.from(String(v), 'base64').toString('hex')}'`;
    default:
      throw new Error(`no literal for ${type}`);
  }
}
