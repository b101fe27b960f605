import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Config } from '../../config.js';
import { QuerySpec } from '../../query/spec.js';
import type { QueryService } from '../../service/query-service.js';
import { rowsQuerySpec } from '../rows-query.js';
import { runResult } from '../run.js';
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
    { schema: { response: { 200: DatasetList } } },
    (request) =>
      ({
        datasets: service.list(request.principal).map((d) => ({ ...d, links: links(d.name) })),
      }) as Static<typeof DatasetList>,
  );

  app.get(
    '/datasets/:name',
    { schema: { params: Params, response: { 200: DatasetDescription } } },
    async (request) => {
      const description = await service.describe(
        request.params.name,
        AbortSignal.timeout(config.readyTimeoutMs),
        request.principal,
      );
      return { ...description, links: links(description.name) } as Static<typeof DatasetDescription>;
    },
  );

  app.get('/datasets/:name/rows', { schema: { params: Params, querystring: RowsQuery } }, (request, reply) =>
    runResult(request, reply, config, request.query, (signal, maxRows) =>
      service.openDataset(request.params.name, rowsQuerySpec(request.query), {
        signal,
        maxRows,
        tags: [tag(request.id)],
        principal: request.principal,
      }),
    ),
  );

  app.post(
    '/datasets/:name/query',
    { schema: { params: Params, querystring: ResultOptions, body: QuerySpec } },
    (request, reply) =>
      runResult(request, reply, config, request.query, (signal, maxRows) =>
        // The schema refers to Filter for `where` and `having`; the QuerySpec type names it.
        service.openDataset(request.params.name, request.body as QuerySpec, {
          signal,
          maxRows,
          tags: [tag(request.id)],
          principal: request.principal,
        }),
      ),
  );
  done();
};

/** The request id as a Spark operation tag, to find or interrupt the query in Spark. */
export function tag(requestId: string): string {
  return `spark-data-api:${requestId.replaceAll(',', '_')}`;
}
