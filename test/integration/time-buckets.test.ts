/**
 * Time buckets against Spark's own `date_trunc`, evaluated in a session whose time zone is the
 * bucket's: instants around every DST transition of zones with DST, half-hour DST and
 * quarter-hour offsets, and ordinary instants from year 1 to 9999, for every unit. Our plan
 * runs in sessions set to another time zone, so an answer that leaned on it would differ.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { compilePlan } from '../../src/plan/compile.js';
import { TIME_BUCKETS, type GroupItem } from '../../src/query/spec.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { validateQuery } from '../../src/query/validate.js';
import { DatasetCatalog } from '../../src/service/catalog.js';
import type { SessionPool } from '../../src/spark/pool.js';
import { call, serve, type Served } from '../helpers/http.js';
import { testPool } from '../helpers/pool.js';
import { collect, collectSql, connect } from '../helpers/spark.js';
import { sparkRemote } from '../helpers/spark-remote.js';
import { dstTransitions } from '../helpers/time-zones.js';

const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/Santiago',
  'Pacific/Apia',
  '-03:30',
  'UTC',
];
/** Instants per zone. */
const RUNS = 4_000;
const MICROS_PER_SECOND = 1_000_000n;
const YEAR_1 = -62_135_596_800n * MICROS_PER_SECOND;
const YEAR_10000 = 253_402_300_800n * MICROS_PER_SECOND;

/** Small data: one shuffle partition instead of Spark's 200 keeps each query quick. */
const SMALL = { 'spark.sql.shuffle.partitions': '1' };

const client = connect();
let pool: SessionPool;

before(async () => {
  // The sessions our plans run in are not in UTC, nor in any zone under test.
  pool = await testPool(client, {
    max: 4,
    setup: { configs: { ...SMALL, 'spark.sql.session.timeZone': 'Pacific/Chatham' }, statements: [] },
  });
});

after(async () => {
  await pool.close(1_000);
  client.close();
});

/** Instants near the zone's transitions (on, just before and after them, hours and days away) and anywhere. */
function instants(zone: string): fc.Arbitrary<bigint> {
  const transitions = dstTransitions(zone, 1890, 2040).map((ms) => BigInt(ms) * 1000n);
  const anywhere = fc.bigInt({ min: YEAR_1 + 86_400n * MICROS_PER_SECOND, max: YEAR_10000 - 1n });
  if (transitions.length === 0) return anywhere;
  const near = fc
    .tuple(
      fc.constantFrom(...transitions),
      fc.oneof(
        fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }).map((s) => BigInt(s) * MICROS_PER_SECOND),
        fc.integer({ min: -200, max: 200 }).map((k) => BigInt(k) * 900n * MICROS_PER_SECOND),
      ),
      fc.constantFrom(-1n, 0n, 0n, 1n, 123_456n),
    )
    .map(([t, d, e]) => t + d + e);
  return fc.oneof({ weight: 4, arbitrary: near }, { weight: 1, arbitrary: anywhere });
}

function valuesSql(micros: readonly bigint[]): string {
  const rows = micros.map((m, id) => `(${id}, ${m}L)`).join(', ');
  return `SELECT id, timestamp_micros(m) AS ts FROM VALUES ${rows} AS t(id, m)`;
}

const show = (rows: Record<string, unknown>[]) =>
  rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));

describe('time buckets equal Spark date_trunc in a session of the bucket time zone', () => {
  const seed = Number(process.env['BUCKET_SEED'] ?? Date.now() % 2 ** 31);

  for (const zone of ZONES) {
    it(`${zone}, every unit`, async (t) => {
      t.diagnostic(`instants generated with BUCKET_SEED=${seed}`);
      const micros = fc.sample(instants(zone), { numRuns: RUNS, seed });
      const source = valuesSql(micros);
      const registry = new DatasetRegistry({
        setup: { configs: {}, statements: [] },
        datasets: { instants: { description: 'instants', sql: source, maxLimit: RUNS, defaultLimit: RUNS } },
      });
      const catalog = new DatasetCatalog(registry, pool);
      const shape = await catalog.shape('instants');
      const groupBy: GroupItem[] = [
        'id',
        ...TIME_BUCKETS.map((bucket) => ({ column: 'ts', bucket, timeZone: zone, as: bucket })),
      ];
      const plan = compilePlan(
        validateQuery({ groupBy, aggregates: [{ fn: 'count', as: 'n' }], orderBy: ['id'] }, shape),
        shape.dataset.template,
      );
      const ours = await pool.withSession((session) => collect(session, plan));

      const reference = client.newSession();
      try {
        await reference.setConfigs({ ...SMALL, 'spark.sql.session.timeZone': zone });
        const truncs = TIME_BUCKETS.map((b) => `date_trunc('${b.toUpperCase()}', ts) AS ${b}`).join(', ');
        const theirs = await collectSql(
          reference,
          `SELECT id, ${truncs}, count(*) AS n FROM (${source}) GROUP BY ALL ORDER BY id`,
        );
        assert.equal(ours.rows.length, micros.length);
        const [a, b] = [show(ours.rows), show(theirs.rows)];
        for (let i = 0; i < a.length; i++) {
          assert.equal(a[i], b[i], `instant ${micros[i]} µs in ${zone}`);
        }
      } finally {
        await reference.release();
      }
    });
  }
});

