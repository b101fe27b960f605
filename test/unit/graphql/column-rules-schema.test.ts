/**
 * The typed schema offers no field validation would refuse: what it leaves out for a kind of
 * column is refused by the QuerySpec path too, with a 400 saying what to do instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEnumType, isInputObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { toCatalogueError } from '../../../src/errors/to-catalogue.js';
import { toProblem } from '../../../src/errors/problem.js';
import { fullSchema } from '../../../src/graphql/schema.js';
import type { ColumnInfo } from '../../../src/query/columns.js';
import { aggregateSpec } from '../../../src/graphql/specs/typed-groups.js';
import { whereFilter } from '../../../src/graphql/specs/typed-where.js';
import type { QuerySpec, Scalar } from '../../../src/query/spec.js';
import { validateQuery } from '../../../src/query/validate.js';
import type { DatasetDescription } from '../../../src/service/query-service.js';

const COLUMNS: ColumnInfo[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'day', type: 'date', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'local_ts', type: 'timestamp_ntz', nullable: true },
  { name: 'dti', type: 'interval day to second', nullable: true },
  { name: 'ymi', type: 'interval year to month', nullable: true },
  { name: 'clock', type: 'time(6)', nullable: true },
  { name: 'nothing', type: 'void', nullable: true },
];

const dataset = (extra: Partial<DatasetDescription> = {}): DatasetDescription => ({
  name: 'kinds',
  description: 'columns of every kind',
  parameters: {},
  columns: COLUMNS,
  defaultLimit: 10,
  maxLimit: 100,
  ...extra,
});

/** The names of an input object's fields, or of an enum's values. */
function names(schema: GraphQLSchema, type: string): string[] {
  const t = schema.getType(type);
  if (isInputObjectType(t)) return Object.keys(t.getFields());
  if (isEnumType(t)) return t.getValues().map((v) => v.name);
  assert.fail(`${type} is not an input or an enum`);
}

const argNames = (schema: GraphQLSchema, field: string) =>
  ((schema.getType('Query') as GraphQLObjectType).getFields()[field]?.args ?? []).map((a) => a.name);

/** The problem the QuerySpec path answers for the spec: its status, detail and pointer. */
function refusal(spec: QuerySpec, extra: Partial<DatasetDescription> = {}) {
  try {
    validateQuery(spec, dataset(extra));
  } catch (err) {
    const { status, detail, pointer } = toProblem(toCatalogueError(err));
    return { status, detail, pointer };
  }
  assert.fail('the QuerySpec was accepted');
}

describe('the typed schema leaves out what validation refuses', () => {
  const schema = fullSchema({ maxRows: 100 }, [dataset()]);

  it('compares intervals and times with no value: _is_null alone', () => {
    for (const column of ['dti', 'ymi', 'clock']) {
      const where = (
        schema.getType('KindsWhere') as { getFields(): Record<string, { type: unknown }> }
      ).getFields()[column];
      assert.equal(String(where?.type), 'NullComparison', column);
    }
    assert.deepEqual(names(schema, 'NullComparison'), ['_is_null']);
    assert.equal(schema.getType('IntervalComparison'), undefined);
    assert.equal(schema.getType('TimeComparison'), undefined);
    assert.deepEqual(refusal({ where: { op: 'eq', column: 'dti', value: '1 day' } }), {
      status: 400,
      detail: '/where/value: columns of type interval day to second cannot be compared with a value',
      pointer: '/where/value',
    });
    assert.deepEqual(refusal({ where: { op: 'gt', column: 'clock', value: '12:00:00' } }), {
      status: 400,
      detail: '/where/value: columns of type time(6) cannot be compared with a value',
      pointer: '/where/value',
    });
  });

  it('buckets dates by day and longer, with no time zone', () => {
    assert.deepEqual(names(schema, 'KindsTimeColumn'), ['ts']);
    assert.deepEqual(names(schema, 'KindsDateColumn'), ['day']);
    assert.deepEqual(names(schema, 'DateBucketUnit'), ['day', 'week', 'month', 'quarter', 'year']);
    assert.deepEqual(names(schema, 'KindsDateBucket'), ['column', 'unit']);
    assert.deepEqual(refusal({ groupBy: [{ column: 'day', bucket: 'hour' }] }), {
      status: 400,
      detail: '/groupBy/0/bucket: "day" is a date: bucket it by day, week, month, quarter or year',
      pointer: '/groupBy/0/bucket',
    });
    assert.deepEqual(refusal({ groupBy: [{ column: 'day', bucket: 'month', timeZone: 'UTC' }] }), {
      status: 400,
      detail: '/groupBy/0/timeZone: "day" is a date, which has no time zone',
      pointer: '/groupBy/0/timeZone',
    });
  });

  it('buckets wall-clock timestamps by every unit, with no time zone', () => {
    assert.deepEqual(names(schema, 'KindsLocalTimeColumn'), ['local_ts']);
    assert.deepEqual(names(schema, 'KindsLocalTimeBucket'), ['column', 'unit']);
    assert.equal(
      String(
        (
          schema.getType('KindsLocalTimeBucket') as { getFields(): Record<string, { type: unknown }> }
        ).getFields()['unit']?.type,
      ),
      'TimeBucketUnit!',
    );
    assert.deepEqual(refusal({ groupBy: [{ column: 'local_ts', bucket: 'day', timeZone: 'UTC' }] }), {
      status: 400,
      detail:
        '/groupBy/0/timeZone: "local_ts" is a timestamp_ntz (a wall-clock time), which has no time zone',
      pointer: '/groupBy/0/timeZone',
    });
  });

  it('buckets only the columns the dataset lets group', () => {
    const onlyTs = fullSchema({ maxRows: 100 }, [dataset({ groupable: ['ts'] })]);
    assert.deepEqual(
      argNames(onlyTs, 'kindsAggregate').filter((a) => a.endsWith('Bucket')),
      ['timeBucket'],
    );
    assert.equal(onlyTs.getType('KindsDateBucket'), undefined);
    assert.equal(onlyTs.getType('KindsLocalTimeBucket'), undefined);
    const refused = refusal({ groupBy: [{ column: 'day', bucket: 'month' }] }, { groupable: ['ts'] });
    assert.deepEqual(refused, {
      status: 400,
      detail: '/groupBy/0: column "day" cannot be grouped by',
      pointer: '/groupBy/0',
    });
  });

  it('groups by a void column, but does not order groups by it', () => {
    assert.ok(names(schema, 'KindsColumn').includes('nothing'));
    assert.ok(!names(schema, 'KindsKeyOrderBy').includes('nothing'));
    assert.deepEqual(refusal({ groupBy: ['nothing'], orderBy: [{ column: 'nothing' }] }), {
      status: 400,
      detail: '/orderBy/0: cannot sort by "nothing" of type void',
      pointer: '/orderBy/0',
    });
  });
});

