/** The QuerySpec of a dataset's typed rows field: its columns, where, order and window. */
import type { QuerySpec, Scalar } from '../../query/spec.js';
import { orderItems } from './typed-order.js';
import { whereFilter, type Where } from './typed-where.js';

/** Arguments every typed field of a dataset takes. */
export interface CommonArgs {
  readonly params?: Record<string, Scalar> | null;
  readonly where?: Where | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface RowsArgs extends CommonArgs {
  readonly orderBy?: readonly Record<string, string>[] | null;
}

function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value == null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The rows field's arguments as a QuerySpec selecting the columns the field exposes. */
export function rowsSpec(args: RowsArgs, columns: readonly { readonly name: string }[]): QuerySpec {
  return {
    ...(args.params == null ? {} : { params: args.params }),
    ...optional('where', whereFilter(args.where)),
    ...optional('orderBy', orderItems(args.orderBy)),
    ...optional('limit', args.limit),
    ...optional('offset', args.offset),
    select: columns.map((c) => c.name),
  };
}
