/**
 * The resolvers of the top-level fields, each a few lines: build the QuerySpec from the field's
 * arguments and selection, ask the context's `answers` for it, shape what comes back. What they
 * need of a dataset or of the server's limits is given when the schema is built; what runs
 * queries comes with each request, in the context.
 */
import type { GraphQLFieldResolver } from 'graphql';
import type { ColumnInfo } from '../query/columns.js';
import type { QuerySpec } from '../query/spec.js';
import type { DatasetDescription, DatasetSummary } from '../service/query-service.js';
import { Errors } from '../errors/catalogue.js';
import type { Answer, GraphQLContext } from './context.js';
import { genericSpec, type GenericArgs } from './specs/generic.js';
import { defaultLimit, withRowLimit } from './specs/limits.js';
import { selectedMeasures } from './specs/selected-measures.js';
import { aggregateSpec, groupRows, type AggregateArgs } from './specs/typed-groups.js';
import { rowsSpec, type RowsArgs } from './specs/typed-rows.js';

type Resolver<Args> = GraphQLFieldResolver<unknown, GraphQLContext, Args>;

/** Every field that runs a query takes `cache: CachePolicy`. */
interface Cache {
  readonly cache: string;
}

function ask(ctx: GraphQLContext, dataset: string, spec: QuerySpec, args: Cache): Promise<Answer> {
  return ctx.answers.run({
    dataset,
    spec,
    tenant: ctx.tenant,
    principal: ctx.principal,
    bypassCache: args.cache === 'BYPASS',
    signal: ctx.signal,
  });
}

/** A typed list is all the rows or an error: it has no way to say it was cut. */
function complete(answer: Answer): readonly Record<string, unknown>[] {
  if (answer.truncated) {
    throw new Errors.ResultTooLarge(
      `the answer is larger than this server's GraphQL limits (${answer.rowCount} rows fit); ask for fewer rows`,
    );
  }
  return answer.rows;
}

/** A dataset as the `Dataset` type shows it: without columns until they are asked for. */
export type DatasetEntry = DatasetSummary &
  Pick<DatasetDescription, 'defaultLimit' | 'maxLimit'> &
  Partial<Pick<DatasetDescription, 'columns'>>;

/** `datasets`: every dataset the caller may use, from the catalogue alone. */
export const listDatasets: Resolver<unknown> = (_root, _args, ctx): DatasetEntry[] =>
  ctx.datasets.list(ctx.principal).flatMap((d) => {
    const dataset = ctx.datasets.catalog.registry.get(d.name);
    return dataset === undefined
      ? []
      : [{ ...d, defaultLimit: dataset.defaultLimit, maxLimit: dataset.maxLimit }];
  });

/**
 * `Dataset.columns`: as described already, or as Spark describes them now. A dataset Spark
 * cannot describe gets null and an error of its own; the other datasets keep theirs.
 */
export const datasetColumns: GraphQLFieldResolver<DatasetEntry, GraphQLContext> = async (d, _args, ctx) =>
  d.columns ?? (await ctx.datasets.describe(d.name, ctx.signal)).columns;

/** `dataset(name)`: null when there is none; FORBIDDEN when it is not the caller's. */
export const findDataset: Resolver<{ name: string }> = (_root, args, ctx) =>
  ctx.datasets.catalog.registry.get(args.name) === undefined
    ? null
    : ctx.datasets.describe(args.name, ctx.signal, ctx.principal);

/** `query(dataset, …)`: any QuerySpec, answered whole. */
export const runQuery =
  (maxRows: number): Resolver<GenericArgs & Cache> =>
  async (_root, args, ctx) =>
    ask(ctx, args.dataset, withRowLimit(genericSpec(args), maxRows), args);

/** A dataset's rows field: its columns, as many rows as asked for or its default. */
export const dataRows =
  (d: DatasetDescription, columns: readonly ColumnInfo[], maxRows: number): Resolver<RowsArgs & Cache> =>
  async (_root, args, ctx) => {
    const spec = defaultLimit(rowsSpec(args, columns), d.defaultLimit, maxRows);
    return complete(await ask(ctx, d.name, withRowLimit(spec, maxRows), args));
  };

/** A dataset's aggregate field: its groups, with the measures the request selects. */
export const dataGroups =
  (d: DatasetDescription, maxRows: number): Resolver<AggregateArgs & Cache> =>
  async (_root, args, ctx, info) => {
    const measures = selectedMeasures(info);
    const spec = defaultLimit(aggregateSpec(args, measures), d.defaultLimit, maxRows);
    const answer = await ask(ctx, d.name, withRowLimit(spec, maxRows), args);
    return groupRows(complete(answer), args, measures);
  };
