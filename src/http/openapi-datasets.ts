import { typeFamily, type TypeFamily } from '../query/columns.js';
import type { DatasetDescription } from '../service/query-service.js';
import { resultDocumentSchema } from './openapi-components.js';

/**
 * Operations of one dataset for the OpenAPI document a server serves, typed the way the
 * GraphQL schema types its fields: the dataset's columns as enums, its parameters and filters
 * as query parameters of their own (`params[from]`, `filter[region]`, `filter[ts][gte]`), its
 * rows as an object. Generated clients get one typed function per dataset, and the query string
 * stays `params[name]=value`.
 */

type Json = Record<string, unknown>;
type Operation = Json & { parameters?: Json[]; responses: Record<string, Json> };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `daily_revenue` → `DailyRevenue`. */
export function pascalName(dataset: string): string {
  return dataset
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The tag that groups a dataset's operations. */
export function datasetTag(dataset: string): string {
  return `dataset ${dataset}`;
}

/** How a column's values look in JSON answers (the service's exact value rules). */
function jsonValue(sparkType: string): Json {
  switch (typeFamily(sparkType)) {
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
      return { type: 'integer' };
    case 'fractional':
      return { type: ['number', 'string'], description: '"NaN", "Infinity" and "-Infinity" are strings.' };
    case 'long':
    case 'decimal':
      return { type: 'string', description: 'Exact, as a string (a number when numbers=true).' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'binary':
      return { type: 'string', contentEncoding: 'base64' };
    case 'complex':
      return {};
    default:
      return { type: 'string' };
  }
}

/** How a value of the family is written in a query string, or undefined when it cannot be. */
function textValue(family: TypeFamily): Json | undefined {
  switch (family) {
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
      return { type: 'integer' };
    case 'long':
      return { type: 'string', pattern: '^-?[0-9]+$' };
    case 'fractional':
      return { type: 'number' };
    case 'decimal':
      return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
    case 'string':
      return { type: 'string' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'timestamp_ntz':
      return { type: 'string' };
    default:
      return undefined;
  }
}

/** Parameter types of the datasets file, as Spark names them, for their families. */
const PARAMETER_SPARK_TYPES: Readonly<Record<string, string>> = {
  byte: 'tinyint',
  short: 'smallint',
  int: 'int',
  long: 'bigint',
  float: 'float',
  double: 'double',
  decimal: 'decimal(38,18)',
};

function queryParameter(name: string, schema: Json, description?: string, required = false): Json {
  const { description: inner, ...rest } = schema;
  const text = description ?? (typeof inner === 'string' ? inner : undefined);
  return {
    name,
    in: 'query',
    required,
    ...(text === undefined ? {} : { description: text }),
    schema: rest,
  };
}

/** A comma-separated list in the query string (clients may also repeat the key). */
function listParameter(name: string, items: Json, description: string): Json {
  return { ...queryParameter(name, { type: 'array', items }, description), style: 'form', explode: false };
}

const RANGE_FAMILIES = new Set<TypeFamily>([
  'integer',
  'long',
  'fractional',
  'decimal',
  'date',
  'timestamp',
  'timestamp_ntz',
]);

/** The components and paths of one dataset, built on the generic operations. */
export function datasetOperations(
  dataset: DatasetDescription,
  generic: { rows: Operation; query: Operation; querySpec: Json; filters: Record<string, Json> },
): { paths: Record<string, Json>; schemas: Record<string, Json> } {
  const name = pascalName(dataset.name);
  const columns = dataset.columns.map((c) => c.name);
  const filterable = new Set(dataset.filterable ?? columns);
  const tags = [datasetTag(dataset.name)];

  const params = Object.entries(dataset.parameters).map(([param, def]) => {
    const family = typeFamily(PARAMETER_SPARK_TYPES[def.type] ?? def.type);
    const schema: Json = {
      ...(textValue(family) ?? { type: 'string' }),
      ...(def.allowed === undefined ? {} : { enum: def.allowed }),
      ...(def.default === undefined || def.default === null ? {} : { default: def.default }),
    };
    return { param, def, schema };
  });

  const filters = dataset.columns.flatMap((column) => {
    const family = typeFamily(column.type);
    const value = textValue(family);
    if (value === undefined || !filterable.has(column.name)) return [];
    const c = column.name;
    return [
      queryParameter(`filter[${c}]`, value, `Rows whose ${c} equals the value.`),
      listParameter(`filter[${c}][in]`, value, `Rows whose ${c} is one of the values.`),
      ...(RANGE_FAMILIES.has(family)
        ? [
            queryParameter(`filter[${c}][gte]`, value, `Rows whose ${c} is at least the value.`),
            queryParameter(`filter[${c}][lt]`, value, `Rows whose ${c} is below the value.`),
          ]
        : []),
      ...(family === 'string'
        ? [queryParameter(`filter[${c}][like]`, value, `Rows whose ${c} matches a LIKE pattern (% and _).`)]
        : []),
    ];
  });

  const resultOptions = (generic.rows.parameters ?? []).filter(
    (p) => p['in'] === 'query' && ['format', 'numbers', 'maxRows', 'maxBytes'].includes(String(p['name'])),
  );
  const order = [...columns, ...columns.map((c) => `-${c}`)];
  const rows: Operation = {
    ...structuredClone(generic.rows),
    operationId: `rows_${dataset.name}`,
    tags,
    summary: `Rows of ${dataset.name}`,
    description:
      `${dataset.description}\n\nThe other query keys of \`GET /v1/datasets/{name}/rows\` (filters with ` +
      'ne, lt, lte, gt, not_in, ilike, is_null, not_null) work here too.',
    parameters: [
      ...resultOptions,
      listParameter('select', ref(`${name}Column`), 'The columns to return; all by default.'),
      listParameter(
        'orderBy',
        { type: 'string', enum: order },
        'Columns to sort by; a leading - sorts descending.',
      ),
      queryParameter(
        'limit',
        { type: 'integer', minimum: 0, maximum: dataset.maxLimit },
        `At most this many rows; ${dataset.defaultLimit} by default.`,
      ),
      queryParameter('offset', { type: 'integer', minimum: 0 }, 'Rows to skip.'),
      ...params.map(({ param, def, schema }) =>
        queryParameter(
          `params[${param}]`,
          schema,
          def.description ?? `The ${param} parameter (${def.type}).`,
          def.required,
        ),
      ),
      ...filters,
    ],
  };
  setJsonSchema(rows, ref(`${name}ResultDocument`));

  const example = { select: columns.slice(0, 2), limit: 10 };
  const query: Operation = {
    ...structuredClone(generic.query),
    operationId: `query_${dataset.name}`,
    tags,
    summary: `Query ${dataset.name}: filters, grouping, time buckets, aggregates, order, limit`,
    description: dataset.description,
    parameters: resultOptions,
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref(`${name}QuerySpec`), example } },
    },
  };
  setJsonSchema(query, ref(`${name}ResultDocument`));

  const schemas: Record<string, Json> = {
    [`${name}Column`]: { type: 'string', enum: columns, description: `A column of ${dataset.name}.` },
    [`${name}Row`]: {
      type: 'object',
      description: `A row of ${dataset.name} (the columns selected).`,
      properties: Object.fromEntries(
        dataset.columns.map((c) => {
          const value = jsonValue(c.type);
          const type = value['type'] as string | string[] | undefined;
          const nullable =
            c.nullable && type !== undefined
              ? { type: [...(Array.isArray(type) ? type : [type]), 'null'] }
              : {};
          return [
            c.name,
            { ...value, ...nullable, ...(c.description === undefined ? {} : { description: c.description }) },
          ];
        }),
      ),
    },
    [`${name}ResultDocument`]: resultDocumentSchema(ref(`${name}Row`)),
    [`${name}QuerySpec`]: typedQuerySpec(generic.querySpec, name, params.length > 0),
    ...typedFilters(generic.filters, name),
  };
  if (params.length > 0) {
    schemas[`${name}Params`] = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        params.map(({ param, def, schema }) => {
          // A default in a body schema makes generators require the property; say it instead.
          const { default: fallback, ...rest } = schema;
          const said = [
            def.description,
            fallback === undefined ? undefined : `Default: ${JSON.stringify(fallback)}.`,
          ];
          const description = said.filter((s) => s !== undefined).join(' ');
          return [param, { ...rest, ...(description === '' ? {} : { description }) }];
        }),
      ),
      required: params.filter(({ def }) => def.required).map(({ param }) => param),
    };
  }
  return {
    paths: {
      [`/v1/datasets/${dataset.name}/rows`]: { get: rows },
      [`/v1/datasets/${dataset.name}/query`]: { post: query },
    },
    schemas,
  };
}

