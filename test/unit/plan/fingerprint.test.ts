import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { PlanSchema } from '../../../src/gen/spark/connect/base_pb.js';
import { planFingerprint } from '../../../src/plan/fingerprint.js';
import { capRows, rootPlan, sqlRelation } from '../../../src/plan/sql.js';

const plan = (value: number) =>
  rootPlan(sqlRelation('SELECT :v AS v', { named: { v: { type: 'int', value } } }));

describe('plan fingerprint', () => {
  it('is equal for equal plans in the same context', () => {
    assert.equal(planFingerprint(plan(1), ['t', '10']), planFingerprint(plan(1), ['t', '10']));
  });

  it('differs with the parameters and with the context', () => {
    const base = planFingerprint(plan(1), ['t', '10']);
    assert.notEqual(planFingerprint(plan(2), ['t', '10']), base);
    assert.notEqual(planFingerprint(plan(1), ['u', '10']), base);
    assert.notEqual(planFingerprint(plan(1), ['t', '11']), base);
    // Parts are delimited: moving a character from one part to the next changes it.
    assert.notEqual(planFingerprint(plan(1), ['t1', '0']), base);
  });

  it('hashes the context parts, each ended by NUL, then the plan bytes', () => {
    const expected = createHash('sha256')
      .update('t\0' + '10\0')
      .update(toBinary(PlanSchema, plan(1)))
      .digest('base64url');
    assert.equal(planFingerprint(plan(1), ['t', '10']), expected);
  });
});

describe('capRows', () => {
  it('puts a root plan under a limit, clamped to an int', () => {
    const capped = capRows(plan(1), 2 ** 40);
    assert.equal(capped.opType.case, 'root');
    const root = capped.opType.value as { relType: { case: string; value: { limit: number } } };
    assert.equal(root.relType.case, 'limit');
    assert.equal(root.relType.value.limit, 2 ** 31 - 1);
    const five = capRows(plan(1), 5).opType.value as { relType: { value: { limit: number } } };
    assert.equal(five.relType.value.limit, 5);
  });

  it('leaves a plan alone for an infinite cap', () => {
    const p = plan(1);
    assert.equal(capRows(p, Infinity), p);
  });
});
