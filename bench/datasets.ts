import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS } from './context.js';
import { SHUFFLE_PARTITIONS, SMALL_LIMIT, SMALL_QUERY, wideQuery, type BenchConfig } from './config.js';

interface DatasetEntry {
  readonly description: string;
  readonly sql: string;
  readonly defaultLimit: number;
  readonly maxLimit: number;
}

function wide(rows: number, description: string): DatasetEntry {
  return { description, sql: wideQuery(rows), defaultLimit: rows, maxLimit: rows };
}

/** Writes the datasets file of the speed scenarios' service (JSON is YAML) and returns its path. */
export function writeSpeedDatasets(dir: string, config: BenchConfig): string {
  const warmRows = Math.max(1, Math.floor(config.rows / 5));
  const file = {
    setup: { configs: { 'spark.sql.shuffle.partitions': SHUFFLE_PARTITIONS } },
    datasets: {
      [DATASETS.wide]: wide(config.rows, 'The large result of the Arrow and NDJSON scenarios.'),
      [DATASETS.warm]: wide(warmRows, 'A smaller result of the same shape, for warming up.'),
      [DATASETS.small]: {
        description: 'A dashboard panel: an aggregate over a small table.',
        sql: SMALL_QUERY,
        defaultLimit: SMALL_LIMIT,
        maxLimit: SMALL_LIMIT,
        // GraphQL answers are cached this long (the HTTP routes never cache).
        cacheTtlSeconds: 3600,
      },
    },
  };
  const path = join(dir, 'speed-datasets.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}

/** The datasets file of the memory scenario's service: one result of `rows` rows. */
export function writeStreamDatasets(dir: string, rows: number): string {
  const file = {
    datasets: { [DATASETS.stream]: wide(rows, 'The result streamed to a slow reader.') },
  };
  const path = join(dir, 'stream-datasets.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}
