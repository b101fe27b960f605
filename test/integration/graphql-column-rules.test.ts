/**
 * What the typed GraphQL fields offer for columns of every kind, answered by Spark: null checks
 * on columns compared with no value, groups keyed by a void column, sums and averages of
 * intervals, distinct counts of arrays, maps and structs, and time buckets of dates and
 * wall-clock timestamps. Each answer is compared with what Spark returns for the same SQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import type { SessionPool } from '../../src/spark/pool.js';
import { jsonRow } from '../helpers/expected-json.js';
import { call, serve, type Served } from '../helpers/http.js';
import { testPool } from '../helpers/pool.js';
import { collectSql, connect } from '../helpers/spark.js';

/** Columns of every kind, with nulls in the complex and interval ones. */
const KINDS = `SELECT id, CAST(id % 3 AS INT) AS g, CAST(NULL AS VOID) AS v,
    IF(id % 5 = 0, NULL, make_dt_interval(CAST(id % 4 AS INT), CAST(id % 24 AS INT), 7, 1.5)) AS dti,
    IF(id % 6 = 0, NULL, make_ym_interval(CAST(id % 3 AS INT), CAST(id % 12 AS INT))) AS ymi,
    IF(id % 7 = 0, NULL, array(id % 4, 1)) AS arr,
    IF(id % 4 = 0, NULL, map('k', id % 3)) AS m,
    IF(id % 9 = 0, NULL, named_struct('a', id % 5, 'b', 'x')) AS st,
    date_add(DATE'2024-02-25', CAST(id % 40 AS INT)) AS day,
    CAST(timestamp_micros(1709251200000000 + id * 1234567891) AS TIMESTAMP_NTZ) AS local_ts
  FROM range(0, 200)`;

const registry = new DatasetRegistry({
  setup: { configs: { 'spark.sql.shuffle.partitions': '2' }, statements: [] },
  datasets: {
    kinds: { description: 'columns of every kind', sql: KINDS, maxLimit: 1000, defaultLimit: 1000 },
  },
});

const client = connect();
let served: Served;
let pool: SessionPool;

before(async () => {
  served = await serve({}, registry, { spark: client });
  // In UTC, which has no DST, date_trunc of a wall-clock time cast to an instant and back is exact.
  pool = await testPool(client, {
    max: 1,
    setup: {
      configs: { 'spark.sql.shuffle.partitions': '2', 'spark.sql.session.timeZone': 'UTC' },
      statements: [],
    },
  });
});

after(async () => {
  await served.close();
  await pool.close(1_000);
  client.close();
});

/** Spark's answer to SQL over the same rows, as the service writes values in JSON. */
async function spark(sql: string): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.withSession((session) =>
    collectSql(session, `WITH kinds AS (${KINDS}) ${sql}`),
  );
  return rows.map(jsonRow);
}

