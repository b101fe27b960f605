/**
 * What an encoder has handed out so far. The caller creates it (`encodeStats()`), passes it in
 * and reads it while or after the chunks are consumed: the HTTP layer needs the row count and
 * whether a limit cut the result to log it and to write a closing control line, and a
 * generator's return value is lost to `for await` and stream adapters.
 */
export interface EncodeStats {
  /** Rows in the chunks yielded so far. */
  rows: number;
  /** Bytes yielded so far. */
  bytes: number;
  /** A row limit stopped the encoder while more rows were left. */
  truncated: boolean;
}

/** Fresh statistics to pass to one encoder. */
export function encodeStats(): EncodeStats {
  return { rows: 0, bytes: 0, truncated: false };
}
