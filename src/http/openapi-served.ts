import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { QueryService } from '../service/query-service.js';
import { datasetOperations, datasetTag } from './openapi-datasets.js';

type Json = Record<string, unknown>;
/** A document, and whether every dataset it should show is in it. */
interface Built {
  readonly doc: Json;
  readonly complete: boolean;
}
type Paths = Record<string, Record<string, Json & { parameters?: Json[]; responses: Record<string, Json> }>>;

/** How many documents (one per set of visible datasets) are kept. */
const CACHED_DOCUMENTS = 32;
const DESCRIBE_TIMEOUT_MS = 15_000;

/**
 * The document a server serves at /openapi.yaml, /openapi.json and /docs: openapi.yaml as this
 * server runs it (routes it does not serve left out, its own row and byte limits), with the
 * operations of every dataset the caller may use. Built once per set of visible datasets; a
 * caller without credentials (and no anonymous access) gets the generic operations only. A
 * dataset Spark cannot describe now (its table dropped, a type this Spark lacks) is left out,
 * the others shown, and that document is not kept, so the dataset is back once it describes.
 */
export class ServedOpenApi {
  readonly #config: Config;
  readonly #queries: QueryService;
  readonly #log: FastifyBaseLogger;
  readonly #generated: () => Json;
  readonly #documents = new Map<string, Promise<Built>>();

  /** `generated` gives a copy of the document generated from the routes, to change. */
  constructor(config: Config, queries: QueryService, log: FastifyBaseLogger, generated: () => Json) {
    this.#generated = generated;
    this.#config = config;
    this.#queries = queries;
    this.#log = log;
  }

  async document(principal: Principal | undefined): Promise<Json> {
    const names = principal === undefined ? [] : this.#queries.list(principal).map((d) => d.name);
    const key = names.join('\n');
    const cached = this.#documents.get(key);
    if (cached !== undefined) return (await cached).doc;
    const built = this.#build(names, principal);
    this.#documents.set(key, built);
    if (this.#documents.size > CACHED_DOCUMENTS) {
      const [oldest] = this.#documents.keys();
      if (oldest !== undefined) this.#documents.delete(oldest);
    }
    try {
      const { doc, complete } = await built;
      if (!complete) this.#documents.delete(key);
      return doc;
    } catch (err) {
      // Spark could not describe the datasets now: the generic operations, not kept.
      this.#documents.delete(key);
      this.#log.warn({ err }, 'OpenAPI: could not describe the datasets; serving the generic operations');
      return this.#adapted(names);
    }
  }

  async #build(names: readonly string[], principal: Principal | undefined): Promise<Built> {
    const signal = AbortSignal.timeout(DESCRIBE_TIMEOUT_MS);
    const { described: datasets, failed } = await this.#queries.describeEach(names, signal, principal);
    // None described (Spark down, say): the caller falls back to the generic operations.
    if (failed.length > 0 && datasets.length === 0) throw failed[0]?.err;
    for (const { name, err } of failed) {
      this.#log.warn(
        { err, dataset: name },
        'OpenAPI: could not describe a dataset; left out of the document',
      );
    }
    const complete = failed.length === 0;
    const doc = this.#adapted(names);
    const paths = doc['paths'] as Paths;
    const components = doc['components'] as { schemas: Record<string, Json> };
    const rowsPath = paths['/v1/datasets/{name}/rows'];
    const queryPath = paths['/v1/datasets/{name}/query'];
    if (rowsPath?.['get'] === undefined || queryPath?.['post'] === undefined) return { doc, complete };
    const generic = {
      rows: rowsPath['get'],
      query: queryPath['post'],
      querySpec: components.schemas['QuerySpec'] as Json,
      filters: Object.fromEntries(
        Object.entries(components.schemas).filter(([name]) => name.startsWith('Filter')),
      ),
    };
    const tags = doc['tags'] as Json[];
    for (const dataset of datasets) {
      const { paths: more, schemas } = datasetOperations(dataset, generic);
      Object.assign(paths, more);
      Object.assign(components.schemas, schemas);
      tags.push({ name: datasetTag(dataset.name), description: dataset.description });
    }
    return { doc, complete };
  }

  /** openapi.yaml as this server runs it, the dataset names of the caller in the `name` parameters. */
  #adapted(names: readonly string[]): Json {
    const doc = this.#generated();
    const paths = doc['paths'] as Paths;
    if (!this.#config.rawSql) {
      delete paths['/v1/sql'];
      doc['tags'] = (doc['tags'] as Json[]).filter((tag) => tag['name'] !== 'sql');
    }
    if (!this.#config.metrics) delete paths['/metrics'];
    doc['servers'] = [{ url: '/', description: 'This server' }];
    const { maxRows, maxBytes } = this.#config.limits;
    for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
      for (const parameter of operation.parameters ?? []) {
        const schema = parameter['schema'] as Json;
        if (parameter['in'] === 'query' && parameter['name'] === 'maxRows') schema['maximum'] = maxRows;
        if (parameter['in'] === 'query' && parameter['name'] === 'maxBytes') schema['maximum'] = maxBytes;
        if (parameter['in'] === 'path' && parameter['name'] === 'name' && names.length > 0) {
          parameter['schema'] = { ...schema, enum: [...names], default: names[0] };
        }
      }
    }
    return doc;
  }
}
