import Type, { type Static } from 'typebox';
import { SCALAR_TYPES } from '../query/scalar-types.js';
import { SPEC_LIMITS, Scalar } from '../query/spec.js';

/** The datasets file: what every session is set up with, and the datasets by name. */

const strict = { additionalProperties: false } as const;

export const DATASET_NAME = '^[a-z][a-z0-9_]{0,62}$';

export const ParameterConfig = Type.Object(
  {
    type: Type.Enum([...SCALAR_TYPES]),
    description: Type.Optional(Type.String()),
    required: Type.Optional(Type.Boolean()),
    default: Type.Optional(Scalar),
    allowed: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
    min: Type.Optional(Scalar),
    max: Type.Optional(Type.Union([Scalar])),
  },
  strict,
);

export const DatasetConfig = Type.Object(
  {
    description: Type.String({ minLength: 1 }),
    table: Type.Optional(Type.String({ minLength: 1, description: 'A table or view Spark knows.' })),
    sql: Type.Optional(Type.String({ minLength: 1, description: 'A query with :name parameters.' })),
    parameters: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), ParameterConfig),
    ),
    columns: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Column descriptions.' }),
    ),
    // Spark's LIMIT is a 32-bit integer.
    defaultLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: SPEC_LIMITS.maxRowIndex })),
    maxLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: SPEC_LIMITS.maxRowIndex })),
    filterable: Type.Optional(Type.Array(Type.String())),
    groupable: Type.Optional(Type.Array(Type.String())),
    cacheTtlSeconds: Type.Optional(
      Type.Integer({ minimum: 0, description: 'How long results may be reused; 0 never.' }),
    ),
    tenants: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Tenants that may query the dataset; every tenant when absent.',
      }),
    ),
    rowFilters: Type.Optional(
      Type.Array(
        Type.Object(
          {
            column: Type.String({ minLength: 1 }),
            claim: Type.String({ minLength: 1, description: 'A claim of the principal.' }),
          },
          strict,
        ),
        { description: 'Rows a principal sees: column = the value of its claim (any of them, for a list).' },
      ),
    ),
  },
  strict,
);
export type DatasetConfig = Static<typeof DatasetConfig>;

export const DatasetsFile = Type.Object(
  {
    setup: Type.Optional(
      Type.Object(
        {
          configs: Type.Optional(Type.Record(Type.String(), Type.String())),
          statements: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        },
        strict,
      ),
    ),
    datasets: Type.Record(Type.String({ pattern: DATASET_NAME }), DatasetConfig, {
      additionalProperties: false,
      description: 'Datasets by name: lower case letters, digits and underscores, starting with a letter.',
    }),
  },
  strict,
);
export type DatasetsFile = Static<typeof DatasetsFile>;

export const DEFAULT_LIMIT = 1_000;
export const MAX_LIMIT = 100_000;
