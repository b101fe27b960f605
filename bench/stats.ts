/** Summaries of repeated measurements: the median speaks, min and max show the spread. */
export interface Summary {
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('nothing to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** The q-quantile of sorted values, interpolated between the two nearest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('no values');
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.ceil(at);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (at - below);
}

export interface Latencies {
  readonly requests: number;
  readonly concurrency: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Requests per second over the whole batch. */
  readonly throughput: number;
}

export function latencies(ms: readonly number[], concurrency: number, wallMs: number): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    concurrency,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    throughput: (sorted.length / wallMs) * 1000,
  };
}

/** Milliseconds since an arbitrary origin, monotonic. */
export function now(): number {
  return performance.now();
}
