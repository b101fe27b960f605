import Type, { type Static } from 'typebox';
import { SCALAR_TYPES } from '../query/scalar-types.js';
import { SPEC_LIMITS, Scalar } from '../query/spec.js';
import { FORMAT_NAMES } from './negotiate.js';

/** Request and response schemas of the HTTP API: route validation and openapi.yaml both use these. */

const strict = { additionalProperties: false } as const;

/**
 * The largest `maxRows` and `maxBytes` a request may name: Spark's limit is a 32-bit integer
 * and one row more than the cap is asked for; byte counts stay exact in a double. The server's
 * MAX_ROWS and MAX_BYTES, which the document it serves gives, are usually far lower.
 */
export const RESULT_LIMIT_MAXIMUMS = { maxRows: 2_147_483_646, maxBytes: Number.MAX_SAFE_INTEGER } as const;

export const DatasetName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'A dataset name.' });

export const ResultOptions = Type.Object({
  format: Type.Optional(
    Type.Enum([...FORMAT_NAMES], {
      description: 'Overrides the Accept header: ndjson (default), json, csv or arrow.',
    }),
  ),
  numbers: Type.Optional(
    Type.Boolean({
      description: 'Longs and decimals as JSON numbers instead of exact strings (JSON, NDJSON).',
    }),
  ),
  escapeFormulas: Type.Optional(
    Type.Boolean({
      description:
        "CSV: text cells and column names starting with =, +, -, @, tab or CR get a leading ' so spreadsheets " +
        'do not run them as formulas (the server’s CSV_ESCAPE_FORMULAS, true unless changed, is the default); ' +
        'false sends them as they are.',
    }),
  ),
  maxRows: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: RESULT_LIMIT_MAXIMUMS.maxRows,
      description: 'At most this many rows (at most the server’s MAX_ROWS).',
    }),
  ),
  maxBytes: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: RESULT_LIMIT_MAXIMUMS.maxBytes,
      description: 'At most this many bytes of rows (at most the server’s MAX_BYTES).',
    }),
  ),
});
export type ResultOptions = Static<typeof ResultOptions>;

export const RowsQuery = Type.Object(
  {
    ...ResultOptions.properties,
    select: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'Comma-separated columns, or the key repeated (select=a&select=b).',
        examples: ['region,revenue'],
      }),
    ),
    orderBy: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'Comma-separated columns, or the key repeated; a leading - sorts descending.',
        examples: ['-ts,event_id'],
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: SPEC_LIMITS.maxRowIndex })),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: SPEC_LIMITS.maxRowIndex,
        description: `Rows to skip; limit + offset is at most ${SPEC_LIMITS.maxRowIndex}.`,
      }),
    ),
  },
  {
    description:
      'Besides these: `params[<name>]=<value>` sets a dataset parameter; `filter[<column>]=<value>` keeps rows equal ' +
      'to the value, `filter[<column>][<op>]=<value>` applies another operator (ne, lt, lte, gt, gte, like, ilike; ' +
      'in and not_in take comma-separated values; is_null and not_null take true).',
    patternProperties: { '^(params|filter)\\[[^\\]]+\\](\\[[a-z_]+\\])?$': Type.String() },
    additionalProperties: false,
  },
);

export const SqlRequest = Type.Object(
  {
    sql: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description: 'One SQL statement with :name or ? markers.',
    }),
    params: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.Union([Scalar, Type.Ref('TypedParameter')]),
        {
          maxProperties: 1_000,
          description: 'Values of :name markers.',
        },
      ),
    ),
    positional: Type.Optional(
      Type.Array(Type.Union([Scalar, Type.Ref('TypedParameter')]), {
        maxItems: 1_000,
        description: 'Values of ? markers.',
      }),
    ),
  },
  { ...strict, $id: 'SqlRequest', description: 'Either params or positional, not both.' },
);
export type SqlRequest = Static<typeof SqlRequest>;

export const TypedParameter = Type.Object(
  {
    type: Type.Enum([...SCALAR_TYPES, 'null']),
    value: Type.Optional(Scalar),
  },
  {
    ...strict,
    $id: 'TypedParameter',
    title: 'TypedParameter',
    description:
      'A value with its Spark type, e.g. {"type":"long","value":"9007199254740993"} or {"type":"date","value":"2024-02-29"}. ' +
      'A bare JSON value is a string, boolean, int (or long when it does not fit) or double.',
  },
);
export type TypedParameter = Static<typeof TypedParameter>;

const Column = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'Spark’s type name, e.g. bigint, decimal(12,2), timestamp.' }),
  nullable: Type.Boolean(),
  description: Type.Optional(Type.String()),
});

const Parameter = Type.Object({
  type: Type.Enum([...SCALAR_TYPES]),
  required: Type.Boolean(),
  description: Type.Optional(Type.String()),
  default: Type.Optional(Scalar),
  allowed: Type.Optional(Type.Array(Scalar)),
  min: Type.Optional(Scalar),
  max: Type.Optional(Scalar),
});

const DatasetSummary = Type.Object({
  name: Type.String(),
  description: Type.String(),
  parameters: Type.Record(Type.String(), Parameter),
  links: Type.Object({ self: Type.String(), rows: Type.String(), query: Type.String() }),
});

export const DatasetList = Type.Object(
  { datasets: Type.Array(DatasetSummary) },
  { $id: 'DatasetList', title: 'DatasetList' },
);

export const DatasetDescription = Type.Object(
  {
    ...DatasetSummary.properties,
    columns: Type.Array(Column),
    defaultLimit: Type.Integer(),
    maxLimit: Type.Integer(),
    filterable: Type.Optional(Type.Array(Type.String())),
    groupable: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'DatasetDescription', title: 'DatasetDescription' },
);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'A stable code from the error catalogue.' }),
    detail: Type.String(),
    pointer: Type.Optional(Type.String({ description: 'The part of the request at fault (JSON pointer).' })),
    allowed: Type.Optional(Type.Array(Type.String(), { description: 'What would be accepted there.' })),
    errorClass: Type.Optional(Type.String({ description: 'Spark’s error class, when Spark raised it.' })),
    sqlState: Type.Optional(Type.String()),
    retryAfter: Type.Optional(Type.Integer({ description: 'Seconds to wait before retrying.' })),
  },
  { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details.' },
);
