/** The `orderBy` items of the typed fields, one key per item: `{ ts: desc_nulls_last }`. */
import { Errors } from '../../errors/catalogue.js';
import type { OrderItem } from '../../query/spec.js';

interface Direction {
  readonly direction: 'asc' | 'desc';
  readonly nulls?: 'first' | 'last';
}

const DIRECTIONS: Readonly<Record<string, Direction>> = {
  asc: { direction: 'asc' },
  asc_nulls_first: { direction: 'asc', nulls: 'first' },
  asc_nulls_last: { direction: 'asc', nulls: 'last' },
  desc: { direction: 'desc' },
  desc_nulls_first: { direction: 'desc', nulls: 'first' },
  desc_nulls_last: { direction: 'desc', nulls: 'last' },
};

/** The one key an item names, with its value; more or fewer is refused. */
export function only(item: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(item).filter(([, v]) => v != null);
  if (entries.length !== 1) {
    throw new Errors.QueryInvalid(`${path} names ${entries.length} keys; give one per item, in order`);
  }
  return entries[0] as [string, unknown];
}

/** An `OrderDirection` value as the QuerySpec's direction and nulls placement. */
export function direction(value: unknown): Direction {
  return DIRECTIONS[value as string] ?? { direction: 'asc' };
}

/** Typed `orderBy` items, one column each. */
export function orderItems(
  orderBy: readonly Record<string, string>[] | null | undefined,
): OrderItem[] | undefined {
  if (orderBy == null || orderBy.length === 0) return undefined;
  return orderBy.map((item, i) => {
    const [column, dir] = only(item, `orderBy[${i}]`);
    return { column, ...direction(dir) };
  });
}