async function data<T>(query: string): Promise<T> {
  const answer = await call('POST', `${served.url}/graphql`, { body: { query } });
  const body = answer.json() as { data?: T; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.equal(answer.status, 200);
  return body.data as T;
}

describe('typed GraphQL fields for columns of every kind, against Spark', () => {
  for (const column of ['v', 'dti', 'ymi', 'arr', 'm', 'st']) {
    for (const isNull of [true, false]) {
      it(`filters ${column} with _is_null: ${isNull}`, async () => {
        const got = await data<{ kinds: { id: string }[] }>(
          `{ kinds(where: { ${column}: { _is_null: ${isNull} } }, orderBy: [{ id: asc }]) { id } }`,
        );
        const expected = await spark(
          `SELECT id FROM kinds WHERE ${column} IS ${isNull ? '' : 'NOT '}NULL ORDER BY id`,
        );
        // A void column is null in every row.
        assert.equal(expected.length === 0, column === 'v' && !isNull);
        assert.deepEqual(got.kinds, expected);
      });
    }
  }

  it('groups by a void column', async () => {
    const got = await data<{ kindsAggregate: unknown[] }>(
      '{ kindsAggregate(groupBy: [v]) { key { v } count countDistinct { v } } }',
    );
    const expected = await spark('SELECT v, count(*) AS c, count(DISTINCT v) AS d FROM kinds GROUP BY v');
    assert.deepEqual(
      got.kindsAggregate,
      expected.map((r) => ({ key: { v: r['v'] }, count: r['c'], countDistinct: { v: r['d'] } })),
    );
  });

  it('sums and averages day-time and year-month intervals', async () => {
    const got = await data<{ kindsAggregate: unknown[] }>(
      `{ kindsAggregate(groupBy: [g], orderBy: [{ key: { g: asc } }]) {
          key { g } sum { dti ymi } avg { dti ymi } } }`,
    );
    const expected = await spark(
      `SELECT g, sum(dti) AS sd, sum(ymi) AS sy, avg(dti) AS ad, avg(ymi) AS ay
       FROM kinds GROUP BY g ORDER BY g`,
    );
    assert.equal(expected.length, 3);
    assert.deepEqual(
      got.kindsAggregate,
      expected.map((r) => ({
        key: { g: r['g'] },
        sum: { dti: r['sd'], ymi: r['sy'] },
        avg: { dti: r['ad'], ymi: r['ay'] },
      })),
    );
  });

  it('orders groups by the sum of an interval', async () => {
    const got = await data<{ kindsAggregate: unknown[] }>(
      '{ kindsAggregate(groupBy: [g], orderBy: [{ sum: { dti: desc } }]) { key { g } sum { dti } } }',
    );
    const expected = await spark('SELECT g, sum(dti) AS s FROM kinds GROUP BY g ORDER BY s DESC');
    assert.deepEqual(
      got.kindsAggregate,
      expected.map((r) => ({ key: { g: r['g'] }, sum: { dti: r['s'] } })),
    );
  });

  it('counts distinct arrays, maps and structs', async () => {
    const got = await data<{ kindsAggregate: unknown[] }>(
      `{ kindsAggregate(groupBy: [g], orderBy: [{ countDistinct: { arr: asc } }, { key: { g: asc } }]) {
          key { g } countDistinct { arr m st } } }`,
    );
    const expected = await spark(
      `SELECT g, count(DISTINCT arr) AS a, count(DISTINCT m) AS m, count(DISTINCT st) AS s
       FROM kinds GROUP BY g ORDER BY a, g`,
    );
    assert.deepEqual(
      got.kindsAggregate,
      expected.map((r) => ({ key: { g: r['g'] }, countDistinct: { arr: r['a'], m: r['m'], st: r['s'] } })),
    );
  });

  for (const unit of ['day', 'week', 'month', 'quarter', 'year']) {
    it(`buckets a date by ${unit} with dateBucket`, async () => {
      const got = await data<{ kindsAggregate: unknown[] }>(
        `{ kindsAggregate(dateBucket: { column: day, unit: ${unit} }, orderBy: [{ bucket: asc }]) {
            bucket count } }`,
      );
      const expected = await spark(
        `SELECT CAST(date_trunc('${unit}', day) AS DATE) AS b, count(*) AS c FROM kinds GROUP BY b ORDER BY b`,
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(
        got.kindsAggregate,
        expected.map((r) => ({ bucket: r['b'], count: r['c'] })),
      );
    });
  }

  for (const unit of ['minute', 'hour', 'day', 'week', 'month']) {
    it(`buckets a timestamp_ntz by ${unit} with localTimeBucket`, async () => {
      const got = await data<{ kindsAggregate: unknown[] }>(
        `{ kindsAggregate(localTimeBucket: { column: local_ts, unit: ${unit} }, orderBy: [{ bucket: asc }],
            limit: 1000) { bucket count } }`,
      );
      const expected = await spark(
        `SELECT CAST(date_trunc('${unit}', local_ts) AS TIMESTAMP_NTZ) AS b, count(*) AS c
         FROM kinds GROUP BY b ORDER BY b`,
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(
        got.kindsAggregate,
        expected.map((r) => ({ bucket: r['b'], count: r['c'] })),
      );
    });
  }
});
