import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJson } from '@bufbuild/protobuf';
import { ExpressionSchema, type Expression } from '../../../src/gen/spark/connect/expressions_pb.js';
import { column } from '../../../src/plan/expressions.js';
import { likeCondition } from '../../../src/plan/like.js';

/** The functions an expression calls, outermost first. */
function functions(expr: Expression): string[] {
  const names: string[] = [];
  JSON.stringify(toJson(ExpressionSchema, expr), (key, v: unknown) => {
    if (key === 'functionName') names.push(v as string);
    return v;
  });
  return names;
}

describe('likeCondition', () => {
  it('leaves Spark’s own LIKE the patterns it matches in linear time', () => {
    for (const pattern of ['', 'abc', 'a_c', 'a%', '%a', 'a%b', '_%_', '%abc%', 'a\\%%']) {
      assert.deepEqual(functions(likeCondition('like', column('s'), pattern)), ['like'], pattern);
      assert.deepEqual(functions(likeCondition('ilike', column('s'), pattern)), ['ilike'], pattern);
    }
  });

  it('rewrites the others as a regular expression built in the plan', () => {
    // And every pattern with a character beyond U+FFFF, which Spark 4.0's own LIKE never matches.
    const beyondBmp = ['😀', '😀%', '%😀', '%😀%', 'a_😀'];
    for (const pattern of ['%a%b', 'a%b%c', '%a_c%', '%\\%%', '%%', '%a%a%a%a%b', ...beyondBmp]) {
      const like = functions(likeCondition('like', column('s'), pattern));
      assert.deepEqual(like, ['rlike', 'concat', ...Array<string>(5).fill('replace')], pattern);
      const ilike = functions(likeCondition('ilike', column('s'), pattern));
      assert.deepEqual(ilike, ['rlike', 'lower', 'concat', ...Array<string>(5).fill('replace'), 'lower']);
    }
  });
});
