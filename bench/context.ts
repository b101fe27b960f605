import type { BenchConfig } from './config.js';
import type { PySparkWorker } from './pyspark.js';
import type { ServiceProcess } from './service.js';
import type { DirectSpark } from './spark.js';

/** What every scenario gets: the sizes, the three clients of the one Spark server, a logger. */
export interface BenchContext {
  readonly config: BenchConfig;
  /** The service, started for the speed scenarios. */
  readonly service: ServiceProcess;
  /** Our own Spark client, without the service. */
  readonly direct: DirectSpark;
  readonly pyspark: PySparkWorker;
  log(line: string): void;
}

/** Dataset names of the service's datasets file. */
export const DATASETS = {
  wide: 'wide',
  warm: 'warm',
  small: 'small',
  smallKept: 'small_kept',
  stream: 'stream',
  events: 'events',
} as const;

/** Runs the items in a rotating order each round, so no variant always runs first. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Checks a client got the rows it asked for; a benchmark of a wrong answer means nothing. */
export function expectRows(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: ${actual} rows, expected ${expected}`);
}
