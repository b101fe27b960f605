import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Config } from '../../config.js';
import { QuerySpec } from '../../query/spec.js';
import type { QueryService } from '../../service/query-service.js';
import { CACHED_RESULT_RESPONSE, jsonResponse, NOT_MODIFIED, problems } from '../openapi-responses.js';
import { rowsQuerySpec } from '../rows-query.js';
import { runDatasetResult } from '../run.js';
import { DatasetDescription, DatasetList, DatasetName, ResultOptions, RowsQuery } from '../schemas.js';

const Params = Type.Object({ name: DatasetName });

function links(name: string) {
  const self = `/v1/datasets/${name}`;
  return { self, rows: `${self}/rows`, query: `${self}/query` };
}

export interface RouteOptions {
  readonly queries: QueryService;
  readonly config: Config;
}

/** Datasets: their list, their columns and parameters, and their rows (under `/v1`). */
export const datasetRoutes: FastifyPluginCallbackTypebox<RouteOptions> = (
  app,
  { queries: service, config },
  done,
) => {
  // The service's answers are read-only views of what the response schemas describe.
  app.get(
    '/datasets',
    {
      schema: {
        operationId: 'listDatasets',
        tags: ['datasets'],
        summary: 'The datasets (those the credentials may use)',
        response: { 200: jsonResponse('The datasets', DatasetList), ...problems(401, 403, 429) },
      },
    },
    (request) =>
      ({
        datasets: service.list(request.principal).map((d) => ({ ...d, links: links(d.name) })),
      }) as Static<typeof DatasetList>,
  );

  app.get(
    '/datasets/:name',
    {
      schema: {
        operationId: 'getDataset',
        tags: ['datasets'],
        summary: 'A dataset: its columns (as Spark reports them), parameters and limits',
        params: Params,
        response: {
          200: jsonResponse('The dataset', DatasetDescription),
          ...problems(400, 401, 403, 404, 429, 502, 503, 504),
        },
      },
    },
    async (request) => {
      const description = await service.describe(
        request.params.name,
        AbortSignal.timeout(config.readyTimeoutMs),
        request.principal,
      );
      return { ...description, links: links(description.name) } as Static<typeof DatasetDescription>;
    },
  );

  app.get(
    '/datasets/:name/rows',
    {
      schema: {
        operationId: 'getDatasetRows',
        tags: ['datasets'],
        summary: 'Rows of a dataset, with simple filters in the query string',
        description:
          `${(RowsQuery as { description?: string }).description ?? ''} ` +
          'These keys depend on the dataset, so this operation does not list them: the document this server ' +
          'serves at /openapi.yaml has an operation per dataset that does.',
        params: Params,
        querystring: RowsQuery,
        response: {
          200: CACHED_RESULT_RESPONSE,
          304: NOT_MODIFIED,
          ...problems(400, 401, 403, 404, 406, 413, 422, 429, 502, 503, 504),
        },
      },
    },
    (request, reply) =>
      runDatasetResult(request, reply, config, request.query, {
        dataset: request.params.name,
        spec: rowsQuerySpec(request.query),
        tags: [tag(request.id)],
      }),
  );

  app.post(
    '/datasets/:name/query',
    {
      schema: {
        operationId: 'postDatasetQuery',
        tags: ['datasets'],
        summary: 'Query a dataset: filters, grouping, time buckets, aggregates, order, limit',
        params: Params,
        querystring: ResultOptions,
        body: QuerySpec,
        bodyExample: { limit: 10 },
        response: {
          200: CACHED_RESULT_RESPONSE,
          304: NOT_MODIFIED,
          ...problems(400, 401, 403, 404, 406, 413, 415, 422, 429, 502, 503, 504),
        },
      },
    },
    (request, reply) =>
      runDatasetResult(request, reply, config, request.query, {
        dataset: request.params.name,
        // The schema refers to Filter for `where` and `having`; the QuerySpec type names it.
        spec: request.body as QuerySpec,
        tags: [tag(request.id)],
      }),
  );
  done();
};

/** The request id as a Spark operation tag, to find or interrupt the query in Spark. */
export function tag(requestId: string): string {
  return `spark-data-api:${requestId.replaceAll(',', '_')}`;
}