/** 2,400 events, one every 9 s for six hours from `start`, which spans the zone's DST end. */
const EXAMPLES = {
  'Europe/Paris': { dataset: 'paris', start: Date.UTC(2025, 9, 25, 22) },
  'America/New_York': { dataset: 'new_york', start: Date.UTC(2025, 10, 2, 4) },
} as const;
const eventsSql = (start: number) =>
  `SELECT id, timestamp_micros(${start * 1000} + id * 9000000) AS ts FROM range(0, 2400, 1, 2)`;

describe('the hours when DST ends, through HTTP and GraphQL', () => {
  let served: Served;
  let spark: SparkConnectClient;

  before(async () => {
    spark = SparkConnectClient.connect(sparkRemote());
    const datasets = Object.fromEntries(
      Object.values(EXAMPLES).map(({ dataset, start }) => [
        dataset,
        { description: 'events across the end of DST', sql: eventsSql(start) },
      ]),
    );
    served = await serve({}, new DatasetRegistry({ setup: { configs: {}, statements: [] }, datasets }), {
      spark,
    });
  });

  after(async () => {
    await served.close();
    spark.close();
  });

  /** Spark's own buckets: `date_trunc` in a session of the zone. */
  async function sparkBuckets(zone: string, unit: string, start: number) {
    const session = spark.newSession();
    try {
      await session.setConfigs({ 'spark.sql.session.timeZone': zone });
      const { rows } = await collectSql(
        session,
        `SELECT date_trunc('${unit}', ts) AS b, count(*) AS n FROM (${eventsSql(start)}) GROUP BY 1 ORDER BY 1`,
      );
      return rows.map((r) => ({ bucket: r['b'] as string, count: (r['n'] as bigint).toString() }));
    } finally {
      await session.release();
    }
  }

  for (const [zone, { dataset, start }] of Object.entries(EXAMPLES)) {
    for (const unit of ['hour', 'minute'] as const) {
      it(`${unit} buckets in ${zone}`, async () => {
        const expected = await sparkBuckets(zone, unit, start);
        const answer = await call('POST', `${served.url}/v1/datasets/${dataset}/query?format=json`, {
          body: {
            groupBy: [{ column: 'ts', bucket: unit, timeZone: zone, as: 'b' }],
            aggregates: [{ fn: 'count', as: 'n' }],
            orderBy: ['b'],
          },
        });
        assert.equal(answer.status, 200, answer.text());
        const rows = (answer.json() as { rows: { b: string; n: string }[] }).rows;
        assert.deepEqual(
          rows.map((r) => ({ bucket: r.b, count: r.n })),
          expected,
        );

        const graphql = await call('POST', `${served.url}/graphql`, {
          body: {
            query: `{ ${dataset}Aggregate(timeBucket: { column: ts, unit: ${unit}, timeZone: "${zone}" },
              orderBy: [{ bucket: asc }], limit: 1000) { bucket count } }`,
          },
        });
        const got = graphql.json() as { data: Record<string, { bucket: string; count: string }[]> };
        assert.deepEqual(got.data[`${dataset}Aggregate`], expected, graphql.text());

        // What the issue saw Spark answer: six hours of 400 events, the repeated hour apart.
        if (unit === 'hour') {
          assert.deepEqual(
            expected.map((b) => b.count),
            Array(6).fill('400'),
          );
          assert.deepEqual(
            expected.map((b) => b.bucket),
            Array.from({ length: 6 }, (_, h) =>
              new Date(start + h * 3_600_000).toISOString().replace('.000', ''),
            ),
          );
        } else {
          assert.equal(expected.length, 360);
        }
      });
    }
  }
});
