import { setTimeout } from 'node:timers/promises';
import { DATASETS, expectRows } from '../context.js';
import { download, type ServiceProcess } from '../service.js';

export type StreamFormat = 'ndjson' | 'arrow';

export interface MemoryResult {
  readonly format: StreamFormat;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly readBytesPerSecond: number;
  /** RSS of the service before the download: after one small request and `idleSeconds` without any. */
  readonly idleRss: number;
  /** Highest RSS sampled (every 50 ms) during the download. */
  readonly peakRss: number;
}

/**
 * Memory while a slow client reads: a fresh service process streams a large result to a
 * reader that takes it at a fixed rate, well below what the service can send, and its
 * resident memory is sampled from the operating system.
 */
export async function memoryScenario(
  format: StreamFormat,
  rows: number,
  readBytesPerSecond: number,
  idleSeconds: number,
  service: ServiceProcess,
  log: (line: string) => void,
): Promise<MemoryResult> {
  const base = `${service.base}/v1/datasets/${DATASETS.stream}/rows?format=${format}`;
  await download(`${base}&limit=1000`);
  await setTimeout(idleSeconds * 1000);
  const idleRss = service.rss();
  log(`memory: streaming ${rows} rows as ${format} at ${(readBytesPerSecond / 1024 ** 2).toFixed(0)} MiB/s`);
  const rss = service.sampleRss(50);
  const got = await download(`${base}&limit=${rows}`, { bytesPerSecond: readBytesPerSecond });
  const peakRss = rss.stop();
  expectRows(`memory scenario ${format} download`, got.rows, rows);
  log(
    `memory: ${format} ${(got.bytes / 1e9).toFixed(2)} GB in ${(got.ms / 1000).toFixed(1)} s, ` +
      `RSS ${(idleRss / 1024 ** 2).toFixed(0)} MiB before, peak ${(peakRss / 1024 ** 2).toFixed(0)} MiB`,
  );
  return { format, rows, bytes: got.bytes, seconds: got.ms / 1000, readBytesPerSecond, idleRss, peakRss };
}
