import { sourceTemplate, type DatasetSource, type SourceTemplate } from '../plan/compile.js';

import type { ParameterDefinition } from '../query/validated-query.js';
import type { SessionSetup } from '../spark/session-setup.js';
import { DEFAULT_LIMIT, MAX_LIMIT, type DatasetsFile } from './definition.js';
import { loadDatasetsFile } from './load.js';

/** A dataset as the service serves it. Its columns come from Spark (see the catalog). */
export interface Dataset {
  readonly name: string;
  readonly description: string;
  readonly source: DatasetSource;
  /** The source relation, built once; requests only bind parameter values. */
  readonly template: SourceTemplate;
  readonly parameters: Readonly<Record<string, ParameterDefinition>>;
  readonly columnDescriptions: Readonly<Record<string, string>>;
  readonly defaultLimit: number;
  readonly maxLimit: number;
  readonly filterable?: readonly string[] | undefined;
  readonly groupable?: readonly string[] | undefined;
  /** How long an answer may be reused; 0 means never. */
  readonly cacheTtlSeconds: number;
  /** Tenants that may query it; all when absent. */
  readonly tenants?: readonly string[] | undefined;
  /** Row filters bound to principal claims. */
  readonly rowFilters: readonly { readonly column: string; readonly claim: string }[];
}

/** The datasets of one datasets file, and the session setup they need. */
export class DatasetRegistry {
  readonly setup: SessionSetup;
  readonly #datasets: ReadonlyMap<string, Dataset>;

  constructor(file: DatasetsFile) {
    this.setup = Object.freeze({
      configs: Object.freeze({ ...(file.setup?.configs ?? {}) }),
      statements: Object.freeze([...(file.setup?.statements ?? [])]),
    });
    this.#datasets = new Map(
      Object.entries(file.datasets).map(([name, config]) => {
        const source: DatasetSource =
          config.table !== undefined
            ? { kind: 'table', table: config.table }
            : { kind: 'sql', sql: config.sql ?? '' };
        const parameters = Object.fromEntries(
          Object.entries(config.parameters ?? {}).map(([param, def]) => [
            param,
            Object.freeze({
              type: def.type,
              required: def.required ?? false,
              ...optional('description', def.description),
              ...optional('default', def.default),
              ...optional('allowed', def.allowed),
              ...optional('min', def.min),
              ...optional('max', def.max),
            }) as ParameterDefinition,
          ]),
        );
        const dataset: Dataset = Object.freeze({
          name,
          description: config.description,
          source,
          template: sourceTemplate(source),
          parameters,
          columnDescriptions: Object.freeze({ ...(config.columns ?? {}) }),
          defaultLimit: config.defaultLimit ?? Math.min(DEFAULT_LIMIT, config.maxLimit ?? MAX_LIMIT),
          maxLimit: config.maxLimit ?? MAX_LIMIT,
          filterable: config.filterable,
          groupable: config.groupable,
          cacheTtlSeconds: config.cacheTtlSeconds ?? 0,
          tenants: config.tenants,
          rowFilters: Object.freeze([...(config.rowFilters ?? [])]),
        });
        return [name, dataset] as const;
      }),
    );
  }

  static fromFile(path: string): DatasetRegistry {
    return new DatasetRegistry(loadDatasetsFile(path));
  }

  get(name: string): Dataset | undefined {
    return this.#datasets.get(name);
  }

  list(): Dataset[] {
    return [...this.#datasets.values()];
  }

  names(): string[] {
    return [...this.#datasets.keys()];
  }

  /** The principal claims that row filters bind to, across every dataset. */
  rowFilterClaims(): string[] {
    return [...new Set([...this.#datasets.values()].flatMap((d) => d.rowFilters.map((f) => f.claim)))];
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
