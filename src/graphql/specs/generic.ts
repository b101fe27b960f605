/** The generic `query` field's arguments as a QuerySpec, checked as the HTTP API checks it. */
import { schemaError } from '../../errors/to-catalogue.js';
import type { Aggregate, GroupItem, OrderItem, QuerySpec } from '../../query/spec.js';
import { validateQuerySpec } from '../../query/spec-validator.js';

/** Arguments of the generic `query` field, as GraphQL coerced them (absent or null alike). */
export interface GenericArgs {
  readonly dataset: string;
  readonly params?: Record<string, unknown> | null;
  readonly select?: readonly string[] | null;
  readonly where?: FilterInput | null;
  readonly groupBy?: readonly GroupInput[] | null;
  readonly aggregates?: readonly AggregateInput[] | null;
  readonly having?: FilterInput | null;
  readonly orderBy?: readonly OrderInput[] | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}

interface FilterInput {
  readonly [key: string]: unknown;
}
interface GroupInput {
  readonly column: string;
  readonly bucket?: string | null;
  readonly timeZone?: string | null;
  readonly as?: string | null;
}
interface AggregateInput {
  readonly fn: string;
  readonly column?: string | null;
  readonly percentile?: number | null;
  readonly as: string;
}
interface OrderInput {
  readonly column: string;
  readonly direction?: string | null;
  readonly nulls?: string | null;
}

/** An input object without its null fields: GraphQL's null means "not given" here. */
function present<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v != null)) as T;
}

function filter(input: FilterInput): unknown {
  const f = present(input) as Record<string, unknown>;
  if (Array.isArray(f['filters'])) f['filters'] = (f['filters'] as FilterInput[]).map(filter);
  if (f['filter'] !== undefined) f['filter'] = filter(f['filter'] as FilterInput);
  return f;
}

/** The generic field's arguments as the QuerySpec the HTTP API takes. */
export function genericSpec(args: GenericArgs): QuerySpec {
  const spec: Record<string, unknown> = {};
  if (args.params != null) spec['params'] = args.params;
  if (args.select != null) spec['select'] = args.select;
  if (args.where != null) spec['where'] = filter(args.where);
  if (args.groupBy != null) {
    spec['groupBy'] = args.groupBy.map((g): GroupItem => {
      const item = present(g);
      return Object.keys(item).length === 1 ? item.column : (item as GroupItem);
    });
  }
  if (args.aggregates != null) spec['aggregates'] = args.aggregates.map((a) => present(a) as Aggregate);
  if (args.having != null) spec['having'] = filter(args.having);
  if (args.orderBy != null) spec['orderBy'] = args.orderBy.map((o) => present(o) as OrderItem);
  if (args.limit != null) spec['limit'] = args.limit;
  if (args.offset != null) spec['offset'] = args.offset;
  return spec;
}

/**
 * The structural checks of the HTTP API's request body (operators, sizes, depth), by the same
 * validator, so a GraphQL query fails with the message the same QuerySpec gets over HTTP.
 */
export function checkSpec(spec: QuerySpec): void {
  if (validateQuerySpec(spec)) return;
  const [first] = validateQuerySpec.errors ?? [];
  throw schemaError(first ?? { instancePath: '', params: {} });
}
