import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { printSchema } from 'graphql';
import { typeName } from '../../../src/graphql/names.js';
import { fullSchema, genericSdl } from '../../../src/graphql/schema.js';
import { aggregateSpec, groupRows } from '../../../src/graphql/specs/typed-groups.js';
import { orderItems } from '../../../src/graphql/specs/typed-order.js';
import { whereFilter } from '../../../src/graphql/specs/typed-where.js';
import { FIXTURE_COLUMNS } from '../../helpers/fixture-dataset.js';

describe('schema.graphql', () => {
  it('is the generic schema the server prints (npm run graphql:schema writes it)', () => {
    assert.equal(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'), genericSdl());
  });
});

describe('typed GraphQL fields', () => {
  const schema = fullSchema({ maxRows: 1000 }, [
    {
      name: 'fixture',
      description: 'every type',
      parameters: { since: { type: 'date', required: true } },
      columns: FIXTURE_COLUMNS,
      defaultLimit: 100,
      maxLimit: 1000,
    },
  ]);
  const sdl = printSchema(schema);

  it('names types after the dataset', () => {
    assert.equal(typeName('daily_revenue'), 'DailyRevenue');
    for (const type of ['FixtureRow', 'FixtureWhere', 'FixtureOrderBy', 'FixtureGroup', 'FixtureParams'])
      assert.ok(schema.getType(type) !== undefined, type);
  });

  it('answers each column with a scalar that keeps its precision', () => {
    const row = schema.getType('FixtureRow') as import('graphql').GraphQLObjectType;
    const types = Object.fromEntries(Object.values(row.getFields()).map((f) => [f.name, String(f.type)]));
    assert.deepEqual(types, {
      id: 'Long',
      n: 'Int',
      small: 'Int',
      x: 'Double',
      amount: 'Decimal',
      name: 'String',
      flag: 'Boolean',
      day: 'Date',
      ts: 'Timestamp',
      local_ts: 'String',
      bytes: 'String',
      tags: 'JSON',
    });
  });

  it('leaves out columns GraphQL cannot name, and requires required parameters', () => {
    assert.doesNotMatch(sdl, /Odd/);
    assert.match(sdl, /fixture\(\s*params: FixtureParams!/);
    assert.match(sdl, /input FixtureParams \{\s*since: Date!/);
  });
});

describe('typed arguments as QuerySpecs', () => {
  it('turns where operators into filters, all of them holding', () => {
    assert.deepEqual(whereFilter({ n: { _gt: 1, _lt: 5 }, name: { _like: 'a%', _is_null: false } }), {
      op: 'and',
      filters: [
        { op: 'gt', column: 'n', value: 1 },
        { op: 'lt', column: 'n', value: 5 },
        { op: 'like', column: 'name', pattern: 'a%' },
        { op: 'not_null', column: 'name' },
      ],
    });
    assert.deepEqual(whereFilter({ _or: [{ n: { _in: [1, 2] } }, { _not: { flag: { _eq: true } } }] }), {
      op: 'or',
      filters: [
        { op: 'in', column: 'n', values: [1, 2] },
        { op: 'not', filter: { op: 'eq', column: 'flag', value: true } },
      ],
    });
    assert.equal(whereFilter({}), undefined);
    assert.equal(whereFilter({ _or: [{}, { n: { _eq: 1 } }] }), undefined, 'an empty condition holds');
    assert.throws(() => whereFilter({ n: { _in: [] } }), /needs at least one value/);
  });

  it('orders by one column per item', () => {
    assert.deepEqual(orderItems([{ ts: 'desc_nulls_last' }, { id: 'asc' }]), [
      { column: 'ts', direction: 'desc', nulls: 'last' },
      { column: 'id', direction: 'asc' },
    ]);
    assert.throws(() => orderItems([{ ts: 'desc', id: 'asc' }]), /orderBy\[0\] names 2 keys/);
  });

  it('computes the measures selected or ordered by, and shapes the rows as groups', () => {
    const args = {
      groupBy: ['name'],
      timeBucket: { column: 'ts', unit: 'day' },
      orderBy: [{ avg: { x: 'desc' } }],
    };
    const spec = aggregateSpec(args, { key: [], sum: ['amount'], count: [] });
    assert.deepEqual(spec.groupBy, ['name', { column: 'ts', bucket: 'day', as: '__bucket' }]);
    assert.deepEqual(
      spec.aggregates?.map((a) => a.as),
      ['__count', '__sum__amount', '__avg__x'],
    );
    assert.deepEqual(spec.orderBy, [{ column: '__avg__x', direction: 'desc' }]);
    assert.deepEqual(
      groupRows(
        [{ name: 'a', __bucket: '2024-01-01T00:00:00Z', __count: '3', __sum__amount: '1.50' }],
        args,
        {
          sum: ['amount'],
        },
      ),
      [{ key: { name: 'a' }, bucket: '2024-01-01T00:00:00Z', count: '3', sum: { amount: '1.50' } }],
    );
    assert.throws(() => aggregateSpec({ orderBy: [{ key: { name: 'asc' } }] }, {}), /group by name/);
  });

  it('buckets by the one bucket argument given: of a timestamp, a wall-clock timestamp or a date', () => {
    assert.deepEqual(aggregateSpec({ dateBucket: { column: 'day', unit: 'month' } }, {}).groupBy, [
      { column: 'day', bucket: 'month', as: '__bucket' },
    ]);
    assert.deepEqual(aggregateSpec({ localTimeBucket: { column: 'local_ts', unit: 'hour' } }, {}).groupBy, [
      { column: 'local_ts', bucket: 'hour', as: '__bucket' },
    ]);
    assert.throws(
      () =>
        aggregateSpec(
          { timeBucket: { column: 'ts', unit: 'day' }, dateBucket: { column: 'day', unit: 'day' } },
          {},
        ),
      /timeBucket and dateBucket are given; a query has one time bucket/,
    );
    assert.throws(
      () => aggregateSpec({ orderBy: [{ bucket: 'asc' }] }, {}),
      /bucket needs a time bucket \(timeBucket, localTimeBucket, dateBucket\)/,
    );
  });
});
