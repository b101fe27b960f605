import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../../src/query/errors.js';
import type { QuerySpec } from '../../../src/query/spec.js';
import { validateQuery } from '../../../src/query/validate.js';
import { FIXTURE, FIXTURE_SQL } from '../../helpers/fixture-dataset.js';

function refused(
  spec: unknown,
  pointer: string,
  message: RegExp,
  allowed?: readonly string[],
  shape = FIXTURE,
): void {
  assert.throws(
    () => validateQuery(spec as QuerySpec, shape),
    (err: unknown) => {
      assert.ok(err instanceof QueryError, String(err));
      assert.equal(err.pointer, pointer);
      assert.match(err.message, message);
      if (allowed !== undefined) assert.deepEqual(err.allowed, allowed);
      return true;
    },
  );
}

describe('validateQuery', () => {
  it('names an unknown column and lists the valid ones', () => {
    refused(
      { where: { op: 'eq', column: 'nope', value: 1 } },
      '/where/column',
      /dataset fixture has no column "nope"/,
      FIXTURE.columns.map((c) => c.name),
    );
    refused({ select: ['id', 'nope'] }, '/select/1', /no column "nope"/);
    refused({ orderBy: [{ column: 'nope' }] }, '/orderBy/0/column', /no column "nope"/);
  });

  it('resolves column names ignoring case, as Spark does', () => {
    const q = validateQuery({ select: ['ID'], where: { op: 'eq', column: 'NAME', value: 'a' } }, FIXTURE);
    assert.deepEqual(q.select, [{ column: 'id', as: 'id' }]);
    assert.deepEqual(q.where, { op: 'eq', column: 'name', value: { type: 'string', value: 'a' } });
  });

  it('types values by their column, exactly', () => {
    const q = validateQuery(
      {
        where: {
          op: 'and',
          filters: [
            { op: 'eq', column: 'id', value: '9007199254740993' },
            { op: 'eq', column: 'amount', value: 12.5 },
            { op: 'gte', column: 'ts', value: '2024-01-01T00:00:00+01:00' },
            { op: 'in', column: 'n', values: [1, '2'] },
          ],
        },
      },
      FIXTURE,
    );
    assert.deepEqual(q.where, {
      op: 'and',
      conditions: [
        { op: 'eq', column: 'id', value: { type: 'long', value: '9007199254740993' } },
        { op: 'eq', column: 'amount', value: { type: 'decimal', value: '12.5' } },
        { op: 'gte', column: 'ts', value: { type: 'timestamp', value: '2024-01-01T00:00:00+01:00' } },
        {
          op: 'in',
          column: 'n',
          values: [
            { type: 'int', value: 1 },
            { type: 'int', value: 2 },
          ],
        },
      ],
    });
  });

  it('refuses values that do not fit their column, saying what is expected', () => {
    refused(
      { where: { op: 'eq', column: 'n', value: 'seven' } },
      '/where/value',
      /expected a number for int/,
    );
    refused(
      { where: { op: 'eq', column: 'n', value: 2 ** 40 } },
      '/where/value',
      /-2147483648 to 2147483647/,
    );
    refused(
      { where: { op: 'eq', column: 'id', value: 2 ** 60 } },
      '/where/value',
      /as a string for exactness/,
    );
    refused({ where: { op: 'eq', column: 'day', value: '01/02/2024' } }, '/where/value', /YYYY-MM-DD/);
    refused(
      { where: { op: 'eq', column: 'ts', value: '2024-01-01T00:00:00' } },
      '/where/value',
      /needs a time zone offset/,
    );
    refused({ where: { op: 'eq', column: 'name', value: null } }, '/where/value', /use op "is_null"/);
    refused(
      { where: { op: 'in', column: 'flag', values: [true, 'yes'] } },
      '/where/values/1',
      /true or false/,
    );
    refused(
      { where: { op: 'eq', column: 'tags', value: 'a' } },
      '/where/value',
      /array<string> cannot be compared/,
    );
  });

  it('refuses operators the column type does not support', () => {
    refused(
      { where: { op: 'like', column: 'n', pattern: '1%' } },
      '/where/op',
      /"like" needs a string column; "n" is int/,
    );
    refused({ where: { op: 'lt', column: 'tags', value: 'a' } }, '/where/op', /orderable/);
    refused(
      { groupBy: [{ column: 'name', bucket: 'day' }], aggregates: [{ fn: 'count', as: 'c' }] },
      '/groupBy/0/bucket',
      /date or timestamp/,
    );
    refused(
      { aggregates: [{ fn: 'sum', column: 'name', as: 's' }] },
      '/aggregates/0/fn',
      /sum needs a numeric column/,
    );
    refused({ aggregates: [{ fn: 'avg', as: 's' }] }, '/aggregates/0/column', /avg needs a column/);
    refused(
      { aggregates: [{ fn: 'approx_percentile', column: 'x', as: 'p' }] },
      '/aggregates/0/percentile',
      /between 0 and 1/,
    );
  });

  it('checks the shape of grouped queries', () => {
    refused({ select: ['id'], aggregates: [{ fn: 'count', as: 'c' }] }, '/select', /leave select out/);
    refused({ having: { op: 'gt', column: 'id', value: 1 } }, '/having', /needs groupBy or aggregates/);
    refused(
      { groupBy: ['name'], aggregates: [{ fn: 'count', as: 'name' }] },
      '/groupBy',
      /"name" appears twice/,
    );
    refused(
      { groupBy: ['name'], aggregates: [{ fn: 'count', as: 'c' }], orderBy: ['id'] },
      '/orderBy/0',
      /no output column "id"/,
      ['name', 'c'],
    );
    refused(
      {
        groupBy: ['name'],
        aggregates: [{ fn: 'count', as: 'c' }],
        having: { op: 'gt', column: 'x', value: 1 },
      },
      '/having/column',
      /no output column "x"/,
    );
    refused(
      { groupBy: [{ column: 'ts', bucket: 'day', timeZone: 'Mars/Olympus' }] },
      '/groupBy/0/timeZone',
      /not a time zone/,
    );
    refused(
      { groupBy: [{ column: 'local_ts', bucket: 'day', timeZone: 'Europe/Paris' }] },
      '/groupBy/0/timeZone',
      /is a timestamp_ntz \(a wall-clock time\), which has no time zone/,
    );
  });

  it('holds limits to the dataset’s maximum and defaults them', () => {
    assert.equal(validateQuery({}, FIXTURE).limit, FIXTURE.defaultLimit);
    refused({ limit: 10_001 }, '/limit', /at most 10000/);
  });

  it('refuses filters nested too deep or too many', () => {
    let deep: unknown = { op: 'eq', column: 'id', value: 1 };
    for (let k = 0; k < 9; k++) deep = { op: 'not', filter: deep };
    assert.throws(() => validateQuery({ where: deep } as QuerySpec, FIXTURE), /nest at most 8 deep/);
    const wide = {
      op: 'or',
      filters: Array.from({ length: 201 }, (_v, k) => ({ op: 'eq', column: 'id', value: k })),
    };
    assert.throws(() => validateQuery({ where: wide } as QuerySpec, FIXTURE), /at most 200 conditions/);
  });

  it('binds parameters: defaults, required ones, allowed values and bounds', () => {
    const { shape } = FIXTURE_SQL;
    assert.deepEqual(validateQuery({ params: { since: '2024-01-01' } }, shape).params, {
      since: { type: 'date', value: '2024-01-01' },
      region: { type: 'null', of: 'string' },
      top: { type: 'int', value: 10 },
    });
    refused({}, '/params/since', /parameter "since" \(date\) is required/, undefined, shape);
    refused(
      { params: { since: '2024-01-01', region: 'MARS' } },
      '/params/region',
      /is not allowed/,
      ['"EU"', '"US"'],
      shape,
    );
    refused(
      { params: { since: '2024-01-01', top: 500 } },
      '/params/top',
      /more than the maximum 100/,
      undefined,
      shape,
    );
    refused(
      { params: { since: '2024-01-01', other: 1 } },
      '/params/other',
      /no parameter "other"/,
      ['since', 'region', 'top'],
      shape,
    );
  });

  it('returns a frozen query', () => {
    const q = validateQuery({ where: { op: 'eq', column: 'id', value: 1 } }, FIXTURE);
    assert.ok(Object.isFrozen(q) && Object.isFrozen(q.where));
  });
});
