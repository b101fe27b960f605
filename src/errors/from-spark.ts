/**
 * Spark's errors as catalogue errors, by what they mean for the client: its query, its data,
 * or Spark itself. What Spark said is told without the plan, SQL and values behind it.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { SparkError } from '../spark/errors.js';
import { Errors, withExtras, type CatalogueError } from './catalogue.js';
import { ClientSqlError } from './client-sql-error.js';
import { sparkDetail } from './spark-detail.js';

/** A Spark error as a catalogue error; `clientSql` says the SQL at fault is the caller's own. */
export function fromSpark(err: SparkError, clientSql: boolean): CatalogueError {
  const spark = { errorClass: err.errorClass, sqlState: err.sqlState };
  // A configuration fault of the service, not of the request: retrying will not help.
  if (err.credentialsRefused) return new Errors.SparkAuthFailed(err.message, { cause: err });
  if (err.grpcCode === GrpcStatus.UNAVAILABLE || err.retryable || err.sessionGone) {
    return withExtras(new Errors.SparkUnavailable('unreachable or restarting', { cause: err }), {
      ...spark,
      retryAfter: 2,
    });
  }
  const tooLarge = /Received message larger than max \((\d+) vs (\d+)\)/.exec(err.message);
  if (err.grpcCode === GrpcStatus.RESOURCE_EXHAUSTED && tooLarge !== null) {
    return new Errors.ResultTooLarge(
      `an answer from Spark (${tooLarge[1]} bytes) is larger than the service's channel to Spark carries ` +
        `(${tooLarge[2]} bytes, grpc_max_message_size in SPARK_REMOTE); Spark splits large result batches ` +
        'from 4.1 on: ask for fewer or narrower rows',
      { cause: err },
    );
  }
  const told = (what: string) => {
    const { detail, pointer } = sparkDetail(err, what, clientSql);
    return [detail, { ...spark, pointer }] as const;
  };
  if (
    err.errorClass === 'TABLE_OR_VIEW_NOT_FOUND' ||
    err.errorClass?.startsWith('TABLE_OR_VIEW_NOT_FOUND.')
  ) {
    const [detail, extras] = told('A table or view the query reads does not exist');
    return withExtras(new Errors.TableNotFound(detail, { cause: err }), extras);
  }
  const state = err.sqlState ?? '';
  if (state.startsWith('42') || state.startsWith('0A') || state.startsWith('07')) {
    const [detail, extras] = told('Spark refused the query');
    return withExtras(new Errors.SparkQueryError(detail, { cause: err }), extras);
  }
  // Data errors, and errors the query raised itself (raise_error).
  if (state.startsWith('22') || state.startsWith('23') || state === 'P0001') {
    const [detail, extras] = told('Spark could not compute the result from the data');
    return withExtras(new Errors.SparkDataError(detail, { cause: err }), extras);
  }
  // Not the request's fault: say what Spark reported, not its internals.
  const what = err.errorClass === undefined ? `gRPC status ${err.grpcCode}` : err.errorClass;
  return withExtras(new Errors.SparkError(`Spark failed to run the query (${what})`, { cause: err }), spark);
}

/** Raised by Spark: what a caller is told of it is cut short, so the log keeps it whole. */
export function isFromSpark(err: unknown): boolean {
  return err instanceof SparkError || err instanceof ClientSqlError;
}
