/**
 * What the metrics read of the session pools and of the Spark client's executions, declared
 * here by their shape so observability depends on no Spark module (the pool's and the
 * client's statistics objects fit these shapes).
 */

/** Counters and gauges of one session pool, read at scrape time. */
export interface PoolCounts {
  readonly min: number;
  readonly max: number;
  readonly inUse: number;
  readonly idle: number;
  readonly waiting: number;
  /** Requests that had to wait: their principal held its share, or every session was taken. */
  readonly waits: Readonly<Record<'principal_cap' | 'pool_full', number>>;
  readonly created: number;
  readonly renewed: number;
  readonly evicted: number;
  readonly discarded: number;
  readonly retired: number;
  readonly closed: number;
  readonly createFailures: number;
}

/** How an execution ended, as the metrics label it. */
export type ExecutionEnd = 'completed' | 'failed' | 'interrupted';

/** The Spark client's execution counters, and the way to hear of each execution that ends. */
export interface ExecutionCounts {
  readonly running: number;
  readonly reattached: number;
  readonly interrupted: number;
  /** Calls `listener` as each execution ends; returns the unsubscriber. */
  onEnd(listener: (outcome: ExecutionEnd, seconds: number) => void): () => void;
}

/** What the result spool holds now and has done, read at scrape time. */
export interface SpoolCounts {
  /** Bytes of results held in memory, and in files. */
  readonly memoryBytes: number;
  readonly diskBytes: number;
  /** Results held now. */
  readonly results: number;
  /** Times a drain waited for space instead of spooling, by reason (its result's cap, or the spool's). */
  readonly fallbacks: Readonly<Record<'result' | 'total', number>>;
  /** Writes, reads or deletions of spool files that failed. */
  readonly diskErrors: number;
  /** Bytes written to spool files since the start. */
  readonly writtenBytes: number;
}

/** How statements ended on an instance: as they ended there, or found lost (run elsewhere). */
export type StatementOutcome = 'succeeded' | 'failed' | 'canceled' | 'expired' | 'lost';

/** What the metrics read of statements, at scrape time. */
export interface StatementCounts {
  /** Statements this instance runs now, by state. */
  readonly pending: number;
  readonly running: number;
  /** Statements that ended on this instance, by outcome. */
  readonly outcomes: Readonly<Record<StatementOutcome, number>>;
  /** Chunks of results read from the store. */
  readonly chunkReads: number;
}

/** What the result cache has done and keeps, read at scrape time. */
export interface ResultCacheCounts {
  readonly hits: number;
  readonly misses: number;
  /** Kept results let go before their TTL, for room. */
  readonly evictions: number;
  /** Kept results let go at their TTL. */
  readonly expirations: number;
  /** Bytes of the results kept. */
  readonly bytes: number;
}
