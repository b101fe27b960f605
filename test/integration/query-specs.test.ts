/**
 * Compiled QuerySpecs against Spark: every spec must return exactly what the SQL a person
 * would write returns on the same server — same rows, same order where ordered, same types.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { arrowSchemaFields } from '../../src/arrow/spark-types.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { compilePlan } from '../../src/plan/compile.js';
import type { Filter, GroupItem, QuerySpec, Scalar } from '../../src/query/spec.js';
import { validateQuery } from '../../src/query/validate.js';
import { DatasetCatalog } from '../../src/service/catalog.js';
import { SparkError } from '../../src/spark/errors.js';
import type { SessionPool } from '../../src/spark/pool.js';
import { collect, collectSql, connect } from '../helpers/spark.js';
import { testPool } from '../helpers/pool.js';
import { referenceSql } from '../helpers/reference-sql.js';

const VIEW = `
CREATE OR REPLACE TEMPORARY VIEW qt AS
SELECT id,
  IF(id % 13 = 0, NULL, CAST(id % 7 AS INT)) AS n,
  CAST(id % 5 AS SMALLINT) AS small,
  IF(id % 17 = 0, NULL, id / 8.0D) AS x,
  CAST(id * 1.25 AS DECIMAL(12, 2)) AS amount,
  IF(id % 19 = 0, NULL, element_at(array('alpha', 'Beta', 'gamma', 'delta', 'Epsilon'), CAST(id % 5 + 1 AS INT))) AS name,
  id % 3 = 0 AS flag,
  date_add(DATE'2024-01-01', CAST(id % 400 AS INT)) AS day,
  IF(id % 23 = 0, NULL, timestamp_seconds(1704067200 + id * 3607)) AS ts,
  CAST(timestamp_seconds(1704067200 + id * 3607) AS TIMESTAMP_NTZ) AS local_ts,
  CAST(concat('b', id % 4) AS BINARY) AS bytes,
  id + 9007199254740990 AS big
FROM range(0, 2000)`;

const client = connect();
let pool: SessionPool;
let catalog: DatasetCatalog;

before(async () => {
  const registry = new DatasetRegistry({
    // Small data: a few shuffle partitions instead of Spark's 200 keep each query quick.
    setup: { configs: { 'spark.sql.shuffle.partitions': '4' }, statements: [VIEW] },
    datasets: { qt: { description: 'every type', table: 'qt', maxLimit: 100_000, defaultLimit: 100_000 } },
  });
  pool = await testPool(client, { max: 8, setup: registry.setup });
  catalog = new DatasetCatalog(registry, pool);
});

after(async () => {
  await pool.close(1_000);
  client.close();
});

const stringify = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
  );

/** Runs the spec's plan and the reference SQL; their rows and types must agree. */
async function agree(spec: QuerySpec): Promise<number> {
  const shape = await catalog.shape('qt');
  const plan = compilePlan(validateQuery(spec, shape), shape.dataset.template);
  const { sql, timeZone } = referenceSql(spec, 'qt', shape.columns);
  const [ourResult, theirResult] = await Promise.allSettled([
    pool.withSession((session) => collect(session, plan)),
    pool.withSession(async (session) => {
      await session.setConfigs({ 'spark.sql.session.timeZone': timeZone });
      try {
        return await collectSql(session, sql);
      } finally {
        await session.setConfigs({ 'spark.sql.session.timeZone': 'UTC' });
      }
    }),
  ]);
  const context = `${stringify(spec)}\n${sql}`;
  if (ourResult.status === 'rejected' || theirResult.status === 'rejected') {
    // Both must fail alike (e.g. an overflow under ANSI SQL), as Spark errors of the same class.
    const errorClass = (r: PromiseSettledResult<unknown>) =>
      r.status === 'rejected' && r.reason instanceof SparkError ? r.reason.errorClass : r.status;
    assert.equal(
      errorClass(ourResult),
      errorClass(theirResult),
      `${context}\n${String(ourResult.status === 'rejected' ? ourResult.reason : '')}`,
    );
    assert.notEqual(errorClass(ourResult), 'rejected', context);
    return 0;
  }
  const [ours, theirs] = [ourResult.value, theirResult.value];
  assert.deepEqual(arrowSchemaFields(ours.schema), arrowSchemaFields(theirs.schema), context);
  const ordered = spec.orderBy !== undefined;
  const rows = (r: typeof ours) => (ordered ? r.rows.map(stringify) : r.rows.map(stringify).sort());
  assert.deepEqual(rows(ours), rows(theirs), context);
  return ours.rows.length;
}

