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
  /** RSS of the service `EARLY_IDLE_SECONDS` into that quiet spell, when it is longer. */
  readonly earlyIdleRss: number | undefined;
  /** Highest RSS sampled (every 50 ms) during the download. */
  readonly peakRss: number;
}

/**
 * Seconds into the quiet spell at which RSS is also read. V8 gives back the memory of start-up
 * (a young generation grown while the modules loaded, an old one with room to spare) when its
 * memory reducer finds the allocation rate low, which on an idle process happened some 55 to 90 s
 * after start-up in probes: read this early, idle memory is mostly V8's timing.
 */
export const EARLY_IDLE_SECONDS = 40;

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
  const early = Math.min(EARLY_IDLE_SECONDS, idleSeconds);
  await setTimeout(early * 1000);
  const earlyIdleRss = early < idleSeconds ? service.rss() : undefined;
  await setTimeout((idleSeconds - early) * 1000);
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
  return {
    format,
    rows,
    bytes: got.bytes,
    seconds: got.ms / 1000,
    readBytesPerSecond,
    idleRss,
    earlyIdleRss,
    peakRss,
  };
}
