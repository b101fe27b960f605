import { create } from '@bufbuild/protobuf';
import type { Dataset } from '../datasets/registry.js';
import { PlanSchema, type Plan } from '../gen/spark/connect/base_pb.js';
import { compilePlan } from '../plan/compile.js';
import { rootPlan, sqlRelation, type SqlArguments } from '../plan/sql.js';
import type { ColumnInfo } from '../query/columns.js';
import type { QuerySpec } from '../query/spec.js';
import { validateQuery, type ParameterDefinition } from '../query/validate.js';
import type { SessionPool } from '../spark/pool.js';
import type { DatasetCatalog } from './catalog.js';
import { openResult, type OpenResult } from './run-query.js';

export interface OpenOptions {
  readonly signal: AbortSignal;
  /** The response's row cap: Spark is asked for one row more, to know whether it cuts. */
  readonly maxRows: number;
  readonly tags?: readonly string[] | undefined;
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
  readonly pool: SessionPool;

  constructor(catalog: DatasetCatalog, pool: SessionPool) {
    this.catalog = catalog;
    this.pool = pool;
  }

  list(): DatasetSummary[] {
    return this.catalog.registry.list().map(summary);
  }

  async describe(name: string, signal?: AbortSignal): Promise<DatasetDescription> {
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
    const plan = await this.compileDataset(name, spec, options.signal, options.maxRows);
    return openResult(this.pool, plan, options);
  }

  async compileDataset(
    name: string,
    spec: QuerySpec,
    signal?: AbortSignal,
    maxRows = Infinity,
  ): Promise<Plan> {
    const shape = await this.catalog.shape(name, signal);
    const query = validateQuery(spec, shape);
    return compilePlan({ ...query, limit: Math.min(query.limit, maxRows + 1) }, shape.dataset.template);
  }

  /** Opens the result of a client's SQL, its parameters sent as Spark arguments. */
  openSql(sql: string, args: SqlArguments, options: OpenOptions): Promise<OpenResult> {
    return openResult(this.pool, capRows(rootPlan(sqlRelation(sql, args)), options.maxRows + 1), options);
  }
}

function summary(dataset: Dataset): DatasetSummary {
  return { name: dataset.name, description: dataset.description, parameters: dataset.parameters };
}

/** The plan's rows, at most `rows` of them. */
function capRows(plan: Plan, rows: number): Plan {
  if (plan.opType.case !== 'root' || !Number.isFinite(rows)) return plan;
  return create(PlanSchema, {
    opType: {
      case: 'root',
      value: {
        relType: { case: 'limit', value: { input: plan.opType.value, limit: Math.min(rows, 2 ** 31 - 1) } },
      },
    },
  });
}
