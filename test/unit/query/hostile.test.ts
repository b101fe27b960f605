import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBinary, toJson } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { PlanSchema } from '../../../src/gen/spark/connect/base_pb.js';
import { compilePlan } from '../../../src/plan/compile.js';
import { QueryError } from '../../../src/query/errors.js';
import { SPEC_LIMITS, type QuerySpec } from '../../../src/query/spec.js';
import { validateQuery } from '../../../src/query/validate.js';
import { FIXTURE, FIXTURE_SQL, FIXTURE_TEMPLATE } from '../../helpers/fixture-dataset.js';
import { deepFilter, filterTree, hugeNumber, hugeNumberText, oddKey } from '../../helpers/hostile.js';

/** The plan with every literal value blanked: what a value must never change. */
function shapeOf(spec: QuerySpec): string {
  const json = JSON.stringify(
    toJson(PlanSchema, compilePlan(validateQuery(spec, FIXTURE), FIXTURE_TEMPLATE)),
  );
  return json.replace(/"literal":\{"(\w+)":("(?:[^"\\]|\\.)*"|[^}]*)\}/g, '"literal":{"$1":_}');
}

const likeSpec = (pattern: string): QuerySpec => ({ where: { op: 'like', column: 'name', pattern } });

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    "'; DROP TABLE fixture; --",
    '`id`',
    '" OR 1=1 --',
    '\\',
    '\u0000',
    '/* */',
    '${x}',
    ':since',
    '?',
    'a\nb',
    '\u2028',
  ),
);

describe('hostile input', () => {
  it('travels as a literal: a value never changes the plan’s shape', () => {
    const base = shapeOf({ where: { op: 'eq', column: 'name', value: 'x' } });
    fc.assert(
      fc.property(hostile, (value) => {
        assert.equal(shapeOf({ where: { op: 'eq', column: 'name', value } }), base);
      }),
    );
  });

  it('in patterns and set members, too', () => {
    // A pattern with two `%` or more is matched another way (see plan/like.ts), and one with an
    // escape Spark refuses is refused; either way the pattern stays a literal.
    const like = [shapeOf(likeSpec('x')), shapeOf(likeSpec('%x%_'))];
    const set = shapeOf({ where: { op: 'in', column: 'name', values: ['x', 'y'] } });
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        assert.equal(shapeOf({ where: { op: 'in', column: 'name', values: [a, b] } }), set);
        let shape: string;
        try {
          shape = shapeOf(likeSpec(a));
        } catch (err) {
          assert.ok(err instanceof QueryError && /escape character/.test(err.message), String(err));
          return;
        }
        assert.ok(like.includes(shape), a);
      }),
    );
  });

  it('as a column name, fails validation with a 4xx error unless it is a real column', () => {
    const names = new Set(FIXTURE.columns.map((c) => c.name.toLowerCase()));
    fc.assert(
      fc.property(hostile, (column) => {
        fc.pre(!names.has(column.toLowerCase()));
        assert.throws(
          () => validateQuery({ where: { op: 'eq', column, value: 1 } }, FIXTURE),
          (err: unknown) => err instanceof QueryError && err.pointer === '/where/column',
        );
      }),
    );
  });

  it('as an alias, is only ever a name: the plan differs from a benign alias in that name alone', () => {
    const plan = (as: string) =>
      JSON.stringify(
        toJson(
          PlanSchema,
          compilePlan(validateQuery({ select: [{ column: 'id', as }] }, FIXTURE), FIXTURE_TEMPLATE),
        ),
      );
    const benign = plan('benign_alias');
    fc.assert(
      fc.property(
        hostile.filter((s) => s.length > 0 && s.length <= 256),
        (as) => {
          // A function replacement: `$&` and friends in the alias are text, not patterns.
          assert.equal(
            plan(as),
            benign.replace('"benign_alias"', () => JSON.stringify(as)),
          );
        },
      ),
    );
  });
});

const hostileSpec: fc.Arbitrary<QuerySpec> = fc.record(
  {
    params: fc.dictionary(oddKey, fc.oneof(hugeNumber, fc.string())),
    select: fc.array(fc.oneof(fc.constantFrom('id', 'name'), oddKey), { maxLength: 300 }),
    where: fc.oneof(filterTree, deepFilter),
    limit: hugeNumber,
    offset: hugeNumber,
  },
  { requiredKeys: [] },
);

/** The query's fate: refused with a QueryError (a 400), or a plan protobuf can encode for Spark. */
function fate(spec: QuerySpec, shape = FIXTURE, template = FIXTURE_TEMPLATE): 'refused' | 'planned' {
  let plan;
  try {
    plan = compilePlan(validateQuery(spec, shape), template);
  } catch (err) {
    if (err instanceof QueryError) return 'refused';
    throw err;
  }
  toBinary(PlanSchema, plan);
  return 'planned';
}

describe('hostile shapes and sizes', () => {
  it('huge numbers, deep and wide trees, long patterns and odd keys are refused or planned, never more', () => {
    fc.assert(
      fc.property(hostileSpec, (spec) => {
        const outcome = fate(spec);
        if (outcome === 'planned') {
          const q = validateQuery(spec, FIXTURE);
          assert.ok(q.limit + q.offset <= SPEC_LIMITS.maxRowIndex);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('as parameter values and names of a SQL dataset', () => {
    const { shape, template } = FIXTURE_SQL;
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(oddKey, fc.constantFrom('since', 'region', 'top')),
          fc.oneof(hugeNumber, hugeNumberText),
        ),
        (params) => {
          fate({ params: { since: '2024-01-01', ...params } }, shape, template);
        },
      ),
    );
  });
});
