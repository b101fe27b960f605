/**
 * Clients generated from the OpenAPI document the demo serves, as their users make them:
 * openapi-typescript + openapi-fetch, and openapi-python-client. Each calls every read route,
 * the per-dataset operations included, and gets what the service answers a plain HTTP call.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { call, serve, type Served } from '../../helpers/http.js';
import { npmBin, ROOT, runTool } from '../../helpers/run-tool.js';

let served: Served;
let dir: string;

before(async () => {
  served = await serve({});
  // Inside the repository, so that the TypeScript client resolves openapi-fetch.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'openapi-clients-'));
  const document = await call('GET', `${served.url}/openapi.json`);
  assert.equal(document.status, 200);
  writeFileSync(join(dir, 'openapi.json'), document.body);
});
after(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What each client reports per call: the status, and the rows of JSON answers. */
type Report = Record<string, { status: number; rows?: unknown[]; text?: string }>;

/** The same calls made directly, to compare with. */
async function reference(): Promise<Report> {
  const get = async (path: string) => call('GET', `${served.url}${path}`);
  const post = async (path: string, body: unknown) => call('POST', `${served.url}${path}`, { body });
  const rows = async (answer: Promise<Awaited<ReturnType<typeof get>>>) => {
    const a = await answer;
    return { status: a.status, rows: (a.json() as { rows: unknown[] }).rows };
  };
  return {
    health: { status: (await get('/healthz')).status },
    readiness: { status: (await get('/readyz')).status },
    metrics: { status: (await get('/metrics')).status },
    datasets: { status: (await get('/v1/datasets')).status },
    dataset: { status: (await get('/v1/datasets/events')).status },
    genericRows: await rows(
      get('/v1/datasets/events/rows?format=json&select=event_id,region&orderBy=event_id&limit=3'),
    ),
    genericQuery: await rows(
      post('/v1/datasets/events/query?format=json', { orderBy: ['event_id'], limit: 2 }),
    ),
    eventsRows: await rows(
      get(
        '/v1/datasets/events/rows?format=json&select=event_id,region&filter%5Bregion%5D=EU&orderBy=-event_id&limit=3',
      ),
    ),
    dailyRows: await rows(
      get('/v1/datasets/daily_revenue/rows?format=json&params%5Bregion%5D=EU&orderBy=day&limit=5'),
    ),
    eventsQuery: await rows(
      post('/v1/datasets/events/query?format=json', {
        select: ['event_id', 'revenue'],
        where: { op: 'gte', column: 'revenue', value: '999.90' },
        orderBy: ['event_id'],
        limit: 3,
      }),
    ),
    dailyQuery: await rows(
      post('/v1/datasets/daily_revenue/query?format=json', {
        params: { region: 'US' },
        groupBy: ['region'],
        aggregates: [{ fn: 'sum', column: 'purchases', as: 'purchases' }],
      }),
    ),
    graphql: { status: (await post('/graphql', { query: '{ datasets { name } }' })).status },
    graphqlSchema: { status: (await get('/graphql/schema.graphql')).status },
    openapi: { status: (await get('/openapi.json')).status },
  };
}

const TYPESCRIPT_CLIENT = `import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const client = createClient<paths>({ baseUrl: process.env['BASE_URL'] ?? '' });
type Answer = { data?: unknown; response: Response };
const report: Record<string, { status: number; rows?: unknown[] }> = {};
const note = async (label: string, call: Promise<Answer>, withRows = false) => {
  const { data, response } = await call;
  report[label] = withRows ? { status: response.status, rows: (data as { rows: unknown[] }).rows } : { status: response.status };
};
const json = { format: 'json' } as const;

await note('health', client.GET('/healthz'));
await note('readiness', client.GET('/readyz'));
await note('metrics', client.GET('/metrics', { parseAs: 'text' }));
await note('datasets', client.GET('/v1/datasets'));
await note('dataset', client.GET('/v1/datasets/{name}', { params: { path: { name: 'events' } } }));
await note('genericRows', client.GET('/v1/datasets/{name}/rows', {
  params: { path: { name: 'events' }, query: { ...json, select: 'event_id,region', orderBy: 'event_id', limit: 3 } },
}), true);
await note('genericQuery', client.POST('/v1/datasets/{name}/query', {
  params: { path: { name: 'events' }, query: json }, body: { orderBy: ['event_id'], limit: 2 },
}), true);
await note('eventsRows', client.GET('/v1/datasets/events/rows', {
  params: { query: { ...json, select: ['event_id', 'region'], 'filter[region]': 'EU', orderBy: ['-event_id'], limit: 3 } },
}), true);
await note('dailyRows', client.GET('/v1/datasets/daily_revenue/rows', {
  params: { query: { ...json, 'params[region]': 'EU', orderBy: ['day'], limit: 5 } },
}), true);
await note('eventsQuery', client.POST('/v1/datasets/events/query', {
  params: { query: json },
  body: { select: ['event_id', 'revenue'], where: { op: 'gte', column: 'revenue', value: '999.90' }, orderBy: ['event_id'], limit: 3 },
}), true);
await note('dailyQuery', client.POST('/v1/datasets/daily_revenue/query', {
  params: { query: json },
  body: { params: { region: 'US' }, groupBy: ['region'], aggregates: [{ fn: 'sum', column: 'purchases', as: 'purchases' }] },
}), true);
await note('graphql', client.POST('/graphql', { body: { query: '{ datasets { name } }' } }));
await note('graphqlSchema', client.GET('/graphql/schema.graphql', { parseAs: 'text' }));
await note('openapi', client.GET('/openapi.json'));
console.log(JSON.stringify(report));

/** Never called: the compiler refuses what the dataset does not have. */
export function typed(): void {
  // @ts-expect-error: events has no column "nope"
  void client.GET('/v1/datasets/events/rows', { params: { query: { select: ['nope'] } } });
  // @ts-expect-error: region is one of EU, US, APAC, LATAM
  void client.GET('/v1/datasets/daily_revenue/rows', { params: { query: { 'params[region]': 'MARS' } } });
}
`;

