import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregateRefusal,
  aggregateResultType,
  isGroupableType,
  isListed,
  takesValues,
} from '../../../src/query/column-rules.js';
import { typeFamily } from '../../../src/query/columns.js';

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
});
