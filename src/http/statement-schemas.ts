/** The statements API's request and response schemas (they also make its OpenAPI description). */
import Type, { type Static } from 'typebox';
import { QuerySpec, Scalar } from '../query/spec.js';
import { STATEMENT_STATES } from '../service/statements/statement.js';
import { FORMAT_NAMES } from './negotiate.js';
import { DatasetName, Problem, ResultOptions } from './schemas.js';

const strict = { additionalProperties: false } as const;

/** Most and default time a request waits for its statement (Databricks' 50 s and 10 s). */
export const WAIT_TIMEOUT = { max: 50_000, default: 10_000 } as const;

const waitTimeoutMs = (description: string) =>
  Type.Integer({ minimum: 0, maximum: WAIT_TIMEOUT.max, description });

export const StatementRequest = Type.Object(
  {
    dataset: Type.Optional(DatasetName),
    query: Type.Optional(QuerySpec),
    sql: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1_000_000,
        description: 'One SQL statement (when RAW_SQL is on).',
      }),
    ),
    params: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.Union([Scalar, Type.Ref('TypedParameter')]),
        {
          maxProperties: 1_000,
          description: 'The dataset’s parameters, or the values of the SQL’s :name markers.',
        },
      ),
    ),
    positional: Type.Optional(
      Type.Array(Type.Union([Scalar, Type.Ref('TypedParameter')]), {
        maxItems: 1_000,
        description: 'Values of the SQL’s ? markers.',
      }),
    ),
    format: Type.Optional(
      Type.Enum([...FORMAT_NAMES], { description: 'The default format of the result’s links.' }),
    ),
    waitTimeoutMs: Type.Optional(
      waitTimeoutMs(
        `How long to wait for the statement to end before answering 202 (default ${WAIT_TIMEOUT.default}).`,
      ),
    ),
    onWaitTimeout: Type.Optional(
      Type.Enum(['CONTINUE', 'CANCEL'], {
        description: 'When the wait is over: let the statement run on (default), or stop it.',
      }),
    ),
  },
  {
    ...strict,
    $id: 'StatementRequest',
    title: 'StatementRequest',
    description: 'A dataset (with a query and parameters) or SQL, not both.',
  },
);
export type StatementRequest = Static<typeof StatementRequest>;

const count = Type.Integer({ minimum: 0 });

export const StatementView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    state: Type.Enum([...STATEMENT_STATES]),
    progress: Type.Object({
      stagesDone: count,
      stagesTotal: count,
      tasksDone: count,
      tasksTotal: count,
      tasksRunning: count,
      bytesRead: count,
      rows: count,
      elapsedMs: count,
    }),
    expiresAt: Type.String({ format: 'date-time', description: 'When the statement and its result go.' }),
    manifest: Type.Optional(
      Type.Object({
        columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
        totalRows: count,
        totalBytes: count,
        truncated: Type.Boolean(),
        chunks: Type.Array(
          Type.Object({
            index: count,
            rowOffset: count,
            rowCount: count,
            byteCount: count,
            href: Type.String({ description: 'The chunk, in the statement’s format.' }),
          }),
        ),
      }),
    ),
    error: Type.Optional(Problem),
  },
  { $id: 'Statement', title: 'Statement' },
);

export const StatementId = Type.Object({
  id: Type.String({ format: 'uuid', description: 'A statement id.' }),
});
export const ChunkParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'A statement id.' }),
  index: Type.Integer({
    minimum: 0,
    maximum: 2_147_483_647,
    description: 'A chunk index of the manifest.',
    examples: [0],
  }),
});
export const PollQuery = Type.Object(
  { waitTimeoutMs: Type.Optional(waitTimeoutMs('Wait up to this long for the state to change.')) },
  strict,
);

/** What a result route's query string may say: the format and how values are written. */
export const ResultQuery = Type.Pick(ResultOptions, ['format', 'numbers', 'escapeFormulas']);
