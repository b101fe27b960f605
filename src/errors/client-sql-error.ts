/** Spark's refusal of SQL the caller wrote, which may be told back to that caller. */
import { SparkError } from '../spark/errors.js';

/**
 * Spark's error about SQL the caller wrote (`POST /v1/sql`), as opposed to a dataset's SQL or
 * the session's setup: its message may be told back to the caller, who wrote the SQL it quotes.
 */
export class ClientSqlError extends Error {
  override readonly name = 'ClientSqlError';
  readonly spark: SparkError;

  constructor(spark: SparkError) {
    super(spark.message, { cause: spark });
    this.spark = spark;
  }

  /** Wraps Spark's errors; anything else passes unchanged. */
  static wrap(err: unknown): unknown {
    return err instanceof SparkError ? new ClientSqlError(err) : err;
  }
}
