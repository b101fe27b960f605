/**
 * No answer depends on Spark's session time zone: a service whose datasets file sets
 * `spark.sql.session.timeZone` answers every request byte for byte as one in UTC does —
 * time buckets of timestamps, wall-clock times and dates, filters and parameters with
 * timestamp values, and timestamps as text in every format — and its buckets are Spark's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { TIME_BUCKETS } from '../../src/query/spec.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Answer, type Served } from '../helpers/http.js';
import { collectSql } from '../helpers/spark.js';
import { sparkRemote } from '../helpers/spark-remote.js';
import { batchRows } from '../helpers/arrow-results.js';

/** Every value is built without the session time zone: from microseconds, intervals and dates. */
const MOMENTS = `
  SELECT id,
    timestamp_micros(IF(id < 3000, 1709251200000000, 1729814400000000) + (id % 3000) * 997000123) AS ts,
    TIMESTAMP_NTZ'2024-03-09 20:00:00' + make_dt_interval(0, 0, 0, id * 997.000123) AS local_ts,
    date_add(DATE'2024-01-01', CAST(id % 400 AS INT)) AS day
  FROM range(0, 6000, 1, 2)`;

function datasetsFile(sessionTimeZone: string | undefined): string {
  const configs = { 'spark.sql.shuffle.partitions': '4' };
  return JSON.stringify({
    setup: {
      configs:
        sessionTimeZone === undefined
          ? configs
          : { ...configs, 'spark.sql.session.timeZone': sessionTimeZone },
      statements: [`CREATE OR REPLACE TEMPORARY VIEW moments AS ${MOMENTS}`],
    },
    datasets: {
      moments: { description: 'instants, wall-clock times and dates', table: 'moments', maxLimit: 10_000 },
      since: {
        description: 'moments since an instant and a day',
        sql: 'SELECT * FROM moments WHERE ts >= :from AND day >= :day',
        parameters: {
          from: { type: 'timestamp', required: true },
          day: { type: 'date', required: true },
        },
        maxLimit: 10_000,
      },
    },
  });
}

const dir = mkdtempSync(join(tmpdir(), 'session-time-zone-'));
let utc: Served;
let newYork: Served;
let spark: SparkConnectClient;

before(async () => {
  spark = SparkConnectClient.connect(sparkRemote());
  const start = async (name: string, zone: string | undefined) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, datasetsFile(zone));
    return serve({ DATASETS_FILE: path }, undefined, { spark });
  };
  [utc, newYork] = await Promise.all([start('utc', undefined), start('new-york', 'America/New_York')]);
});

after(async () => {
  await Promise.all([utc.close(), newYork.close()]);
  spark.close();
  rmSync(dir, { recursive: true, force: true });
});

const BUCKETED: [column: string, units: readonly string[], zones: readonly (string | undefined)[]][] = [
  ['ts', TIME_BUCKETS, [undefined, 'America/New_York', '+05:30']],
  ['local_ts', TIME_BUCKETS, [undefined]],
  ['day', ['day', 'week', 'month', 'quarter', 'year'], [undefined]],
];

function bucketSpec(column: string, bucket: string, timeZone: string | undefined) {
  return {
    groupBy: [{ column, bucket, ...(timeZone === undefined ? {} : { timeZone }), as: 'b' }],
    aggregates: [{ fn: 'count', as: 'n' }],
    orderBy: ['b'],
    limit: 10_000,
  };
}