const eq = (column: string, value: Scalar): Filter => ({ op: 'eq', column, value });

/** Checks specs a few at a time: small queries are latency-bound, Spark runs them side by side. */
async function agreeAll(specs: readonly QuerySpec[], concurrency = 4): Promise<number[]> {
  const counts: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < specs.length) {
        const k = next++;
        counts[k] = await agree(specs[k]!);
      }
    }),
  );
  return counts;
}

describe('QuerySpecs against Spark, compared with hand-written SQL', () => {
  it('every filter operator', async () => {
    const filters: Filter[] = [
      eq('n', 3),
      { op: 'ne', column: 'name', value: 'alpha' },
      { op: 'lt', column: 'x', value: 12.5 },
      { op: 'lte', column: 'amount', value: '100.00' },
      { op: 'gt', column: 'ts', value: '2024-02-01T00:00:00+01:00' },
      { op: 'gte', column: 'day', value: '2024-12-01' },
      { op: 'in', column: 'name', values: ['gamma', 'Beta', 'nobody'] },
      { op: 'not_in', column: 'small', values: [0, 4] },
      { op: 'between', column: 'id', from: 100, to: '150' },
      { op: 'like', column: 'name', pattern: '%ta' },
      { op: 'ilike', column: 'name', pattern: 'b%' },
      { op: 'like', column: 'name', pattern: '%l%h%' },
      { op: 'ilike', column: 'name', pattern: '_%P%L%n' },
      { op: 'is_null', column: 'ts' },
      { op: 'not_null', column: 'x' },
      { op: 'and', filters: [eq('flag', true), { op: 'gt', column: 'id', value: 1000 }] },
      { op: 'or', filters: [eq('n', 1), { op: 'is_null', column: 'name' }] },
      { op: 'not', filter: { op: 'in', column: 'n', values: [1, 2, 3] } },
    ];
    for (const where of filters) assert.ok((await agree({ where })) > 0, stringify(where));
  });

  it('every literal type, including exact longs beyond 2^53 and instants with offsets', async () => {
    const filters: Filter[] = [
      eq('big', '9007199254741990'),
      eq('id', 42),
      eq('n', '4'),
      eq('small', 2),
      eq('x', 12.5),
      eq('amount', '1250.00'),
      eq('name', 'Epsilon'),
      eq('flag', false),
      eq('day', '2024-02-29'),
      eq('ts', '2024-01-01T03:00:07+02:00'),
      eq('local_ts', '2024-01-01T01:00:07'),
      eq('bytes', Buffer.from('b2').toString('base64')),
    ];
    for (const where of filters) assert.ok((await agree({ where })) > 0, stringify(where));
  });

  it('every aggregate, grouped and not', async () => {
    const aggregates: QuerySpec['aggregates'] = [
      { fn: 'count', as: 'rows' },
      { fn: 'count', column: 'ts', as: 'with_ts' },
      { fn: 'count_distinct', column: 'name', as: 'names' },
      { fn: 'sum', column: 'amount', as: 'total' },
      { fn: 'avg', column: 'x', as: 'mean' },
      { fn: 'min', column: 'ts', as: 'first' },
      { fn: 'max', column: 'day', as: 'last' },
      { fn: 'approx_percentile', column: 'n', percentile: 0.5, as: 'median' },
    ];
    assert.equal(await agree({ aggregates }), 1);
    assert.equal(await agree({ groupBy: ['name'], aggregates, orderBy: ['name'] }), 6);
    await agree({ groupBy: ['flag', 'small'], aggregates, having: { op: 'gt', column: 'rows', value: 130 } });
  });

  it('every time bucket, in UTC and in other time zones', async () => {
    const specs: QuerySpec[] = [];
    for (const bucket of ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const) {
      for (const timeZone of [undefined, 'Europe/Paris', 'America/New_York', 'Asia/Kolkata']) {
        const group: GroupItem = {
          column: 'ts',
          bucket,
          as: 'bucket',
          ...(timeZone === undefined ? {} : { timeZone }),
        };
        specs.push({
          groupBy: [group],
          aggregates: [{ fn: 'count', as: 'n' }],
          orderBy: [{ column: 'bucket', nulls: 'first' }],
        });
      }
      if (bucket !== 'minute' && bucket !== 'hour') {
        specs.push({
          groupBy: [{ column: 'day', bucket, as: 'bucket' }],
          aggregates: [{ fn: 'sum', column: 'amount', as: 'total' }],
        });
      }
    }
    assert.ok((await agreeAll(specs)).every((n) => n > 0));
  });

  it('select, order, limit and offset', async () => {
    assert.equal(
      await agree({
        select: ['id', { column: 'name', as: 'label' }],
        orderBy: [{ column: 'id', direction: 'desc' }],
        limit: 7,
        offset: 3,
      }),
      7,
    );
    await agree({ orderBy: [{ column: 'x', nulls: 'last' }, 'id'], limit: 25 });
    await agree({
      select: ['name'],
      orderBy: [{ column: 'name', direction: 'desc', nulls: 'first' }, 'id'],
      limit: 10,
    });
  });

  it('200 generated specs return what the equivalent SQL returns', async (t) => {
    const seed = Number(process.env['SPEC_SEED'] ?? Date.now() % 2 ** 31);
    t.diagnostic(`specs generated with SPEC_SEED=${seed}`);
    const specs = fc.sample(specArbitrary(), { numRuns: 200, seed });
    const counts = await agreeAll(specs);
    t.diagnostic(
      `${counts.filter((n) => n > 0).length} of 200 specs returned rows, ${counts.reduce((a, b) => a + b, 0)} rows in all`,
    );
    assert.ok(counts.filter((n) => n > 0).length >= 100, 'most generated specs select some rows');
  });
});

