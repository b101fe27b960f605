/**
 * The component schemas of the OpenAPI document, from the schemas the routes validate with:
 * TypeBox schemas turned into OpenAPI's (references to components, every enum typed), the
 * filter union split into a component per variant, and the documents no route validates.
 */
import { ERROR_CODES } from '../errors/catalogue.js';
import { Filter, QuerySpec } from '../query/spec.js';
import { DatasetDescription, DatasetList, Problem, SqlRequest, TypedParameter } from './schemas.js';
import { StatementRequest, StatementView } from './statement-schemas.js';

type Json = Record<string, unknown>;

/** The `application/json` result document, its rows described by `row`. */
export function resultDocumentSchema(row: Json): Json {
  return {
    type: 'object',
    required: ['columns', 'rows', 'rowCount', 'truncated'],
    properties: {
      columns: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'type'],
          properties: { name: { type: 'string' }, type: { type: 'string' } },
        },
      },
      rows: { type: 'array', items: row },
      rowCount: { type: 'integer' },
      truncated: { type: 'boolean' },
    },
  };
}

/** What POST /graphql answers: data, and errors with the catalogue's facts in `extensions`. */
const GRAPHQL_RESPONSE: Json = {
  type: 'object',
  properties: {
    data: { type: ['object', 'null'] },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          message: { type: 'string' },
          path: { type: 'array', items: { type: ['string', 'integer'] } },
          locations: {
            type: 'array',
            items: {
              type: 'object',
              properties: { line: { type: 'integer' }, column: { type: 'integer' } },
            },
          },
          extensions: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              status: { type: 'integer' },
              errorClass: { type: 'string' },
              sqlState: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

/** Every component schema of the document, by name. */
export function componentSchemas(): Record<string, Json> {
  return {
    QuerySpec: openApiSchema(QuerySpec),
    ...filterComponents(),
    SqlRequest: openApiSchema(SqlRequest),
    TypedParameter: openApiSchema(TypedParameter),
    DatasetList: openApiSchema(DatasetList),
    DatasetDescription: openApiSchema(DatasetDescription),
    StatementRequest: openApiSchema(StatementRequest),
    Statement: openApiSchema(StatementView),
    ResultDocument: resultDocumentSchema({ type: 'object' }),
    Problem: problemSchema(),
    GraphQLResponse: GRAPHQL_RESPONSE,
  };
}

/** The problem schema, its `code` limited to the catalogue. */
function problemSchema(): Json {
  const schema = openApiSchema(Problem);
  const properties = schema['properties'] as Json;
  return {
    ...schema,
    properties: { ...properties, code: { type: 'string', enum: [...ERROR_CODES].sort() } },
  };
}

/**
 * A JSON schema as OpenAPI's: `$ref`s by name point to components, no `$id`, every enum and
 * const beside its type (which generators need), and no pattern properties beside properties.
 */
export function openApiSchema(schema: unknown): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id') continue;
      if (key === 'enum' && Array.isArray(value) && !('type' in node)) out['type'] = enumType(value);
      if (key === 'const' && !('type' in node)) out['type'] = enumType([value]);
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#'))
        out[key] = `#/components/schemas/${value}`;
      else if (key === 'patternProperties' && 'properties' in node) continue;
      else out[key] = walk(value);
    }
    return out;
  };
  return walk(schema) as Json;
}

/** The JSON type of enum values. */
function enumType(values: readonly unknown[]): string | string[] {
  const types = [...new Set(values.map((v) => (v === null ? 'null' : typeof v)))];
  return types.length === 1 ? (types[0] ?? 'string') : types;
}

/**
 * The filter union as OpenAPI generators read it best: each variant a component of its own
 * and a discriminator mapping from every `op` to its variant.
 */
function filterComponents(): Record<string, Json> {
  const variants = (openApiSchema(Filter)['oneOf'] as Json[]).map((variant) => ({
    name: `Filter${String(variant['title'])}`,
    schema: variant,
  }));
  const mapping: Record<string, string> = {};
  for (const { name, schema } of variants) {
    const op = (schema['properties'] as { op: { enum: string[] } }).op;
    for (const value of op.enum) mapping[value] = `#/components/schemas/${name}`;
  }
  const {
    oneOf: _oneOf,
    discriminator: _discriminator,
    type: _type,
    required: _required,
    ...rest
  } = openApiSchema(Filter);
  return {
    Filter: {
      ...rest,
      oneOf: variants.map(({ name }) => ({ $ref: `#/components/schemas/${name}` })),
      discriminator: { propertyName: 'op', mapping },
    },
    ...Object.fromEntries(variants.map(({ name, schema }) => [name, { ...schema, title: name }])),
  };
}
