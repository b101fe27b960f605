import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregateMayBeNull,
  aggregateRefusal,
  aggregateResultType,
  bucketUnits,
  filterOps,
  isGroupableType,
  isListed,
  takesValues,
} from '../../../src/query/column-rules.js';
import { typeFamily } from '../../../src/query/columns.js';
import { QueryError } from '../../../src/query/errors.js';
import { validateQuery } from '../../../src/query/validate.js';

describe('column rules', () => {
  it('admit every column when a dataset gives no list, and only listed ones when it does', () => {
    assert.equal(isListed('a', undefined), true);
    assert.equal(isListed('a', ['b']), false);
  });

  it('compare with values only columns of a scalar type', () => {
    assert.equal(takesValues(typeFamily('decimal(12,2)')), true);
    assert.equal(takesValues(typeFamily('interval day')), false);
    assert.equal(takesValues(typeFamily('array<int>')), false);
  });

  it('group by anything but complex and unknown types', () => {
    assert.equal(isGroupableType(typeFamily('void')), true);
    assert.equal(isGroupableType(typeFamily('map<string,int>')), false);
  });

  it('say why an aggregate refuses a column, and what type it returns', () => {
    assert.equal(aggregateRefusal('sum', typeFamily('string')), 'needs a numeric column');
    assert.equal(aggregateRefusal('avg', typeFamily('interval year')), undefined);
    assert.equal(aggregateResultType('sum', 'int'), 'bigint');
    assert.equal(aggregateResultType('avg', 'decimal(12,2)'), 'decimal(12,2)');
    assert.equal(aggregateResultType('avg', 'bigint'), 'double');
    assert.equal(aggregateResultType('count', undefined), 'bigint');
  });

  it('list the filter ops of a column: values where it takes them, null checks always', () => {
    assert.deepEqual(filterOps(typeFamily('string')), [
      'eq',
      'ne',
      'lt',
      'lte',
      'gt',
      'gte',
      'in',
      'not_in',
      'between',
      'like',
      'ilike',
      'is_null',
      'not_null',
    ]);
    assert.deepEqual(filterOps(typeFamily('bigint')), [
      'eq',
      'ne',
      'lt',
      'lte',
      'gt',
      'gte',
      'in',
      'not_in',
      'between',
      'is_null',
      'not_null',
    ]);
    for (const type of ['interval day to second', 'time(6)', 'array<int>', 'map<string,int>', 'void']) {
      assert.deepEqual(filterOps(typeFamily(type)), ['is_null', 'not_null'], type);
    }
  });

  it('bucket dates by day and longer, timestamps by every unit, nothing else', () => {
    assert.deepEqual(bucketUnits(typeFamily('date')), ['day', 'week', 'month', 'quarter', 'year']);
    assert.equal(bucketUnits(typeFamily('timestamp_ntz')).length, 7);
    assert.deepEqual(bucketUnits(typeFamily('bigint')), []);
  });

  it('never answer a count as null', () => {
    assert.equal(aggregateMayBeNull('count_distinct'), false);
    assert.equal(aggregateMayBeNull('sum'), true);
  });

  it('average intervals as intervals, as Spark does, so having compares them with no number', () => {
    assert.equal(aggregateResultType('avg', 'interval day to second'), 'interval day to second');
    const shape = {
      name: 'd',
      columns: [
        { name: 'g', type: 'int', nullable: true },
        { name: 'dti', type: 'interval day to second', nullable: true },
      ],
      parameters: {},
      defaultLimit: 10,
      maxLimit: 10,
    };
    assert.throws(
      () =>
        validateQuery(
          {
            groupBy: ['g'],
            aggregates: [{ fn: 'avg', column: 'dti', as: 'a' }],
            having: { op: 'gt', column: 'a', value: 1.5 },
          },
          shape,
        ),
      (err: unknown) =>
        err instanceof QueryError &&
        err.pointer === '/having/value' &&
        err.message ===
          '/having/value: columns of type interval day to second cannot be compared with a value',
    );
  });
});