/** A column of each type, and a value of it where it has values. */
const EVERY_TYPE: [ColumnInfo, Scalar | undefined][] = [
  [{ name: 'b', type: 'boolean', nullable: true }, true],
  [{ name: 'i', type: 'int', nullable: true }, 1],
  [{ name: 'l', type: 'bigint', nullable: true }, '1'],
  [{ name: 'f', type: 'double', nullable: true }, 1.5],
  [{ name: 'dec', type: 'decimal(12,2)', nullable: true }, '1.50'],
  [{ name: 's', type: 'string', nullable: true }, 'a'],
  [{ name: 'bin', type: 'binary', nullable: true }, 'AAAA'],
  [{ name: 'd', type: 'date', nullable: true }, '2024-01-01'],
  [{ name: 'ts', type: 'timestamp', nullable: true }, '2024-01-01T00:00:00Z'],
  [{ name: 'nt', type: 'timestamp_ntz', nullable: true }, '2024-01-01T00:00:00'],
  [{ name: 'tm', type: 'time(6)', nullable: true }, undefined],
  [{ name: 'dti', type: 'interval day to second', nullable: true }, undefined],
  [{ name: 'ymi', type: 'interval year to month', nullable: true }, undefined],
  [{ name: 'arr', type: 'array<int>', nullable: true }, undefined],
  [{ name: 'm', type: 'map<string,int>', nullable: true }, undefined],
  [{ name: 'st', type: 'struct<a:int>', nullable: true }, undefined],
  [{ name: 'v', type: 'void', nullable: true }, undefined],
];
const ALL: DatasetDescription = { ...dataset(), columns: EVERY_TYPE.map(([c]) => c) };
const accepted = (spec: QuerySpec) => {
  try {
    validateQuery(spec, ALL);
    return true;
  } catch {
    return false;
  }
};
/** The QuerySpec of a typed `where`. */
const where = (w: Record<string, unknown>): QuerySpec => {
  const filter = whereFilter(w);
  assert.ok(filter !== undefined);
  return { where: filter };
};
const COMPARISONS = ['_eq', '_neq', '_gt', '_gte', '_lt', '_lte', '_in', '_nin', '_like', '_ilike'];

describe('the typed schema offers exactly what validation accepts, for columns of every type', () => {
  const schema = fullSchema({ maxRows: 100 }, [ALL]);
  const inputFields = (type: string) =>
    (schema.getType(type) as { getFields(): Record<string, { type: unknown }> }).getFields();

  for (const [column, value] of EVERY_TYPE) {
    it(`${column.type}: where`, () => {
      const comparison = String(inputFields('KindsWhere')[column.name]?.type);
      const offered = new Set(names(schema, comparison));
      assert.ok(offered.has('_is_null'));
      assert.equal(accepted(where({ [column.name]: { _is_null: true } })), true);
      for (const op of COMPARISONS) {
        const operand =
          op === '_like' || op === '_ilike' ? 'a%' : op.endsWith('in') ? [value ?? 'x'] : (value ?? 'x');
        const spec = where({ [column.name]: { [op]: operand } });
        assert.equal(accepted(spec), offered.has(op), `${op} on ${column.type}`);
      }
    });

    it(`${column.type}: groups and measures`, () => {
      const groupable = names(schema, 'KindsColumn').includes(column.name);
      assert.equal(accepted({ groupBy: [column.name] }), groupable, 'groupBy');
      const group = (schema.getType('KindsGroup') as GraphQLObjectType).getFields();
      for (const measure of ['countDistinct', 'sum', 'avg', 'min', 'max']) {
        const type = group[measure]?.type as { ofType?: GraphQLObjectType } | undefined;
        const offered = type?.ofType?.getFields()[column.name] !== undefined;
        const spec = aggregateSpec({}, { [measure]: [column.name] });
        assert.equal(accepted(spec), offered, `${measure} of ${column.type}`);
      }
    });
  }
});
