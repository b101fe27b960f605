import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import Type, { type Static } from 'typebox';
import { requireScope } from '../../auth/access.js';
import type { Config } from '../../config.js';
import { Errors, withExtras } from '../../errors/catalogue.js';
import type { QuerySpec } from '../../query/spec.js';
import { clientGone } from '../../service/client-gone.js';
import type { QueryService } from '../../service/query-service.js';
import type { StatementOpener } from '../../service/statements/running.js';
import type { StatementService } from '../../service/statements/service.js';
import type { StatementRecord } from '../../service/statements/statement.js';
import { FORMATS, mediaType, negotiate } from '../negotiate.js';
import { jsonResponse, problems } from '../openapi-responses.js';
import { contentRange, notModified, parseRange, sliceBytes, wantsRange } from '../ranges.js';
import { resultColumnsHeader } from '../result-columns.js';
import { ResultOptions, type SqlRequest } from '../schemas.js';
import { lengthOf, representation } from '../statement-result.js';
import {
  ChunkParams,
  PollQuery,
  StatementId,
  StatementRequest,
  StatementView,
  WAIT_TIMEOUT,
} from '../statement-schemas.js';
import { tag } from './datasets.js';
import { sqlArguments } from './sql.js';

export interface StatementRouteOptions {
  readonly queries: QueryService;
  readonly statements: StatementService;
  readonly config: Config;
}

const ResultQuery = Type.Pick(ResultOptions, ['format', 'numbers', 'escapeFormulas']);
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
        bodyExample: { dataset: 'events', query: { limit: 10 }, waitTimeoutMs: 0 },
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

/** What runs the statement: a dataset query validated and compiled now, or raw SQL. */
async function opener(
  request: FastifyRequest,
  body: StatementRequest,
  queries: QueryService,
  config: Config,
): Promise<StatementOpener> {
  const { principal } = request;
  const tags = [tag(request.id)];
  const maxRows = config.limits.maxRows;
  if ((body.dataset === undefined) === (body.sql === undefined)) {
    throw withExtras(new Errors.RequestInvalid('give "dataset" (with a query) or "sql", one of them'), {
      pointer: '',
      allowed: ['dataset', 'sql'],
    });
  }
  if (body.sql !== undefined) {
    if (!config.rawSql) throw new Errors.SqlDisabled();
    if (principal !== undefined) requireScope(principal, 'sql:execute');
    if (body.query !== undefined) throw invalid('"query" goes with "dataset", not with "sql"', '/query');
    const args = sqlArguments(body as SqlRequest);
    const sql = body.sql;
    return (signal, progress) => queries.openSql(sql, args, { signal, maxRows, tags, principal, progress });
  }
  if (body.positional !== undefined)
    throw invalid('"positional" goes with "sql", not with "dataset"', '/positional');
  const params = body.params as QuerySpec['params'];
  const spec = { ...body.query, ...(params === undefined ? {} : { params }) } as QuerySpec;
  const signal = AbortSignal.timeout(config.limits.queryTimeoutMs);
  const plan = await queries.compileDataset(body.dataset ?? '', spec, signal, maxRows, principal);
  return (signal, progress) => queries.openPlan(plan, { signal, principal, tags, progress });
}

function invalid(message: string, pointer: string) {
  return withExtras(new Errors.RequestInvalid(message), { pointer });
}

async function sendResult(
  request: FastifyRequest,
  reply: FastifyReply,
  statements: StatementService,
  config: Config,
  chunk: number | undefined,
): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const { record, source } = await statements.result(request.principal, id);
  const query = request.query as Static<typeof ResultQuery>;
  const headers = request.headers;
  const accept = headers.accept;
  const anyType = accept === undefined || accept.trim() === '' || accept.trim() === '*/*';
  const format = negotiate(query.format ?? (anyType ? record.format : undefined), accept);
  const rep = representation(record, source, chunk, {
    format,
    numbers: query.numbers ?? false,
    escapeFormulas: query.escapeFormulas ?? config.csvEscapeFormulas,
  });
  void reply
    .header('etag', rep.etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private')
    .header('content-type', FORMATS[format]);
  const columns = resultColumnsHeader(source.schema);
  if (columns === undefined) void reply.header('result-columns-omitted', 'true');
  else void reply.header('result-columns', columns);
  if (notModified(headers, rep.etag)) return reply.code(304).send(null);
  const signal = clientGone(reply);
  if (!wantsRange(headers, rep.etag) || headers.range === undefined) {
    return reply.send(Readable.from(rep.body(signal), { objectMode: false }));
  }
  const length = await lengthOf(rep, signal);
  let range;
  try {
    range = parseRange(headers.range, length);
  } catch (err) {
    void reply.header('content-range', `bytes */${length}`);
    throw err;
  }
  return reply
    .code(206)
    .header('content-range', contentRange(range, length))
    .header('content-length', String(range.end - range.start))
    .send(Readable.from(sliceBytes(rep.body(signal), range), { objectMode: false }));
}