const PYTHON_CLIENT = `import json, sys
sys.path.insert(0, sys.argv[1])
from client import Client
from client.api.service import get_health, get_readiness, get_metrics, get_open_api_json
from client.api.datasets import list_datasets, get_dataset, get_dataset_rows, post_dataset_query
from client.api.graphql import post_graphql, get_graphql_schema
from client.api.dataset_events import rows_events, query_events
from client.api.dataset_daily_revenue import rows_daily_revenue, query_daily_revenue
from client import models

c = Client(base_url=sys.argv[2], raise_on_unexpected_status=True)
report = {}
def note(label, response, with_rows=False):
    entry = {"status": int(response.status_code)}
    if with_rows:
        entry["rows"] = [row.to_dict() if hasattr(row, "to_dict") else row for row in response.parsed.rows]
    report[label] = entry

JSON = lambda enum: enum("json")
note("health", get_health.sync_detailed(client=c))
note("readiness", get_readiness.sync_detailed(client=c))
note("metrics", get_metrics.sync_detailed(client=c))
note("datasets", list_datasets.sync_detailed(client=c))
note("dataset", get_dataset.sync_detailed("events", client=c))
note("genericRows", get_dataset_rows.sync_detailed("events", client=c, format_=JSON(models.GetDatasetRowsFormat),
     select="event_id,region", order_by="event_id", limit=3), True)
note("genericQuery", post_dataset_query.sync_detailed("events", client=c, format_=JSON(models.PostDatasetQueryFormat),
     body=models.QuerySpec.from_dict({"orderBy": ["event_id"], "limit": 2})), True)
note("eventsRows", rows_events.sync_detailed(client=c, format_=JSON(models.RowsEventsFormat),
     select=[models.EventsColumn("event_id"), models.EventsColumn("region")], filterregion="EU",
     order_by=[models.RowsEventsOrderByItem("-event_id")], limit=3), True)
note("dailyRows", rows_daily_revenue.sync_detailed(client=c, format_=JSON(models.RowsDailyRevenueFormat),
     paramsregion=models.RowsDailyRevenueParamsregion("EU"), order_by=[models.RowsDailyRevenueOrderByItem("day")], limit=5), True)
note("eventsQuery", query_events.sync_detailed(client=c, format_=JSON(models.QueryEventsFormat),
     body=models.EventsQuerySpec.from_dict({"select": ["event_id", "revenue"],
         "where": {"op": "gte", "column": "revenue", "value": "999.90"}, "orderBy": ["event_id"], "limit": 3})), True)
note("dailyQuery", query_daily_revenue.sync_detailed(client=c, format_=JSON(models.QueryDailyRevenueFormat),
     body=models.DailyRevenueQuerySpec.from_dict({"params": {"region": "US"}, "groupBy": ["region"],
         "aggregates": [{"fn": "sum", "column": "purchases", "as": "purchases"}]})), True)
note("graphql", post_graphql.sync_detailed(client=c, body=models.PostGraphqlBody.from_dict({"query": "{ datasets { name } }"})))
note("graphqlSchema", get_graphql_schema.sync_detailed(client=c))
note("openapi", get_open_api_json.sync_detailed(client=c))
print(json.dumps(report))
`;

/** The last line of a tool's output: the report it printed. */
function lastJsonLine(output: string): Report {
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Report;
}

describe('clients generated from the served OpenAPI document', () => {
  it('openapi-typescript + openapi-fetch: typed per dataset, every read route answers as the service does', async () => {
    const generate = await runTool(npmBin('openapi-typescript'), [
      join(dir, 'openapi.json'),
      '-o',
      join(dir, 'api.ts'),
    ]);
    assert.equal(generate.code, 0, generate.output);
    writeFileSync(join(dir, 'client.ts'), TYPESCRIPT_CLIENT);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['client.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const check = await runTool(npmBin('tsc'), ['-p', join(dir, 'tsconfig.json')]);
    assert.equal(check.code, 0, check.output);

    const run = await runTool(process.execPath, ['--import', 'tsx', join(dir, 'client.ts')], {
      env: { ...process.env, BASE_URL: served.url },
    });
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(lastJsonLine(run.output), await reference());
  });

  it('openapi-python-client: every read route answers as the service does', async () => {
    const python = process.env['PYTHON'];
    assert.ok(python, 'PYTHON must name a Python with openapi-python-client (.ci/run installs it)');
    const generate = await runTool(python, [
      '-m',
      'openapi_python_client',
      'generate',
      '--path',
      join(dir, 'openapi.json'),
      '--meta',
      'none',
      '--output-path',
      join(dir, 'python', 'client'),
    ]);
    assert.equal(generate.code, 0, generate.output);
    assert.doesNotMatch(generate.output, /will not be generated|Unable to parse/, generate.output);
    writeFileSync(join(dir, 'calls.py'), PYTHON_CLIENT);
    const run = await runTool(python, [join(dir, 'calls.py'), join(dir, 'python'), served.url]);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(lastJsonLine(run.output), await reference());
  });
});
