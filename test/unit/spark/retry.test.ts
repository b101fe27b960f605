import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SparkError } from '../../../src/spark/errors.js';
import { backoff, canReattach, DEFAULT_RETRY_POLICY, retryOnFreshSession } from '../../../src/spark/retry.js';

const error = (grpcCode: status, errorClass?: string, retryInfo = false) =>
  new SparkError('x', { grpcCode, errorClass, retryInfo });

describe('what a broken result stream may do', () => {
  it('reattaches after transport failures, dropped cursors and errors Spark marks retryable', () => {
    for (const e of [
      error(status.UNAVAILABLE),
      error(status.INTERNAL, 'INVALID_CURSOR.DISCONNECTED'),
      error(status.INTERNAL, 'SOMETHING_TRANSIENT', true),
    ]) {
      assert.equal(canReattach(e, 0, DEFAULT_RETRY_POLICY), true, e.errorClass ?? String(e.grpcCode));
    }
  });

  it('never retries query errors, permission or argument errors, cancellations or timeouts', () => {
    for (const e of [
      error(status.INTERNAL, 'TABLE_OR_VIEW_NOT_FOUND'),
      error(status.INTERNAL, 'DIVIDE_BY_ZERO'),
      error(status.INTERNAL, 'OPERATION_CANCELED'),
      error(status.INVALID_ARGUMENT),
      error(status.PERMISSION_DENIED),
      error(status.UNAUTHENTICATED),
      error(status.CANCELLED),
      error(status.DEADLINE_EXCEEDED),
      error(status.RESOURCE_EXHAUSTED),
    ]) {
      assert.equal(canReattach(e, 0, DEFAULT_RETRY_POLICY), false, e.errorClass ?? String(e.grpcCode));
    }
    assert.equal(canReattach(new Error('not from Spark'), 0, DEFAULT_RETRY_POLICY), false);
  });

  it('gives up after the policy’s attempts without progress', () => {
    const e = error(status.UNAVAILABLE);
    assert.equal(canReattach(e, DEFAULT_RETRY_POLICY.maxRetries - 1, DEFAULT_RETRY_POLICY), true);
    assert.equal(canReattach(e, DEFAULT_RETRY_POLICY.maxRetries, DEFAULT_RETRY_POLICY), false);
  });
});

describe('when a request runs again on a fresh session', () => {
  const gone = error(status.INTERNAL, 'INVALID_HANDLE.SESSION_CLOSED');

  it('once, when the server forgot the session and nothing was delivered yet', () => {
    assert.equal(retryOnFreshSession(gone, { resultStarted: false, attempt: 0 }), true);
    assert.equal(
      retryOnFreshSession(error(status.INTERNAL, 'INVALID_HANDLE.SESSION_CHANGED'), {
        resultStarted: false,
        attempt: 0,
      }),
      true,
    );
  });

  it('never after part of the result was delivered, never twice, never for other errors', () => {
    assert.equal(retryOnFreshSession(gone, { resultStarted: true, attempt: 0 }), false);
    assert.equal(retryOnFreshSession(gone, { resultStarted: false, attempt: 1 }), false);
    assert.equal(retryOnFreshSession(error(status.UNAVAILABLE), { resultStarted: false, attempt: 0 }), false);
    assert.equal(
      retryOnFreshSession(error(status.INTERNAL, 'INVALID_HANDLE.OPERATION_NOT_FOUND'), {
        resultStarted: false,
        attempt: 0,
      }),
      false,
    );
  });
});

describe('backoff', () => {
  it('grows exponentially to the cap, with jitter between half and all of it', () => {
    const policy = { maxRetries: 10, initialBackoffMs: 100, maxBackoffMs: 1_000 };
    assert.equal(
      backoff(policy, 0, () => 0),
      50,
    );
    assert.equal(
      backoff(policy, 0, () => 1),
      100,
    );
    assert.equal(
      backoff(policy, 2, () => 1),
      400,
    );
    assert.equal(
      backoff(policy, 8, () => 1),
      1_000,
    );
    assert.equal(
      backoff(policy, 8, () => 0),
      500,
    );
  });
});
