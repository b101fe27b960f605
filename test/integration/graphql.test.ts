/**
 * GraphQL against Spark: the typed fields answer what the same QuerySpec answers over HTTP,
 * dashboards run their panels at once, identical queries run once, answers are cached for
 * their dataset's TTL, and bad documents get clear errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { buildSchema, printSchema, printType } from 'graphql';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { genericSdl } from '../../src/graphql/schema.js';
import type { QuerySpec } from '../../src/query/spec.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Served } from '../helpers/http.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const CACHE_TTL_SECONDS = 2;

const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '4' },
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW items AS
       SELECT id,
         CAST(id % 100 AS INT) AS n,
         id / 4.0D AS x,
         CAST(id * 1.25 AS DECIMAL(12, 2)) AS amount,
         IF(id % 7 = 0, NULL, concat('item "', id, '", ok é')) AS label,
         id % 2 = 0 AS flag,
         date_add(DATE'2024-01-01', CAST(id % 366 AS INT)) AS day,
         timestamp_micros(1704067200000000 + id * 1000001) AS ts,
         id + 9007199254740990 AS big
       FROM range(0, 5000, 1, 3)`,
      'CREATE OR REPLACE TEMPORARY VIEW broken AS SELECT id, 1 / (id - id) AS x FROM range(3)',
      `CREATE OR REPLACE TEMPORARY VIEW heavy AS
       SELECT id, id % 13 AS k FROM range(0, 40000000, 1, 4)`,
    ],
  },
  datasets: {
    items: { description: 'every type', table: 'items', maxLimit: 100_000, defaultLimit: 100 },
    cached_items: {
      description: 'the same, cached',
      table: 'items',
      cacheTtlSeconds: CACHE_TTL_SECONDS,
    },
    heavy: { description: 'forty million rows', table: 'heavy' },
    broken: { description: 'divides by zero', table: 'broken' },
  },
});

const COLUMNS = ['id', 'n', 'x', 'amount', 'label', 'flag', 'day', 'ts', 'big'];

let served: Served;
let client: SparkConnectClient;

before(async () => {
  client = SparkConnectClient.connect(sparkRemote());
  served = await serve({ POOL_MIN: '5', POOL_MAX: '8', GRAPHQL_MAX_ROWS: '6000' }, registry, {
    spark: client,
  });
});

after(async () => {
  await served.close();
  client.close();
});

interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

async function graphql(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer> {
  const answer = await call('POST', `${served.url}/graphql`, { body: { query, variables } });
  return { status: answer.status, ...(answer.json() as object) };
}

async function data(query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await graphql(query, variables);
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  assert.equal(answer.status, 200);
  return answer.data!;
}

async function httpRows(dataset: string, spec: QuerySpec): Promise<Record<string, unknown>[]> {
  const answer = await call('POST', `${served.url}/v1/datasets/${dataset}/query?format=json`, { body: spec });
  assert.equal(answer.status, 200, answer.text());
  return (answer.json() as { rows: Record<string, unknown>[] }).rows;
}

describe('GraphQL typed fields against Spark, compared with the HTTP API', () => {
  const cases: [string, string, QuerySpec['where']][] = [
    ['_eq', '{ n: { _eq: 5 } }', { op: 'eq', column: 'n', value: 5 }],
    ['_neq', '{ n: { _neq: 5 } }', { op: 'ne', column: 'n', value: 5 }],
    ['_gt on a decimal', '{ amount: { _gt: "6000.00" } }', { op: 'gt', column: 'amount', value: '6000.00' }],
    ['_gte on a double', '{ x: { _gte: 1200.5 } }', { op: 'gte', column: 'x', value: 1200.5 }],
    ['_lt on a date', '{ day: { _lt: "2024-01-03" } }', { op: 'lt', column: 'day', value: '2024-01-03' }],
    [
      '_lte on a timestamp',
      '{ ts: { _lte: "2024-01-01T01:00:10+01:00" } }',
      { op: 'lte', column: 'ts', value: '2024-01-01T01:00:10+01:00' },
    ],
    [
      '_gte on a long beyond 2^53',
      '{ big: { _gte: "9007199254741093" } }',
      { op: 'gte', column: 'big', value: '9007199254741093' },
    ],
    ['_in', '{ n: { _in: [1, 2, 3] } }', { op: 'in', column: 'n', values: [1, 2, 3] }],
    ['_nin', '{ n: { _nin: [1, 2, 3] } }', { op: 'not_in', column: 'n', values: [1, 2, 3] }],
    ['_like', '{ label: { _like: "item \\"12%" } }', { op: 'like', column: 'label', pattern: 'item "12%' }],
    ['_ilike', '{ label: { _ilike: "ITEM \\"9%" } }', { op: 'ilike', column: 'label', pattern: 'ITEM "9%' }],
    ['_is_null: true', '{ label: { _is_null: true } }', { op: 'is_null', column: 'label' }],
    ['_is_null: false', '{ label: { _is_null: false } }', { op: 'not_null', column: 'label' }],
    [
      'two conditions on one column',
      '{ n: { _gt: 10, _lt: 14 } }',
      {
        op: 'and',
        filters: [
          { op: 'gt', column: 'n', value: 10 },
          { op: 'lt', column: 'n', value: 14 },
        ],
      },
    ],
    [
      '_and',
      '{ _and: [{ flag: { _eq: true } }, { n: { _lt: 4 } }] }',
      {
        op: 'and',
        filters: [
          { op: 'eq', column: 'flag', value: true },
          { op: 'lt', column: 'n', value: 4 },
        ],
      },
    ],
    [
      '_or',
      '{ _or: [{ n: { _eq: 1 } }, { label: { _is_null: true } }] }',
      {
        op: 'or',
        filters: [
          { op: 'eq', column: 'n', value: 1 },
          { op: 'is_null', column: 'label' },
        ],
      },
    ],
    ['_not', '{ _not: { n: { _gte: 2 } } }', { op: 'not', filter: { op: 'gte', column: 'n', value: 2 } }],
  ];

  for (const [name, where, filter] of cases) {
    it(`where ${name}`, async () => {
      const got = await data(
        `{ items(where: ${where}, orderBy: [{ id: asc }], limit: 40, offset: 3) { ${COLUMNS.join(' ')} } }`,
      );
      const expected = await httpRows('items', {
        select: COLUMNS,
        where: filter!,
        orderBy: ['id'],
        limit: 40,
        offset: 3,
      });
      assert.ok(expected.length > 0, 'the case selects rows');
      assert.deepEqual(got['items'], expected);
    });
  }

  it('orders by several columns with nulls placed, with limit and offset', async () => {
    const got = await data(
      `{ items(orderBy: [{ label: desc_nulls_first }, { n: asc }, { id: desc }], limit: 30, offset: 690) {
          ${COLUMNS.join(' ')} } }`,
    );
    const expected = await httpRows('items', {
      select: COLUMNS,
      orderBy: [
        { column: 'label', direction: 'desc', nulls: 'first' },
        'n',
        { column: 'id', direction: 'desc' },
      ],
      limit: 30,
      offset: 690,
    });
    assert.equal(expected.length, 30);
    assert.deepEqual(got['items'], expected);
  });

  it('aggregates by group: count, count distinct, sum, avg, min and max', async () => {
    const got = (await data(`{
      itemsAggregate(groupBy: [flag], where: { n: { _lt: 50 } }, orderBy: [{ key: { flag: asc } }]) {
        key { flag } count countDistinct { n } sum { amount x n } avg { amount x } min { day label } max { ts big }
      } }`)) as { itemsAggregate: Record<string, Record<string, unknown>>[] };
    const expected = await httpRows('items', {
      where: { op: 'lt', column: 'n', value: 50 },
      groupBy: ['flag'],
      aggregates: [
        { fn: 'count', as: 'count' },
        { fn: 'count_distinct', column: 'n', as: 'distinct_n' },
        { fn: 'sum', column: 'amount', as: 'sum_amount' },
        { fn: 'sum', column: 'x', as: 'sum_x' },
        { fn: 'sum', column: 'n', as: 'sum_n' },
        { fn: 'avg', column: 'amount', as: 'avg_amount' },
        { fn: 'avg', column: 'x', as: 'avg_x' },
        { fn: 'min', column: 'day', as: 'min_day' },
        { fn: 'min', column: 'label', as: 'min_label' },
        { fn: 'max', column: 'ts', as: 'max_ts' },
        { fn: 'max', column: 'big', as: 'max_big' },
      ],
      orderBy: ['flag'],
    });
    assert.equal(expected.length, 2);
    assert.deepEqual(
      got.itemsAggregate,
      expected.map((r) => ({
        key: { flag: r['flag'] },
        count: r['count'],
        countDistinct: { n: r['distinct_n'] },
        sum: { amount: r['sum_amount'], x: r['sum_x'], n: r['sum_n'] },
        avg: { amount: r['avg_amount'], x: r['avg_x'] },
        min: { day: r['min_day'], label: r['min_label'] },
        max: { ts: r['max_ts'], big: r['max_big'] },
      })),
    );
  });

  it('orders groups by a measure it was not asked to show', async () => {
    const got = (await data(
      '{ itemsAggregate(groupBy: [n], orderBy: [{ sum: { amount: desc } }], limit: 5) { key { n } count } }',
    )) as { itemsAggregate: { key: { n: number }; count: string }[] };
    const expected = await httpRows('items', {
      groupBy: ['n'],
      aggregates: [
        { fn: 'count', as: 'count' },
        { fn: 'sum', column: 'amount', as: 's' },
      ],
      orderBy: [{ column: 's', direction: 'desc' }],
      limit: 5,
    });
    assert.deepEqual(
      got.itemsAggregate,
      expected.map((r) => ({ key: { n: r['n'] }, count: r['count'] })),
    );
  });

  for (const [unit, column, timeZone, arg] of [
    ['hour', 'ts', 'Asia/Kolkata', 'timeBucket'],
    ['minute', 'ts', undefined, 'timeBucket'],
    ['month', 'day', undefined, 'dateBucket'],
    ['week', 'day', undefined, 'dateBucket'],
  ] as const) {
    it(`buckets ${column} by ${unit}${timeZone === undefined ? '' : ` in ${timeZone}`}`, async () => {
      const zone = timeZone === undefined ? '' : `, timeZone: "${timeZone}"`;
      const got = (await data(
        `{ itemsAggregate(${arg}: { column: ${column}, unit: ${unit}${zone} }, orderBy: [{ bucket: asc }]) {
            bucket count max { id } } }`,
      )) as { itemsAggregate: { bucket: string; count: string; max: { id: string } }[] };
      const expected = await httpRows('items', {
        groupBy: [{ column, bucket: unit, ...(timeZone === undefined ? {} : { timeZone }), as: 'b' }],
        aggregates: [
          { fn: 'count', as: 'c' },
          { fn: 'max', column: 'id', as: 'm' },
        ],
        orderBy: ['b'],
      });
      assert.ok(expected.length > 1);
      assert.deepEqual(
        got.itemsAggregate,
        expected.map((r) => ({ bucket: r['b'], count: r['c'], max: { id: r['m'] } })),
      );
    });
  }

  it('answers the generic query field as the HTTP API answers the same QuerySpec', async () => {
    const spec: QuerySpec = {
      select: ['id', { column: 'amount', as: 'a' }],
      where: { op: 'between', column: 'id', from: 10, to: 20 },
      orderBy: [{ column: 'id', direction: 'desc' }],
    };
    const got = (await data(
      `query($where: FilterInput) {
        query(dataset: "items", select: ["id", "amount"], where: $where, orderBy: [{ column: "id", direction: desc }]) {
          columns { name type } rows rowCount truncated cached } }`,
      { where: spec.where },
    )) as {
      query: { columns: unknown[]; rows: Record<string, unknown>[]; rowCount: number; truncated: boolean };
    };
    const expected = await httpRows('items', { ...spec, select: ['id', 'amount'] });
    assert.deepEqual(got.query.rows, expected);
    assert.equal(got.query.rowCount, 11);
    assert.equal(got.query.truncated, false);
    assert.deepEqual(got.query.columns, [
      { name: 'id', type: 'bigint' },
      { name: 'amount', type: 'decimal(12,2)' },
    ]);
  });
});

describe('GraphQL dashboards, de-duplication and the result cache against Spark', () => {
  const panel = (k: number) =>
    `p${k}: heavyAggregate(where: { k: { _neq: ${k} } }, groupBy: [k], orderBy: [{ key: { k: asc } }], cache: BYPASS) {
        key { k } count sum { id } }`;

  it('runs the panels of a dashboard at once, each on its own session', async (t) => {
    const alone: number[] = [];
    client.executions.resetPeak();
    for (let k = 0; k < 5; k++) {
      const started = performance.now();
      await data(`{ ${panel(k)} }`);
      alone.push(performance.now() - started);
    }
    client.executions.resetPeak();
    const started = performance.now();
    const dashboard = await data(`{ ${[0, 1, 2, 3, 4].map(panel).join('\n')} }`);
    const together = performance.now() - started;
    const sum = alone.reduce((a, b) => a + b, 0);
    t.diagnostic(
      `5 panels: ${sum.toFixed(0)} ms one after another, ${together.toFixed(0)} ms in one document; ` +
        `${client.executions.peakRunning} executions ran at once`,
    );
    assert.equal(Object.keys(dashboard).length, 5);
    for (let k = 0; k < 5; k++) {
      const groups = dashboard[`p${k}`] as { key: { k: string } }[];
      assert.equal(groups.length, 12);
      assert.ok(groups.every((g) => g.key.k !== String(k)));
    }
    assert.equal(client.executions.peakRunning, 5, 'all five panels were running at the same time');
  });

  it('runs identical fields of one document once', async () => {
    const runner = served.app.graphqlResults;
    const before = { ...runner.stats };
    const startedBefore = client.executions.started;
    const answer = await data(`{
      a: items(where: { n: { _eq: 42 } }, orderBy: [{ id: asc }], cache: BYPASS) { id }
      b: items(where: { n: { _eq: 42 } }, orderBy: [{ id: asc }], cache: BYPASS) { id }
      c: items(where: { n: { _eq: 42 } }, orderBy: [{ id: asc }], cache: BYPASS) { id label } }`);
    assert.deepEqual(answer['a'], answer['b']);
    assert.equal((answer['a'] as unknown[]).length, 50);
    assert.equal(client.executions.started - startedBefore, 1, 'one Spark execution');
    assert.equal(runner.stats.joined - before.joined, 2);
  });

  it('answers a repeated query from the cache without Spark, until the TTL passes', async () => {
    const query = `{ query(dataset: "cached_items", where: { op: eq, column: "n", value: 7 }, orderBy: [{ column: "id" }]) {
        rows rowCount cached cacheAgeMs } }`;
    const first = (await data(query))['query'] as {
      rows: unknown[];
      cached: boolean;
      cacheAgeMs: number | null;
    };
    assert.equal(first.cached, false);
    assert.equal(first.cacheAgeMs, null);

    const startedBefore = client.executions.started;
    const second = (await data(query))['query'] as typeof first;
    assert.equal(client.executions.started, startedBefore, 'no Spark execution');
    assert.equal(second.cached, true);
    assert.ok(second.cacheAgeMs !== null && second.cacheAgeMs >= 0);
    assert.deepEqual(second.rows, first.rows);

    const bypass = (await data(query.replace('orderBy:', 'cache: BYPASS, orderBy:')))[
      'query'
    ] as typeof first;
    assert.equal(bypass.cached, false);
    assert.equal(client.executions.started, startedBefore + 1, 'BYPASS asks Spark');

    await sleep(CACHE_TTL_SECONDS * 1000 + 200);
    const expired = (await data(query))['query'] as typeof first;
    assert.equal(expired.cached, false);
    assert.equal(client.executions.started, startedBefore + 2, 'after the TTL, Spark again');
    assert.deepEqual(expired.rows, first.rows);
  });

  it('never caches a dataset without a TTL', async () => {
    const query = '{ query(dataset: "items", where: { op: eq, column: "n", value: 8 }) { rowCount cached } }';
    await data(query);
    const startedBefore = client.executions.started;
    const again = (await data(query))['query'] as { cached: boolean };
    assert.equal(again.cached, false);
    assert.equal(client.executions.started, startedBefore + 1);
  });
});

describe('GraphQL errors and limits against Spark', () => {
  it('returns the panels that worked and a coded error for the one that failed', async () => {
    const answer = await graphql(`
      {
        ok: items(where: { n: { _eq: 3 } }, limit: 2, orderBy: [{ id: asc }]) {
          id
        }
        bad: query(dataset: "items", where: { op: eq, column: "nope", value: 1 }) {
          rowCount
        }
        missing: query(dataset: "nothing") {
          rowCount
        }
      }
    `);
    assert.equal(answer.status, 200);
    const got = answer.data ?? {};
    assert.deepEqual(got['ok'], [{ id: '3' }, { id: '103' }]);
    assert.equal(got['bad'], null);
    assert.equal(got['missing'], null);
    const errors = answer.errors ?? [];
    const bad = errors.find((e) => e.path?.[0] === 'bad');
    const missing = errors.find((e) => e.path?.[0] === 'missing');
    assert.ok(bad !== undefined && missing !== undefined, JSON.stringify(errors));
    assert.equal(bad.extensions?.['code'], 'QUERY_INVALID');
    assert.match(bad.message, /nope/);
    assert.ok((bad.extensions['allowed'] as string[]).includes('amount'));
    assert.equal(missing.extensions?.['code'], 'DATASET_NOT_FOUND');
  });

  it('carries Spark’s error class and SQLSTATE', async () => {
    const answer = await graphql('{ broken { id x } ok: items(limit: 1) { id } }');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.data?.['ok'], [{ id: '0' }]);
    const [error] = answer.errors ?? [];
    assert.deepEqual(error?.path, ['broken']);
    assert.equal(error.extensions?.['code'], 'SPARK_DATA_ERROR');
    assert.equal(error.extensions['errorClass'], 'DIVIDE_BY_ZERO');
    assert.equal(error.extensions['sqlState'], '22012');
    assert.equal(error.extensions['status'], 422);
  });

  it('refuses a limit above the GraphQL row limit, saying what it is', async () => {
    const answer = await graphql('{ items(limit: 7000) { id } }');
    const [error] = answer.errors ?? [];
    assert.equal(error?.extensions?.['code'], 'QUERY_INVALID');
    assert.match(error.message, /6000/);
  });
});

describe('the GraphQL schema the server runs', () => {
  it('is served as SDL, equal to the schema the resolvers run, with schema.graphql as its generic part', async () => {
    const answer = await call('GET', `${served.url}/graphql/schema.graphql`);
    assert.equal(answer.status, 200);
    const running = served.app.graphql.schema;
    assert.equal(answer.text(), printSchema(running));
    const query = running.getQueryType()!;
    for (const field of Object.values(query.getFields())) {
      assert.equal(typeof field.resolve, 'function', `Query.${field.name} has a resolver`);
    }
    for (const name of ['items', 'itemsAggregate', 'cached_items', 'heavyAggregate']) {
      assert.ok(query.getFields()[name] !== undefined, `typed field ${name}`);
    }
    // Every definition of the generic part is served as schema.graphql has it.
    const generic = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    assert.equal(printSchema(generic), genericSdl().trimEnd());
    const servedSchema = buildSchema(answer.text());
    for (const type of Object.values(generic.getTypeMap())) {
      if (type.name.startsWith('__') || type.name === 'Query') continue;
      assert.equal(printType(servedSchema.getType(type.name)!), printType(type));
    }
    const servedQuery = servedSchema.getQueryType()!.getFields();
    for (const field of Object.values(generic.getQueryType()!.getFields())) {
      const twin = servedQuery[field.name];
      assert.ok(twin !== undefined, `Query.${field.name}`);
      assert.equal(String(twin.type), String(field.type));
      assert.deepEqual(
        twin.args.map((a) => `${a.name}: ${String(a.type)}`),
        field.args.map((a) => `${a.name}: ${String(a.type)}`),
      );
    }
  });
});