/** Values that occur in the view, per column, so generated filters keep some rows. */
const VALUES: Record<string, fc.Arbitrary<Scalar>> = {
  id: fc.integer({ min: -5, max: 2_005 }),
  n: fc.integer({ min: 0, max: 7 }),
  small: fc.integer({ min: 0, max: 5 }),
  x: fc.integer({ min: 0, max: 2_000 }).map((k) => k / 8),
  amount: fc.integer({ min: 0, max: 2_000 }).map((k) => (k * 1.25).toFixed(2)),
  name: fc.constantFrom('alpha', 'Beta', 'gamma', 'delta', 'Epsilon', 'zeta'),
  flag: fc.boolean(),
  day: fc
    .integer({ min: 0, max: 420 })
    .map((d) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)),
  ts: fc
    .tuple(fc.integer({ min: 0, max: 2_000 }), fc.constantFrom('Z', '+02:00', '-05:30'))
    .map(([k, zone]) => instant(1_704_067_200 + k * 3_607, zone)),
  local_ts: fc.integer({ min: 0, max: 2_000 }).map((k) => instant(1_704_067_200 + k * 3_607, '')),
  big: fc.integer({ min: 0, max: 2_000 }).map((k) => String(9_007_199_254_740_990n + BigInt(k))),
};
const ORDERABLE = Object.keys(VALUES);
const GROUPABLE = ['n', 'small', 'name', 'flag', 'day', 'bytes'];
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];

function instant(seconds: number, zone: string): string {
  const offset = zone === '+02:00' ? 120 : zone === '-05:30' ? -330 : 0;
  const text = new Date((seconds + offset * 60) * 1000).toISOString().slice(0, 19);
  return `${text}${zone}`;
}

