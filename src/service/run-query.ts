import { RecordBatchReader, Schema } from 'apache-arrow';
import { arrowPayloads, type ArrowPayload } from '../arrow/decode.js';
import { unservableColumns } from '../arrow/unservable.js';
import type { Principal } from '../auth/principal.js';
import type { Plan } from '../gen/spark/connect/base_pb.js';
import { SparkError } from '../spark/errors.js';
import type { Execution } from '../spark/execute.js';
import type { Lease } from '../spark/lease.js';
import type { ProgressTracker } from '../spark/progress.js';
import type { SessionPool } from '../spark/pool.js';
import type { SparkSession } from '../spark/session.js';
import { Errors } from '../errors/catalogue.js';
import { ClientSqlError } from '../errors/client-sql-error.js';
import { retryOnFreshSession } from '../spark/retry.js';
import { readOnce, type OpenResult } from './open-result.js';

export interface RunOptions {
  /** Aborts the execution: client gone, timeout, shutdown. */
  readonly signal: AbortSignal;
  /** Operation tags, e.g. the request id, so operators can find or interrupt it in Spark. */
  readonly tags?: readonly string[] | undefined;
  /**
   * The plan is the caller's own SQL: Spark's errors about it may be told back
   * ({@link ClientSqlError}), and the session is closed after it rather than reused.
   */
  readonly clientSql?: boolean | undefined;
  /** Runs on the leased session before the plan is sent, e.g. to vet it (may throw). */
  readonly prepare?: ((session: SparkSession, signal: AbortSignal) => Promise<void>) | undefined;
  /** Kept up to date with Spark's progress reports while the result streams. */
  readonly progress?: ProgressTracker | undefined;
  /** Who asks: the pool shares its sessions out fairly by principal (anonymous when not given). */
  readonly principal?: Principal | undefined;
}

/**
 * The one way a query runs: lease a session, execute, read up to the first payload, then
 * hand over a stream that holds the lease. A session the server forgot is replaced and the
 * query sent again, which is safe because nothing has been delivered yet.
 */
export async function openResult(pool: SessionPool, plan: Plan, options: RunOptions): Promise<OpenResult> {
  for (let attempt = 0; ; attempt++) {
    const lease = await pool.acquire(options.signal, options.principal?.id ?? 'anonymous');
    // The caller's SQL may change the session (views, settings): nobody else gets it after.
    if (options.clientSql === true) lease.retire();
    let payloads: AsyncGenerator<ArrowPayload, void, undefined> | undefined;
    try {
      await options.prepare?.(lease.session, lease.signal);
      const execution = lease.session.execute(plan, {
        signal: lease.signal,
        tags: options.tags,
        progress: options.progress,
      });
      payloads = arrowPayloads(execution);
      const first = await payloads.next();
      const unservable = first.done === true ? undefined : unservableColumns(schemaOf(first.value));
      if (unservable !== undefined) throw new Errors.UnservableColumn(unservable);
      return result(lease, execution, payloads, first.done === true ? undefined : first.value);
    } catch (err) {
      await payloads?.return();
      if (err instanceof SparkError && err.sessionGone) lease.discard();
      await lease.release();
      if (!retryOnFreshSession(err, { resultStarted: false, attempt })) {
        throw options.clientSql === true ? ClientSqlError.wrap(err) : err;
      }
    }
  }
}

function result(
  lease: Lease,
  execution: Execution,
  rest: AsyncGenerator<ArrowPayload, void, undefined>,
  first: ArrowPayload | undefined,
): OpenResult {
  return readOnce({
    schema: first === undefined ? new Schema([]) : schemaOf(first),
    operationId: execution.operationId,
    async *read() {
      if (first !== undefined) yield first;
      yield* rest;
    },
    async finish() {
      await rest.return();
      await lease.release();
    },
    finishOnCloseWhileRead: false,
  });
}

function schemaOf(payload: ArrowPayload): Schema {
  return RecordBatchReader.from(payload.data).open().schema;
}
