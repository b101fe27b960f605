import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../../src/query/errors.js';
import type { ScalarType } from '../../../src/query/scalar-types.js';
import type { QuerySpec, Scalar } from '../../../src/query/spec.js';
import { validateQuery } from '../../../src/query/validate.js';
import type { DatasetShape } from '../../../src/query/validated-query.js';
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

  it('counts every condition of the query, in every branch, where and having together', () => {
    const leaf = { op: 'eq', column: 'id', value: 1 };
    const and = (n: number) => ({ op: 'and', filters: Array.from({ length: n }, () => leaf) });
    // An OR of 90 ANDs of 100 conditions is 9,000 conditions.
    const wide = { op: 'or', filters: Array.from({ length: 90 }, () => and(100)) };
    refused({ where: wide }, '/where/filters/2', /at most 200 conditions \(where and having together\)/);
    assert.ok(validateQuery({ where: { op: 'or', filters: [and(100), and(100)] } } as QuerySpec, FIXTURE));
    const grouped = { groupBy: ['name'], aggregates: [{ fn: 'count', as: 'c' }] };
    const having = {
      op: 'or',
      filters: Array.from({ length: 101 }, () => ({ op: 'gt', column: 'c', value: 1 })),
    };
    refused({ ...grouped, where: and(100), having }, '/having', /at most 200 conditions/);
    refused(
      { where: { op: 'not', filter: { op: 'and', filters: [] } } },
      '/where/filter/filters',
      /needs a condition/,
    );
  });

  it('refuses a tree too large or too deep after reading no more of it than the limits allow', () => {
    // Conditions looked at, whatever the tree holds beyond them.
    const read = new Set<object>();
    const counted = (filter: object): object =>
      new Proxy(filter, {
        get(target, key, receiver) {
          read.add(target);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    const leaf = () => counted({ op: 'eq', column: 'id', value: 1 });
    const and = (n: number) => counted({ op: 'and', filters: Array.from({ length: n }, leaf) });
    // 30,000 conditions: refused once the first 200 are counted.
    refused(
      { where: { op: 'or', filters: Array.from({ length: 300 }, () => and(100)) } },
      '/where',
      /at most 200/,
    );
    refused(
      { where: { op: 'or', filters: Array.from({ length: 30 }, () => and(1000)) } },
      '/where/filters/0',
      /at most 200/,
    );
    refused(
      { where: { op: 'or', filters: Array.from({ length: 100 }, () => and(100)) } },
      '/where/filters/2',
      /at most 200/,
    );
    assert.ok(read.size <= 210, `read ${read.size} conditions`);
    read.clear();
    let deep: object = leaf();
    for (let k = 0; k < 100_000; k++) deep = counted({ op: 'not', filter: deep });
    refused({ where: deep }, `/where${'/filter'.repeat(9)}`, /nest at most 8 deep/);
    assert.ok(read.size <= 10, `read ${read.size} conditions`);
  });

  it('bounds what reaches the plan: list sizes, patterns, limit and offset', () => {
    const values = (n: number) => Array.from({ length: n }, (_v, k) => k);
    assert.ok(validateQuery({ where: { op: 'in', column: 'id', values: values(1000) } }, FIXTURE));
    refused({ where: { op: 'in', column: 'id', values: values(1001) } }, '/where/values', /1 to 1000 values/);
    refused({ where: { op: 'not_in', column: 'id', values: [] } }, '/where/values', /1 to 1000 values/);
    const pattern = (n: number) => '%_'.repeat(n / 2);
    assert.ok(validateQuery({ where: { op: 'like', column: 'name', pattern: pattern(100) } }, FIXTURE));
    refused(
      { where: { op: 'ilike', column: 'name', pattern: pattern(102) } },
      '/where/pattern',
      /at most 100 wildcards/,
    );
    // Escaped wildcards are literal characters.
    const escaped = `${'\\%'.repeat(500)}${'_'.repeat(100)}`;
    assert.ok(validateQuery({ where: { op: 'like', column: 'name', pattern: escaped } }, FIXTURE));
    // Escapes Spark refuses are refused before they reach it.
    refused({ where: { op: 'like', column: 'name', pattern: 'a\\b' } }, '/where/pattern', /escape character/);
    refused({ where: { op: 'ilike', column: 'name', pattern: 'a%\\' } }, '/where/pattern', /ends with/);
    refused({ select: [] }, '/select', /at least one column/);
    refused({ orderBy: Array.from({ length: 257 }, () => 'id') }, '/orderBy', /at most 256 items/);
    const big = { ...FIXTURE, maxLimit: 2 ** 31 - 1 };
    for (const offset of [2 ** 31, 1e10, 1e30, Infinity, -1, 1.5]) {
      refused({ offset }, '/offset', /integer from 0 to 2147483647/, undefined, big);
    }
    refused({ limit: 1, offset: 2 ** 31 - 1 }, '/offset', /limit \+ offset is 2147483648/, undefined, big);
    refused({ offset: 2 ** 31 - 100 }, '/offset', /limit \+ offset/, undefined, big);
    assert.equal(validateQuery({ limit: 1, offset: 2 ** 31 - 2 }, big).offset, 2 ** 31 - 2);
    refused(
      { aggregates: [{ fn: 'approx_percentile', column: 'x', percentile: Number.NaN, as: 'p' }] },
      '/aggregates/0/percentile',
      /between 0 and 1/,
    );
  });

  it('takes any name as a parameter name, __proto__ and constructor too', () => {
    const { shape } = FIXTURE_SQL;
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const params = Object.fromEntries([
        ['since', '2024-01-01'],
        [name, 1],
      ]) as Record<string, Scalar>;
      refused({ params }, `/params/${name}`, new RegExp(`no parameter "${name}"`), undefined, shape);
    }
  });

  it('compares parameter bounds exactly, as Spark orders the values', () => {
    const shape = (type: ScalarType, min: Scalar, max: Scalar) => ({
      ...FIXTURE,
      parameters: { p: { type, required: true, min, max } },
    });
    const accepts = (s: DatasetShape, p: Scalar) => {
      assert.ok(validateQuery({ params: { p } }, s), String(p));
    };
    const tooLow = (s: DatasetShape, p: Scalar) => {
      refused({ params: { p } }, '/params/p', /less than the minimum/, undefined, s);
    };
    const tooHigh = (s: DatasetShape, p: Scalar) => {
      refused({ params: { p } }, '/params/p', /more than the maximum/, undefined, s);
    };
    // Longs beyond 2^53, which doubles cannot tell apart.
    const long = shape('long', '-9007199254740993', '9007199254740993');
    accepts(long, '9007199254740993');
    accepts(long, '-9007199254740993');
    tooHigh(long, '9007199254740994');
    tooLow(long, '-9007199254740994');
    tooHigh(long, '9223372036854775807');
    // Decimals that differ beyond double precision.
    const decimal = shape('decimal', '0.10000000000000000001', '12345678901234567890.5');
    accepts(decimal, '0.10000000000000000001');
    tooLow(decimal, '0.1');
    tooLow(decimal, 0.1);
    accepts(decimal, '12345678901234567890.5');
    tooHigh(decimal, '12345678901234567890.50000000000000001');
    // Numbers that came as text (query strings) compare as numbers, not text.
    const int = shape('int', 1, 100);
    accepts(int, '99');
    accepts(int, '2');
    tooHigh(int, '101');
    // Timestamps compare by their instant, whatever their offsets.
    const ts = shape('timestamp', '2024-01-01T00:00:00Z', '2024-12-31T00:00:00Z');
    accepts(ts, '2024-01-01T01:00:00+01:00');
    tooLow(ts, '2024-01-01T00:59:59+01:00');
    // NaN is above every number in Spark's order.
    tooHigh(shape('double', 0, 1e308), 'NaN');
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
