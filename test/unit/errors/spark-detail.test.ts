import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { sparkDetail } from '../../../src/errors/spark-detail.js';
import { SparkError, type SparkErrorFields } from '../../../src/spark/errors.js';

const PLAN = "\n'GlobalLimit 0\n+- 'Filter ('region = EU)\n   +- SubqueryAlias sales\n";
const error = (message: string, fields: Partial<SparkErrorFields>) =>
  new SparkError(message, { grpcCode: status.INTERNAL, ...fields });

describe('sparkDetail', () => {
  it('tells a dataset’s error only by its class when Spark filled in values', () => {
    const err = error(
      `[CAST_INVALID_INPUT] The value 'EU' of the type "STRING" cannot be cast. SQLSTATE: 22018${PLAN}`,
      {
        errorClass: 'CAST_INVALID_INPUT',
        messageParameters: { expression: "'EU'", sourceType: '"STRING"', targetType: '"BIGINT"' },
      },
    );
    const { detail, pointer } = sparkDetail(err, 'Spark could not compute the result', false);
    assert.equal(
      detail,
      "Spark could not compute the result (CAST_INVALID_INPUT); the service's log has Spark's message",
    );
    assert.equal(pointer, undefined);
  });

  it('tells a harmless first line without its SQLSTATE and what follows', () => {
    const err = error(`[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012\n== SQL ==\nSELECT 1/0`, {
      errorClass: 'DIVIDE_BY_ZERO',
      messageParameters: { config: '"spark.sql.ansi.enabled"' },
    });
    assert.equal(sparkDetail(err, 'x', false).detail, '[DIVIDE_BY_ZERO] Division by zero.');
  });

  it('trusts nothing it cannot check: no error class, or parameters cut short', () => {
    for (const err of [
      error('java.lang.RuntimeException: secret', {}),
      error('[X] short. SQLSTATE: 42000', { errorClass: 'X', detailsTruncated: true }),
    ]) {
      assert.doesNotMatch(sparkDetail(err, 'Spark refused the query', false).detail, /secret|short/);
    }
  });

  it('tells the caller’s own SQL error with its position, never the plan', () => {
    const err = error(
      `[UNRESOLVED_COLUMN.WITH_SUGGESTION] \`nope\` cannot be resolved. SQLSTATE: 42703; line 1 pos 7;${PLAN}`,
      {
        errorClass: 'UNRESOLVED_COLUMN.WITH_SUGGESTION',
        messageParameters: { objectName: '`nope`', proposal: '`id`' },
      },
    );
    assert.deepEqual(sparkDetail(err, 'x', true), {
      detail:
        '[UNRESOLVED_COLUMN.WITH_SUGGESTION] `nope` cannot be resolved. (line 1, position 7 of the SQL)',
      pointer: '/sql',
    });
  });
});
