/** The service's queries: datasets to list and describe, and queries validated, compiled and opened. */
import { authorizeDataset, mayUse, requireScope, rowFilter } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import type { Dataset } from '../datasets/registry.js';
import type { Plan } from '../gen/spark/connect/base_pb.js';
import { compilePlan } from '../plan/compile.js';
import { capRows, rootPlan, sqlRelation, type SqlArguments } from '../plan/sql.js';
import type { ColumnInfo } from '../query/columns.js';
import { Errors } from '../errors/catalogue.js';
import { tracedSync } from '../observability/tracing.js';
import { ValueError } from '../query/value-error.js';
import { QueryError } from '../query/errors.js';
import type { Filter, QuerySpec } from '../query/spec.js';
import { validateQuery } from '../query/validate.js';
import type { DatasetShape, ParameterDefinition, ValidatedQuery } from '../query/validated-query.js';
import type { SessionPool } from '../spark/pool.js';
import type { ProgressTracker } from '../spark/progress.js';
import { UnknownDatasetError } from '../errors/unknown-dataset.js';
import type { DatasetCatalog } from './catalog.js';
import { estimateResultBytes, type ResultBudget } from './result-budget.js';
import type { OpenResult } from './open-result.js';
import { openResult, type RunOptions } from './run-query.js';
import { asSubquery, vetPlan, vetText } from './raw-sql.js';
import { needsChecks, type RawSqlPolicy } from './raw-sql-policy.js';
import type { TenantPools } from './tenant-pools.js';

export interface OpenOptions {
  readonly signal: AbortSignal;
  /** Who asks: the dataset must be theirs, its row filters apply, their tenant's sessions run it. */
  readonly principal?: Principal | undefined;
  /** The response's row cap: Spark is asked for one row more, to know whether it cuts. */
  readonly maxRows: number;
  readonly tags?: readonly string[] | undefined;
  /** Kept up to date with Spark's progress reports while the result streams. */
  readonly progress?: ProgressTracker | undefined;
}

export interface DatasetSummary {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, ParameterDefinition>>;
}

export interface DatasetDescription extends DatasetSummary {
  readonly columns: readonly (ColumnInfo & { readonly description?: string })[];
  readonly defaultLimit: number;
  readonly maxLimit: number;
  readonly filterable?: readonly string[] | undefined;
  readonly groupable?: readonly string[] | undefined;
}

/** What HTTP routes and GraphQL resolvers call: datasets, and queries opened for streaming. */
export class QueryService {
  readonly catalog: DatasetCatalog;
  /** The main pool: the service's own sessions (and the default tenant's). */
  readonly pool: SessionPool;
  readonly tenants: TenantPools | undefined;

  /** What raw SQL may do beyond querying; nothing by default. */
  readonly #rawSql: RawSqlPolicy;
  /** How much result Spark's driver builds at once; unbounded without one. */
  readonly #budget: ResultBudget | undefined;
  /** The estimated result size of each plan compiled here, for the budget. */
  readonly #estimates = new WeakMap<Plan, number>();

  constructor(
    catalog: DatasetCatalog,
    pool: SessionPool,
    tenants?: TenantPools,
    rawSql: RawSqlPolicy = { allowFiles: false, allowReflection: false },
    budget?: ResultBudget,
  ) {
    this.catalog = catalog;
    this.pool = pool;
    this.tenants = tenants;
    this.#rawSql = rawSql;
    this.#budget = budget;
  }

  /** The datasets, those the principal may use when one is given. */
  list(principal?: Principal): DatasetSummary[] {
    return this.catalog.registry
      .list()
      .filter((d) => principal === undefined || mayUse(principal, d))
      .map(summary);
  }

