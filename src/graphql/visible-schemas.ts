import type { FastifyInstance } from 'fastify';
import { printSchema, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import { traceFields } from '../observability/graphql.js';
import type { DatasetDescription, QueryService } from '../service/query-service.js';
import { fullSchema, genericSchema, type SchemaOptions } from './schema.js';

/** Characters of document text kept as known valid, over all schemas. */
const VALID_TEXTS_SIZE = 4 * 1024 * 1024;

/**
 * The GraphQL schema each caller sees: the generic fields, and typed fields for the datasets
 * it may use, so introspection, `__type`, the SDL and validation messages never name another
 * tenant's datasets or columns. One schema is built per set of visible datasets, on demand,
 * and kept in a bounded cache.
 */
export class VisibleSchemas {
  readonly #options: SchemaOptions;
  readonly #access: Pick<QueryService, 'list'>;
  readonly #generic: GraphQLSchema;
  readonly #built: LRUCache<string, GraphQLSchema>;
  /** Document texts found valid, keyed by schema and text: dashboards send the same ones. */
  readonly #valid = new LRUCache<string, true>({
    maxSize: VALID_TEXTS_SIZE,
    sizeCalculation: (_value, key) => key.length,
  });
  readonly #ids = new WeakMap<GraphQLSchema, number>();
  #nextId = 0;
  #described: readonly DatasetDescription[] | undefined;
  #union: GraphQLSchema;

  /** `access` says which datasets a principal may use. */
  constructor(options: SchemaOptions, access: Pick<QueryService, 'list'>, maxSchemas = 64) {
    this.#options = options;
    this.#access = access;
    this.#generic = traceFields(genericSchema(options));
    this.#union = this.#generic;
    this.#built = new LRUCache({ max: maxSchemas });
  }

  /** Every dataset as Spark describes it; schemas built before are dropped. */
  described(datasets: readonly DatasetDescription[]): void {
    this.#described = datasets;
    this.#built.clear();
    this.#union = traceFields(fullSchema(this.#options, datasets));
  }

  /**
   * All datasets' typed fields together. Never shown to a caller: a document valid in a
   * caller's schema is valid in this one too, which is what Mercurius checks it against.
   */
  get union(): GraphQLSchema {
    return this.#union;
  }

  /** The schema of the datasets the principal may use (all of them without a principal). */
  for(principal: Principal | undefined): GraphQLSchema {
    const described = this.#described;
    if (described === undefined) return this.#generic;
    const usable = new Set(this.#access.list(principal).map((d) => d.name));
    const visible = described.filter((d) => usable.has(d.name));
    const key = visible.map((d) => d.name).join(',');
    let schema = this.#built.get(key);
    if (schema === undefined) {
      schema = traceFields(fullSchema(this.#options, visible));
      this.#built.set(key, schema);
    }
    return schema;
  }

  /**
   * GraphQL's own validation of a document against the principal's schema. A document's text
   * (`source`) found valid once in a schema is not validated again in it.
   */
  validate(principal: Principal | undefined, document: DocumentNode, source?: string) {
    const schema = this.for(principal);
    if (source === undefined) return validate(schema, document, specifiedRules);
    let id = this.#ids.get(schema);
    if (id === undefined) this.#ids.set(schema, (id = this.#nextId++));
    const key = `${id}:${source}`;
    if (this.#valid.has(key)) return [];
    const errors = validate(schema, document, specifiedRules);
    if (errors.length === 0) this.#valid.set(key, true);
    return errors;
  }
}

/**
 * Runs every GraphQL request against its caller's schema: the document is validated against
 * it before Mercurius sees it (so no message suggests another tenant's field) and executed with
 * it (so introspection shows only it); `GET /graphql/schema.graphql` prints it.
 */
export function visibleSchemaRoutes(app: FastifyInstance, schemas: VisibleSchemas): void {
  const principalOf = (context: unknown) => (context as { principal?: Principal | undefined }).principal;
  // Each request's document text, which names its validation.
  const sources = new WeakMap<object, string>();
  app.graphql.addHook('preParsing', (_schema, source, context) => {
    sources.set(context, source);
    return Promise.resolve();
  });
  app.graphql.addHook('preValidation', (_schema, document, context) => {
    const errors = schemas.validate(principalOf(context), document, sources.get(context));
    // Shaped as Mercurius' own validation failure: a 400 listing GraphQL's errors.
    if (errors.length === 0) return Promise.resolve();
    return Promise.reject(Object.assign(new Error('the document is not valid'), { errors }));
  });
  app.graphql.addHook('preExecution', (_schema, _document, context) =>
    Promise.resolve({ schema: schemas.for(principalOf(context)) }),
  );
  app.get('/graphql/schema.graphql', { schema: { hide: true } }, async (request, reply) =>
    reply.type('text/plain; charset=utf-8').send(printSchema(schemas.for(request.principal))),
  );
}