function leaf(): fc.Arbitrary<Filter> {
  return fc.constantFrom(...ORDERABLE).chain((column) => {
    const value = VALUES[column]!;
    const ops: fc.Arbitrary<Filter>[] = [
      fc.record({
        op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte' as const),
        column: fc.constant(column),
        value,
      }),
      fc.record({
        op: fc.constantFrom('in', 'not_in' as const),
        column: fc.constant(column),
        values: fc.array(value, { minLength: 1, maxLength: 4 }),
      }),
      fc.record({ op: fc.constant('between' as const), column: fc.constant(column), from: value, to: value }),
      fc.record({ op: fc.constantFrom('is_null', 'not_null' as const), column: fc.constant(column) }),
    ];
    if (column === 'name') {
      ops.push(
        fc.record({
          op: fc.constantFrom('like', 'ilike' as const),
          column: fc.constant(column),
          pattern: fc.constantFrom('a%', '%TA', '_eta', '%a%', 'ALPHA', '%l%a', '_%E%a%', '%%t%'),
        }),
      );
    }
    return fc.oneof(...ops);
  });
}

function filterArbitrary(depth: number): fc.Arbitrary<Filter> {
  if (depth === 0) return leaf();
  return fc.oneof(
    { weight: 3, arbitrary: leaf() },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constantFrom('and', 'or' as const),
        filters: fc.array(filterArbitrary(depth - 1), { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('not' as const), filter: filterArbitrary(depth - 1) }),
    },
  );
}

function specArbitrary(): fc.Arbitrary<QuerySpec> {
  const where = fc.option(filterArbitrary(2), { nil: undefined });
  const plain = fc
    .record({
      where,
      select: fc.option(fc.subarray(['id', 'n', 'x', 'name', 'ts', 'amount', 'big'], { minLength: 1 }), {
        nil: undefined,
      }),
      order: fc.option(
        fc.tuple(
          fc.constantFrom(...ORDERABLE),
          fc.constantFrom('asc', 'desc' as const),
          fc.constantFrom('first', 'last' as const),
        ),
        { nil: undefined },
      ),
      limit: fc.integer({ min: 0, max: 40 }),
      offset: fc.integer({ min: 0, max: 20 }),
    })
    .map(({ where: w, select, order, limit, offset }): QuerySpec => {
      // A full order (id last) makes limit and offset deterministic.
      const orderBy =
        order === undefined ? ['id'] : [{ column: order[0], direction: order[1], nulls: order[2] }, 'id'];
      return {
        ...(w === undefined ? {} : { where: w }),
        ...(select === undefined ? {} : { select }),
        orderBy,
        limit,
        offset,
      };
    });
  const groupItem = fc.oneof(
    fc.constantFrom(...GROUPABLE),
    fc.record({
      column: fc.constant('ts'),
      bucket: fc.constantFrom('hour', 'day', 'week', 'month', 'quarter'),
      timeZone: fc.constantFrom(...ZONES),
      as: fc.constant('bucket'),
    }),
    fc.record({
      column: fc.constant('day'),
      bucket: fc.constantFrom('day', 'week', 'month', 'quarter', 'year'),
      as: fc.constant('bucket'),
    }),
  );
  const aggregate = fc.oneof(
    fc.constant({ fn: 'count' as const }),
    fc.record({
      fn: fc.constantFrom('count', 'count_distinct', 'min', 'max' as const),
      column: fc.constantFrom('n', 'name', 'ts', 'day', 'amount'),
    }),
    fc.record({
      fn: fc.constantFrom('sum', 'avg' as const),
      column: fc.constantFrom('n', 'small', 'x', 'amount', 'big'),
    }),
  );
  const grouped = fc
    .record({
      where,
      groups: fc.uniqueArray(groupItem, {
        minLength: 1,
        maxLength: 2,
        selector: (g) => (typeof g === 'string' ? g : 'bucket'),
      }),
      aggregates: fc.array(aggregate, { minLength: 1, maxLength: 3 }),
    })
    .map(({ where: w, groups, aggregates }): QuerySpec => {
      // One bucket time zone per query: the reference SQL sets it for the session.
      const groupBy: GroupItem[] = groups;
      return {
        ...(w === undefined ? {} : { where: w }),
        groupBy,
        aggregates: aggregates.map((a, k) => ({ ...a, as: `a${k}` })),
      };
    });
  return fc.oneof(plain, grouped);
}
