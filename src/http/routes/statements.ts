/** Statements (under `/v1`): queries run in the background, their results read by link. */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { Config } from '../../config.js';
import type { QueryService } from '../../service/query-service.js';
import type { StatementService } from '../../service/statements/service.js';
import type { StatementRecord } from '../../service/statements/statement.js';
import { FORMATS, mediaType } from '../negotiate.js';
import { jsonResponse, problems } from '../openapi-responses.js';
import { opener } from '../statement-opener.js';
import { sendResult } from '../statement-send.js';
import {
  ChunkParams,
  PollQuery,
  ResultQuery,
  StatementId,
  StatementRequest,
  StatementView,
  WAIT_TIMEOUT,
} from '../statement-schemas.js';

export interface StatementRouteOptions {
  readonly queries: QueryService;
  readonly statements: StatementService;
  readonly config: Config;
}

const STATEMENT = { 200: jsonResponse('The statement', StatementView) };
const RESULT = {
  description:
    'The result or one chunk, in the negotiated format (the statement’s by default); Range requests resume it.',
  content: Object.fromEntries(
    Object.values(FORMATS).map((type) => [mediaType(type), { schema: { type: 'string' } }]),
  ),
};

/** Statements (under `/v1`): queries run in the background, their results read by link. */
export const statementRoutes: FastifyPluginCallbackTypebox<StatementRouteOptions> = (
  app,
  { queries, statements, config },
  done,
) => {
  app.post(
    '/statements',
    {
      schema: {
        operationId: 'submitStatement',
        tags: ['statements'],
        summary: 'Run a query in the background; wait for it up to waitTimeoutMs',
        body: StatementRequest,
        bodyExample: { dataset: 'events', query: { limit: 10 }, waitTimeoutMs: 10000 },
        response: {
          ...STATEMENT,
          202: jsonResponse('The statement, still running (or canceled at the wait’s end)', StatementView),
          ...problems(400, 401, 403, 404, 413, 415, 429, 502, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const open = await opener(request, body, queries, config);
      const { record, ended } = await statements.submit(request.principal, open, {
        format: body.format ?? 'ndjson',
        waitMs: body.waitTimeoutMs ?? WAIT_TIMEOUT.default,
        onWaitTimeout: body.onWaitTimeout ?? 'CONTINUE',
      });
      if (!ended) void reply.code(202).header('location', `/v1/statements/${record.id}`);
      return view(record);
    },
  );

  app.get(
    '/statements/:id',
    {
      schema: {
        operationId: 'getStatement',
        tags: ['statements'],
        summary: 'A statement: its state, progress and, once it SUCCEEDED, the manifest of its result',
        params: StatementId,
        querystring: PollQuery,
        response: { ...STATEMENT, ...problems(400, 401, 404, 429) },
      },
    },
    async (request) =>
      view(await statements.get(request.principal, request.params.id, request.query.waitTimeoutMs ?? 0)),
  );

  app.delete(
    '/statements/:id',
    {
      schema: {
        operationId: 'deleteStatement',
        tags: ['statements'],
        summary: 'Cancel a statement (its Spark job stops) and delete its result',
        params: StatementId,
        response: {
          204: { description: 'Canceled and deleted', type: 'null' },
          ...problems(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      await statements.cancel(request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );

  const resultSchema = (
    operationId: string,
    summary: string,
    params: typeof StatementId | typeof ChunkParams,
  ) => ({
    operationId,
    tags: ['statements'],
    summary,
    params,
    querystring: ResultQuery,
    response: {
      200: RESULT,
      206: { ...RESULT, description: 'The bytes the Range asked for (Content-Range says which).' },
      304: { description: 'Not modified (If-None-Match)', type: 'null' },
      ...problems(400, 401, 404, 406, 409, 410, 416, 429),
    },
  });
  app.get(
    '/statements/:id/result',
    {
      schema: resultSchema(
        'getStatementResult',
        'The whole result of a statement that SUCCEEDED',
        StatementId,
      ),
    },
    (request, reply) => sendResult(request, reply, statements, config, undefined),
  );
  app.get(
    '/statements/:id/result/chunks/:index',
    {
      schema: resultSchema(
        'getStatementChunk',
        'One chunk of the result of a statement that SUCCEEDED',
        ChunkParams,
      ),
    },
    (request, reply) =>
      sendResult(request, reply, statements, config, (request.params as Static<typeof ChunkParams>).index),
  );
  done();
};

function view(record: StatementRecord): Static<typeof StatementView> {
  const { id, state, progress, manifest, error } = record;
  const format = record.format === 'ndjson' ? '' : `?format=${record.format}`;
  return {
    id,
    state,
    progress,
    expiresAt: new Date(record.expiresAt).toISOString(),
    ...(manifest === undefined
      ? {}
      : {
          manifest: {
            ...manifest,
            chunks: manifest.chunks.map((c) => ({
              ...c,
              href: `/v1/statements/${id}/result/chunks/${c.index}${format}`,
            })),
          },
        }),
    ...(error === undefined ? {} : { error }),
  } as Static<typeof StatementView>;
}
