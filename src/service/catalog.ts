import type { Dataset, DatasetRegistry } from '../datasets/registry.js';
import { UnknownDatasetError } from '../errors/unknown-dataset.js';
import { compilePlan } from '../plan/compile.js';
import type { ColumnInfo } from '../query/columns.js';
import type { DatasetShape } from '../query/validated-query.js';
import { structFields } from '../spark/data-type.js';
import type { SessionPool } from '../spark/pool.js';

/**
 * Datasets with the columns Spark reports for them (AnalyzePlan of the source, parameters
 * bound to typed nulls), learned once and kept for `ttlMs`; a failure is not kept.
 */
export class DatasetCatalog {
  readonly registry: DatasetRegistry;
  readonly #pool: SessionPool;
  readonly #ttlMs: number;
  readonly #columns = new Map<string, { at: number; columns: Promise<readonly ColumnInfo[]> }>();

  constructor(registry: DatasetRegistry, pool: SessionPool, ttlMs = 10 * 60_000) {
    this.registry = registry;
    this.#pool = pool;
    this.#ttlMs = ttlMs;
  }

  dataset(name: string): Dataset {
    const dataset = this.registry.get(name);
    if (dataset === undefined) throw new UnknownDatasetError(name, this.registry.names());
    return dataset;
  }

  async shape(name: string, signal?: AbortSignal): Promise<DatasetShape & { readonly dataset: Dataset }> {
    const dataset = this.dataset(name);
    return { ...dataset, dataset, columns: await this.columns(dataset, signal) };
  }

  columns(dataset: Dataset, signal?: AbortSignal): Promise<readonly ColumnInfo[]> {
    const cached = this.#columns.get(dataset.name);
    if (cached !== undefined && Date.now() - cached.at < this.#ttlMs) return cached.columns;
    const columns = this.#pool.withSession(async (session, leaseSignal) => {
      const params = Object.fromEntries(
        Object.entries(dataset.parameters).map(([name, def]) => [
          name,
          { type: 'null' as const, of: def.type },
        ]),
      );
      const plan = compilePlan({ dataset: dataset.name, params, limit: 0, offset: 0 }, dataset.template);
      const schema = await session.schema(plan, {
        signal: signal ? AbortSignal.any([signal, leaseSignal]) : leaseSignal,
      });
      return Object.freeze(structFields(schema));
    }, signal);
    this.#columns.set(dataset.name, { at: Date.now(), columns });
    columns.catch(() => this.#columns.delete(dataset.name));
    return columns;
  }
}
