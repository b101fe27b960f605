/** Validation of a query against a dataset: the checks a query passes before it is compiled. */
import { Resolver } from './column-resolver.js';
import { condition } from './conditions.js';
import { QueryError } from './errors.js';
import {
  aggregateColumn,
  aggregateType,
  groupColumn,
  groupType,
  orderColumn,
  selectColumn,
} from './output-columns.js';
import { validateParams } from './parameters.js';
import { checkShape } from './shape.js';
import { SPEC_LIMITS, type QuerySpec } from './spec.js';
import type { DatasetShape, ValidatedQuery } from './validated-query.js';

/** Checks a query against the dataset and returns its validated form; throws {@link QueryError}. */
export function validateQuery(spec: QuerySpec, dataset: DatasetShape): ValidatedQuery {
  checkShape(spec);
  const columns = new Resolver(dataset.columns, dataset.name);
  const params = validateParams(spec.params ?? {}, dataset.parameters);
  const where =
    spec.where === undefined ? undefined : condition(spec.where, '/where', columns, dataset.filterable);

  const aggregating = spec.groupBy !== undefined || spec.aggregates !== undefined;
  if (aggregating && spec.select !== undefined) {
    throw new QueryError('/select', 'a grouped query returns its groupBy and aggregates; leave select out');
  }
  if (!aggregating && spec.having !== undefined)
    throw new QueryError('/having', 'having needs groupBy or aggregates');

  const select = spec.select?.map((item, k) => selectColumn(item, `/select/${k}`, columns));
  const groupBy = spec.groupBy?.map((item, k) =>
    groupColumn(item, `/groupBy/${k}`, columns, dataset.groupable),
  );
  const aggregates = spec.aggregates?.map((item, k) => aggregateColumn(item, `/aggregates/${k}`, columns));

  const outputs = aggregating
    ? [
        ...(groupBy ?? []).map((g) => output(g.as, groupType(g, columns))),
        ...(aggregates ?? []).map((a) => output(a.as, aggregateType(a, columns))),
      ]
    : (select ?? dataset.columns.map((c) => ({ column: c.name, as: c.name }))).map((s) =>
        output(s.as, columns.get(s.column).type),
      );
  checkUnique(
    outputs.map((o) => o.name),
    aggregating ? '/groupBy' : '/select',
  );
  const outputResolver = new Resolver(
    outputs.map((o) => ({ name: o.name, type: o.type, nullable: true })),
    dataset.name,
    'output column',
  );

  const having =
    spec.having === undefined ? undefined : condition(spec.having, '/having', outputResolver, undefined);
  // Ungrouped queries may sort by any dataset column; grouped ones by what they return.
  const sortable = aggregating
    ? outputResolver
    : new Resolver(
        [...dataset.columns, ...outputs.map((o) => ({ name: o.name, type: o.type, nullable: true }))],
        dataset.name,
      );
  const orderBy = spec.orderBy?.map((item, k) => orderColumn(item, `/orderBy/${k}`, sortable));

  const limit = spec.limit ?? dataset.defaultLimit;
  if (limit > dataset.maxLimit) {
    throw new QueryError(
      '/limit',
      `${limit} is more than dataset ${dataset.name} allows (at most ${dataset.maxLimit})`,
    );
  }
  const offset = spec.offset ?? 0;
  if (limit + offset > SPEC_LIMITS.maxRowIndex) {
    throw new QueryError(
      '/offset',
      `limit + offset is ${limit + offset}; Spark allows at most ${SPEC_LIMITS.maxRowIndex}`,
    );
  }
  return deepFreeze({
    dataset: dataset.name,
    params,
    ...(select === undefined ? {} : { select }),
    ...(where === undefined ? {} : { where }),
    ...(groupBy === undefined ? {} : { groupBy }),
    ...(aggregates === undefined ? {} : { aggregates }),
    ...(having === undefined ? {} : { having }),
    ...(orderBy === undefined ? {} : { orderBy }),
    limit,
    offset,
  });
}

function output(name: string, type: string): { name: string; type: string } {
  return { name, type };
}

function checkUnique(names: readonly string[], pointer: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key))
      throw new QueryError(
        pointer,
        `output column "${name}" appears twice; give one of them another name with "as"`,
      );
    seen.add(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
