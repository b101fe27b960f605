import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { toProblem } from '../../../src/errors/problem.js';
import { toCatalogueError } from '../../../src/errors/to-catalogue.js';
import { SparkError } from '../../../src/spark/errors.js';

describe('Spark refusing the service’s credentials', () => {
  it('is a 502 SPARK_AUTH_FAILED with Spark’s reason, and no invitation to retry', () => {
    const refused = new SparkError('Invalid authentication token', { grpcCode: status.UNAUTHENTICATED });
    assert.equal(refused.credentialsRefused, true);
    assert.equal(refused.retryable, false);
    assert.deepEqual(toProblem(toCatalogueError(refused)), {
      type: 'urn:spark-data-api:error:spark_auth_failed',
      title: 'Bad Gateway',
      status: 502,
      code: 'SPARK_AUTH_FAILED',
      detail: "Spark refused the service's credentials: Invalid authentication token",
    });
  });

  it('is not confused with other Spark failures', () => {
    for (const grpcCode of [status.PERMISSION_DENIED, status.INTERNAL, status.UNAVAILABLE]) {
      const err = new SparkError('x', { grpcCode });
      assert.equal(err.credentialsRefused, false);
      assert.notEqual(toCatalogueError(err).code, 'SPARK_AUTH_FAILED');
    }
  });
});

describe('an answer from Spark larger than the channel carries', () => {
  it('is a 413 RESULT_TOO_LARGE naming both sizes and the setting', () => {
    const err = new SparkError(
      '8 RESOURCE_EXHAUSTED: Received message larger than max (12001390 vs 8388608)',
      {
        grpcCode: status.RESOURCE_EXHAUSTED,
      },
    );
    const problem = toProblem(toCatalogueError(err));
    assert.equal(problem.status, 413);
    assert.equal(problem.code, 'RESULT_TOO_LARGE');
    assert.match(
      problem.detail,
      /\(12001390 bytes\).*\(8388608 bytes, grpc_max_message_size in SPARK_REMOTE\)/,
    );
  });

  it('is not confused with Spark running out of something else', () => {
    const err = new SparkError('8 RESOURCE_EXHAUSTED: too many sessions', {
      grpcCode: status.RESOURCE_EXHAUSTED,
    });
    assert.equal(toCatalogueError(err).code, 'SPARK_ERROR');
  });
});
