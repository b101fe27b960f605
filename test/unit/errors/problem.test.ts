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