  /** A dataset by name; an unknown name's 404 lists only the datasets the principal may use. */
  #dataset(name: string, principal: Principal | undefined): Dataset {
    const dataset = this.catalog.registry.get(name);
    if (dataset === undefined) {
      throw new UnknownDatasetError(
        name,
        this.list(principal).map((d) => d.name),
      );
    }
    return dataset;
  }

  /** The sessions a principal's queries run on. */
  async sessions(principal: Principal | undefined): Promise<SessionPool> {
    if (principal === undefined || this.tenants === undefined) return this.pool;
    return this.tenants.of(principal.tenant);
  }

  /**
   * Describes each dataset named, apart: the ones Spark can describe now, and the others with
   * why not (Spark down, a table not there yet, a type this Spark lacks).
   */
  async describeEach(
    names: readonly string[],
    signal?: AbortSignal,
    principal?: Principal,
  ): Promise<{ described: DatasetDescription[]; failed: { name: string; err: unknown }[] }> {
    const settled = await Promise.allSettled(names.map((name) => this.describe(name, signal, principal)));
    const described: DatasetDescription[] = [];
    const failed: { name: string; err: unknown }[] = [];
    settled.forEach((outcome, k) => {
      if (outcome.status === 'fulfilled') described.push(outcome.value);
      else failed.push({ name: names[k] ?? '', err: outcome.reason });
    });
    return { described, failed };
  }

  async describe(name: string, signal?: AbortSignal, principal?: Principal): Promise<DatasetDescription> {
    const known = this.#dataset(name, principal);
    if (principal !== undefined) authorizeDataset(principal, known);
    const shape = await this.catalog.shape(name, signal);
    const { dataset } = shape;
    return {
      ...summary(dataset),
      columns: shape.columns.map((c) => {
        const description = dataset.columnDescriptions[c.name];
        return description === undefined ? c : { ...c, description };
      }),
      defaultLimit: dataset.defaultLimit,
      maxLimit: dataset.maxLimit,
      filterable: dataset.filterable,
      groupable: dataset.groupable,
    };
  }

  /** Validates and compiles a query of a dataset, and opens its result. */
  async openDataset(name: string, spec: QuerySpec, options: OpenOptions): Promise<OpenResult> {
    const plan = await this.compileDataset(name, spec, options.signal, options.maxRows, options.principal);
    return this.openPlan(plan, options);
  }

  /**
   * Opens the result of a compiled plan on the sessions of whoever asks, once the result
   * budget has room for it; the room is given back when Spark has sent the whole result.
   */
  async openPlan(
    plan: Plan,
    options: RunOptions & { readonly principal?: Principal | undefined },
  ): Promise<OpenResult> {
    const pool = await this.sessions(options.principal);
    if (this.#budget === undefined) return openResult(pool, plan, options);
    const admitted = await this.#budget.admit(this.#estimates.get(plan) ?? 0, options.signal);
    try {
      return releasing(await openResult(pool, plan, options), admitted);
    } catch (err) {
      admitted();
      throw err;
    }
  }

  /**
   * Validates and compiles a query. With a principal, the dataset must be one it may use, and
   * the dataset's row filters, bound to its claims, are added to the query's conditions.
   */
  async compileDataset(
    name: string,
    spec: QuerySpec,
    signal?: AbortSignal,
    maxRows = Infinity,
    principal?: Principal,
  ): Promise<Plan> {
    const known = this.#dataset(name, principal);
    const filter = principal === undefined ? undefined : restrict(principal, known);
    const shape = await this.catalog.shape(name, signal);
    const query = validateQuery(spec, shape);
    // The row filter is the operator's: checked against every column, not only filterable ones.
    const rows = filter === undefined ? undefined : boundRowFilter(name, filter, shape);
    const where =
      rows === undefined
        ? query.where
        : query.where === undefined
          ? rows
          : { op: 'and' as const, conditions: [query.where, rows] };
    const limited = { ...query, where, limit: Math.min(query.limit, maxRows + 1) };
    const plan = tracedSync('plan.compile', {}, () => compilePlan(limited, shape.dataset.template));
    this.#estimates.set(plan, estimateResultBytes(resultColumns(limited, shape), limited.limit));
    return plan;
  }

  /**
   * Opens the result of a client's SQL, its parameters sent as Spark arguments. Unless the
   * policy allows everything, Spark's analysis of the statement is vetted first; either way the
   * session it ran on is closed afterwards, whatever the statement changed in it.
   */
  async openSql(sql: string, args: SqlArguments, options: OpenOptions): Promise<OpenResult> {
    if (options.principal !== undefined) requireScope(options.principal, 'sql:execute');
    const policy = this.#rawSql;
    if (needsChecks(policy)) vetText(sql);
    const plan = capRows(rootPlan(sqlRelation(sql, args)), options.maxRows + 1);
    const asQuery = rootPlan(sqlRelation(asSubquery(sql), args));
    this.#estimates.set(plan, (options.maxRows + 1) * SQL_ROW_BYTES);
    return this.openPlan(plan, {
      ...options,
      clientSql: true,
      prepare: needsChecks(policy)
        ? (session, signal) => vetPlan(session, { sql, plan, asQuery }, policy, signal)
        : undefined,
    });
  }
}

/**
 * A guess at a row of a client's SQL, whose columns are not known before it runs: a few numbers
 * and short texts. At the default row cap such a query weighs a quarter of the default budget,
 * so four of them run at once.
 */
const SQL_ROW_BYTES = 64;
/** A guess at an aggregate's value: a number or a short text. */
const AGGREGATE_TYPE = 'decimal(38,18)';

/** The columns a query's result has, with the types the budget weighs them by. */
function resultColumns(query: ValidatedQuery, shape: DatasetShape): ColumnInfo[] {
  const source = (name: string) => shape.columns.find((c) => c.name === name);
  const aggregated = query.groupBy !== undefined || query.aggregates !== undefined;
  const outputs = aggregated ? (query.groupBy ?? []) : query.select;
  const columns = outputs === undefined ? [...shape.columns] : outputs.flatMap((o) => source(o.column) ?? []);
  for (const aggregate of query.aggregates ?? []) {
    columns.push({ name: aggregate.as, type: AGGREGATE_TYPE, nullable: true });
  }
  return columns;
}

/** The result, giving back its room in the budget when it ends or is closed. */
function releasing(result: OpenResult, admitted: () => void): OpenResult {
  async function* until<T>(items: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
    try {
      yield* items;
    } finally {
      admitted();
    }
  }
  return {
    schema: result.schema,
    operationId: result.operationId,
    get payloads() {
      return until(result.payloads);
    },
    get batches() {
      return until(result.batches);
    },
    async close() {
      try {
        await result.close();
      } finally {
        admitted();
      }
    },
  };
}

/**
 * A row filter bound to claims that do not fit its column (a text region for a numeric one):
 * the principal sees nothing, and is not told the filter or the values it was bound to.
 */
function boundRowFilter(name: string, filter: Filter, shape: DatasetShape) {
  try {
    return validateQuery({ where: filter, limit: 0 }, { ...shape, filterable: undefined }).where;
  } catch (err) {
    if (!(err instanceof QueryError || err instanceof ValueError)) throw err;
    throw new Errors.Forbidden(
      `dataset "${name}" shows rows by claims of your credentials that do not fit it`,
      { cause: err },
    );
  }
}

function restrict(principal: Principal, dataset: Dataset) {
  authorizeDataset(principal, dataset);
  return rowFilter(principal, dataset);
}

function summary(dataset: Dataset): DatasetSummary {
  return { name: dataset.name, description: dataset.description, parameters: dataset.parameters };
}