function setJsonSchema(operation: Operation, schema: Json): void {
  const content = operation.responses['200']?.['content'] as Record<string, Json> | undefined;
  const json = content?.['application/json'];
  if (json !== undefined) json['schema'] = schema;
}

/** QuerySpec with the dataset's columns where a column of the source is named. */
function typedQuerySpec(generic: Json, name: string, hasParams: boolean): Json {
  const spec = structuredClone(generic) as Json & { properties: Record<string, Json> };
  const column = ref(`${name}Column`);
  const { properties } = spec;
  if (hasParams) properties['params'] = ref(`${name}Params`);
  else delete properties['params'];
  const items = (key: string) => (properties[key] as { items: Json }).items;
  // select: a column, or {column, as}
  retypeColumns(items('select'), column);
  retypeColumns(items('groupBy'), column);
  retypeColumns(items('aggregates'), column);
  properties['where'] = ref(`${name}Filter`);
  return { ...spec, title: `${name}QuerySpec` };
}

/** Replaces `column` properties (and bare column names) of a schema by the dataset's enum. */
function retypeColumns(schema: Json, column: Json): void {
  const variants = (schema['anyOf'] as Json[] | undefined) ?? [schema];
  for (const variant of variants) {
    if (variant['type'] === 'string') {
      // A bare column name: the dataset's enum instead.
      for (const key of Object.keys(variant)) Reflect.deleteProperty(variant, key);
      Object.assign(variant, column);
    }
    const props = variant['properties'] as Record<string, Json> | undefined;
    if (props?.['column'] !== undefined) props['column'] = { ...column };
  }
}

/** The filter components with the dataset's columns, referring to each other. */
function typedFilters(generic: Record<string, Json>, name: string): Record<string, Json> {
  const text = JSON.stringify(generic).replaceAll(
    '#/components/schemas/Filter',
    `#/components/schemas/${name}Filter`,
  );
  const copy = JSON.parse(text) as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const [key, schema] of Object.entries(copy)) {
    const props = schema['properties'] as Record<string, Json> | undefined;
    if (props?.['column'] !== undefined) props['column'] = ref(`${name}Column`);
    out[`${name}${key}`] = { ...schema, ...('title' in schema ? { title: `${name}${key}` } : {}) };
  }
  return out;
}
