import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Metadata, status } from '@grpc/grpc-js';
import { ErrorInfoSchema } from '../../../src/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../../src/gen/google/rpc/status_pb.js';
import { FetchErrorDetailsResponseSchema } from '../../../src/gen/spark/connect/base_pb.js';
import { SparkError } from '../../../src/spark/errors.js';

/** A grpc-js ServiceError as a failed call delivers it, with Spark's status details trailer. */
function serviceError(
  code: status,
  details: string,
  errorInfo?: Record<string, string>,
  extra: { typeUrl: string }[] = [],
) {
  const metadata = new Metadata();
  if (errorInfo !== undefined) {
    const statusMessage = create(StatusSchema, {
      code,
      message: details,
      details: [
        anyPack(
          ErrorInfoSchema,
          create(ErrorInfoSchema, {
            reason: 'org.apache.spark.sql.AnalysisException',
            domain: 'org.apache.spark',
            metadata: errorInfo,
          }),
        ),
        ...extra.map((e) => ({
          $typeName: 'google.protobuf.Any' as const,
          typeUrl: e.typeUrl,
          value: new Uint8Array(),
        })),
      ],
    });
    metadata.set('grpc-status-details-bin', Buffer.from(toBinary(StatusSchema, statusMessage)));
  }
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

describe('SparkError.from', () => {
  it('decodes ErrorInfo: class, SQLSTATE, parameters, error id and class hierarchy', () => {
    const err = SparkError.from(
      serviceError(status.INTERNAL, '[TABLE_OR_VIEW_NOT_FOUND] The table `t` cannot be found.', {
        classes: '["org.apache.spark.sql.AnalysisException","java.lang.Exception"]',
        sqlState: '42P01',
        errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
        messageParameters: '{"relationName":"`t`"}',
        errorId: '4f1d2c35-52d5-4cd3-a1a7-4ab8fc6bd9f1',
      }),
    );
    assert.equal(err.grpcCode, status.INTERNAL);
    assert.equal(err.errorClass, 'TABLE_OR_VIEW_NOT_FOUND');
    assert.equal(err.sqlState, '42P01');
    assert.deepEqual(err.messageParameters, { relationName: '`t`' });
    assert.equal(err.errorId, '4f1d2c35-52d5-4cd3-a1a7-4ab8fc6bd9f1');
    assert.deepEqual(err.exceptionClasses, ['org.apache.spark.sql.AnalysisException', 'java.lang.Exception']);
    assert.equal(err.message, '[TABLE_OR_VIEW_NOT_FOUND] The table `t` cannot be found.');
    assert.equal(err.detailsTruncated, false);
    assert.equal(err.retryable, false);
    assert.ok(err.cause instanceof Error);
  });

  it('marks details as truncated when Spark left the class out but gave an error id', () => {
    const err = SparkError.from(
      serviceError(status.INTERNAL, '[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column ...', {
        sqlState: '42703',
        errorId: 'b0c1d5a4-0f55-4b8a-9c3e-7e7d3b1e0a11',
      }),
    );
    assert.equal(err.detailsTruncated, true);
    // The message still names the class, which is used meanwhile.
    assert.equal(err.errorClass, 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
  });

  it('completes a truncated error from a FetchErrorDetails response', () => {
    const err = SparkError.from(serviceError(status.INTERNAL, 'cut', { errorId: 'e' }));
    const full = err.withDetails(
      create(FetchErrorDetailsResponseSchema, {
        rootErrorIdx: 0,
        errors: [
          {
            message: '[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column `x` cannot be resolved.',
            errorTypeHierarchy: ['org.apache.spark.sql.AnalysisException'],
            sparkThrowable: {
              errorClass: 'UNRESOLVED_COLUMN.WITHOUT_SUGGESTION',
              sqlState: '42703',
              messageParameters: { objectName: '`x`' },
              queryContexts: [{ fragment: 'x', startIndex: 7, stopIndex: 7, summary: 's' }],
            },
          },
        ],
      }),
    );
    assert.equal(full.errorClass, 'UNRESOLVED_COLUMN.WITHOUT_SUGGESTION');
    assert.equal(full.sqlState, '42703');
    assert.deepEqual(full.messageParameters, { objectName: '`x`' });
    assert.deepEqual(full.queryContexts, [{ fragment: 'x', startIndex: 7, stopIndex: 7, summary: 's' }]);
    assert.equal(full.detailsTruncated, false);
    assert.equal(full.grpcCode, status.INTERNAL);
  });

  it('classifies retryable errors: UNAVAILABLE, a dropped cursor, or a RetryInfo detail', () => {
    assert.equal(SparkError.from(serviceError(status.UNAVAILABLE, 'connection reset')).retryable, true);
    assert.equal(
      SparkError.from(serviceError(status.INTERNAL, 'x', { errorClass: 'INVALID_CURSOR.DISCONNECTED' }))
        .retryable,
      true,
    );
    assert.equal(
      SparkError.from(
        serviceError(status.INTERNAL, 'x', {}, [{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo' }]),
      ).retryable,
      true,
    );
    assert.equal(SparkError.from(serviceError(status.INTERNAL, '[PARSE_SYNTAX_ERROR] x')).retryable, false);
  });

  it('recognises a session the server no longer knows', () => {
    for (const errorClass of [
      'INVALID_HANDLE.SESSION_NOT_FOUND',
      'INVALID_HANDLE.SESSION_CLOSED',
      'INVALID_HANDLE.SESSION_CHANGED',
    ]) {
      assert.equal(
        SparkError.from(serviceError(status.INTERNAL, 'gone', { errorClass })).sessionGone,
        true,
        errorClass,
      );
    }
    assert.equal(
      SparkError.from(
        serviceError(status.INTERNAL, 'x', { errorClass: 'INVALID_HANDLE.OPERATION_NOT_FOUND' }),
      ).sessionGone,
      false,
    );
  });

  it('keeps code and message when the details trailer is malformed', () => {
    const err = serviceError(status.INTERNAL, 'broken');
    err.metadata.set('grpc-status-details-bin', Buffer.from([0xff, 0xff, 0xff]));
    const decoded = SparkError.from(err);
    assert.equal(decoded.grpcCode, status.INTERNAL);
    assert.equal(decoded.message, 'broken');
    assert.equal(decoded.errorClass, undefined);
  });

  it('turns aborts into CANCELLED and anything else into UNKNOWN, keeping the cause', () => {
    const abort = new DOMException('stop', 'AbortError');
    assert.equal(SparkError.from(abort).grpcCode, status.CANCELLED);
    const odd = SparkError.from('just a string');
    assert.equal(odd.grpcCode, status.UNKNOWN);
    assert.equal(odd.cause, 'just a string');
    const same = new SparkError('x', { grpcCode: status.INTERNAL });
    assert.equal(SparkError.from(same), same);
  });
});