/** Requests whose answers must not depend on the session time zone. */
function requests(): { what: string; method: 'GET' | 'POST'; path: string; body?: unknown }[] {
  const list: ReturnType<typeof requests> = [];
  for (const [column, units, zones] of BUCKETED) {
    for (const unit of units) {
      for (const zone of zones) {
        list.push({
          what: `${column} by ${unit} in ${zone ?? 'UTC by default'}`,
          method: 'POST',
          path: '/v1/datasets/moments/query?format=json',
          body: bucketSpec(column, unit, zone),
        });
      }
    }
  }
  for (const format of ['json', 'csv', 'ndjson']) {
    list.push({
      what: `timestamps as ${format} text, filtered by typed instants and wall-clock times`,
      method: 'GET',
      path:
        `/v1/datasets/moments/rows?format=${format}&orderBy=id&limit=10000` +
        `&filter[ts][gte]=2024-03-10T01:30:00-05:00&filter[local_ts][lt]=2024-04-20T02:30:00`,
    });
  }
  list.push({
    what: 'timestamp and date parameters of a SQL template',
    method: 'GET',
    path: '/v1/datasets/since/rows?format=csv&orderBy=id&limit=10000&params[from]=2024-11-03T01:30:00-04:00&params[day]=2024-02-01',
  });
  list.push({
    what: 'GraphQL time buckets',
    method: 'POST',
    path: '/graphql',
    body: {
      query: `{ a: momentsAggregate(timeBucket: { column: ts, unit: day }, limit: 1000) { bucket count }
        b: momentsAggregate(timeBucket: { column: ts, unit: hour, timeZone: "America/New_York" }, limit: 5000) { bucket count }
        c: momentsAggregate(localTimeBucket: { column: local_ts, unit: week }, limit: 1000) { bucket count } }`,
    },
  });
  return list;
}

async function ask(served: Served, request: ReturnType<typeof requests>[number]): Promise<Answer> {
  const answer = await call(request.method, `${served.url}${request.path}`, { body: request.body });
  assert.equal(answer.status, 200, `${request.what}: ${answer.text()}`);
  return answer;
}

describe('answers that do not depend on the session time zone', () => {
  it('a service in America/New_York answers as one in UTC', async () => {
    const all = requests();
    // A few at a time: small queries are latency-bound, Spark runs them side by side.
    for (let i = 0; i < all.length; i += 4) {
      await Promise.all(
        all.slice(i, i + 4).map(async (request) => {
          const [a, b] = await Promise.all([ask(utc, request), ask(newYork, request)]);
          assert.ok(a.body.length > 50, request.what);
          assert.equal(b.text(), a.text(), request.what);
        }),
      );
    }
  });

  it('Arrow results label their instants UTC, the same instants in any session time zone', async () => {
    const request = {
      what: 'Arrow',
      method: 'GET' as const,
      path: '/v1/datasets/moments/rows?format=arrow&orderBy=id&limit=10000',
    };
    const [a, b] = await Promise.all([ask(utc, request), ask(newYork, request)]);
    const [ours, theirs] = [tableFromIPC(a.body), tableFromIPC(b.body)];
    assert.deepEqual(
      theirs.schema.fields.map((f) => String(f.type)),
      ours.schema.fields.map((f) => String(f.type)),
    );
    assert.equal(String(ours.schema.fields[1]?.type), 'Timestamp<MICROSECOND, UTC>');
    assert.deepEqual(theirs.batches.flatMap(batchRows), ours.batches.flatMap(batchRows));
  });

  it("buckets equal Spark's date_trunc in a UTC session", async () => {
    const session = spark.newSession();
    try {
      await session.setConfigs({ 'spark.sql.session.timeZone': 'UTC' });
      for (const [column, units] of BUCKETED) {
        for (const unit of units) {
          const trunc = `date_trunc('${unit}', ${column})`;
          const expr =
            column === 'day'
              ? `CAST(${trunc} AS DATE)`
              : column === 'local_ts'
                ? `CAST(${trunc} AS TIMESTAMP_NTZ)`
                : trunc;
          const { rows } = await collectSql(
            session,
            `SELECT ${expr} AS b, count(*) AS n FROM (${MOMENTS}) GROUP BY 1 ORDER BY 1`,
          );
          const answer = await ask(newYork, {
            what: `${column} by ${unit}`,
            method: 'POST',
            path: '/v1/datasets/moments/query?format=json',
            body: bucketSpec(column, unit, undefined),
          });
          const got = (answer.json() as { rows: { b: string; n: string }[] }).rows;
          assert.deepEqual(
            got,
            rows.map((r) => ({ b: r['b'], n: (r['n'] as bigint).toString() })),
            `${column} by ${unit}`,
          );
        }
      }
    } finally {
      await session.release();
    }
  });
});
