import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { toJsonString } from '@bufbuild/protobuf';
import { PlanSchema } from '../../../src/gen/spark/connect/base_pb.js';
import { compilePlan } from '../../../src/plan/compile.js';
import type { QuerySpec } from '../../../src/query/spec.js';
import { validateQuery } from '../../../src/query/validate.js';
import { FIXTURE, FIXTURE_SQL, FIXTURE_TEMPLATE } from '../../helpers/fixture-dataset.js';

const dir = new URL('../../fixtures/specs/', import.meta.url);
const update = process.env['UPDATE_GOLDEN'] === '1';

/** Each `<name>.json` spec compiles to exactly `<name>.plan.json` (UPDATE_GOLDEN=1 rewrites them). */
describe('golden plans', () => {
  const specs = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.plan.json'));
  it('has specs to check', () => {
    assert.ok(specs.length >= 10, `${specs.length} specs`);
  });
  for (const file of specs) {
    it(file.replace(/\.json$/, ''), () => {
      const { dataset, spec } = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        dataset: string;
        spec: QuerySpec;
      };
      const [shape, template] =
        dataset === 'fixture_sql' ? [FIXTURE_SQL.shape, FIXTURE_SQL.template] : [FIXTURE, FIXTURE_TEMPLATE];
      const plan = compilePlan(validateQuery(spec, shape), template);
      const actual = `${toJsonString(PlanSchema, plan, { prettySpaces: 2 })}\n`;
      const golden = new URL(file.replace(/\.json$/, '.plan.json'), dir);
      if (update) writeFileSync(golden, actual);
      assert.equal(actual, readFileSync(golden, 'utf8'));
    });
  }

  it('compiles the same spec to the same plan every time (plan ids are per compile)', () => {
    const query = validateQuery({ where: { op: 'eq', column: 'id', value: 1 }, orderBy: ['id'] }, FIXTURE);
    const a = toJsonString(PlanSchema, compilePlan(query, FIXTURE_TEMPLATE));
    compilePlan(query, FIXTURE_TEMPLATE);
    assert.equal(toJsonString(PlanSchema, compilePlan(query, FIXTURE_TEMPLATE)), a);
  });
});
