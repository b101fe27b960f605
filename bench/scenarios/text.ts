import { Worker } from 'node:worker_threads';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { DATASETS, expectRows, type BenchContext } from '../context.js';
import { wideQuery } from '../config.js';
import { download, majorGcs, ownCpuSeconds } from '../service.js';
import { datasetPlan, fetchBatches } from '../spark.js';
import { now, summarize, type Summary } from '../stats.js';

export type TextFormat = 'ndjson' | 'csv';

export interface TextResult {
  readonly format: TextFormat;
  readonly rows: number;
  /** Rows the in-process converters encode per run (the first rows of the same query). */
  readonly converterRows: number;
  /** Bytes of the service's answer. */
  readonly serviceBytes: number;
  /** Wall times in milliseconds. */
  readonly service: Summary;
  /** Median CPU seconds per download of the service process plus this process's HTTP reader. */
  readonly serviceCpuSeconds: number;
  /** Median CPU seconds per download of the service process alone. */
  readonly serviceProcessCpuSeconds: number;
  /** Median count per download of the service's full (mark-compact) garbage collections. */
  readonly serviceMajorGcs: number;
  /** The naive converter over the same batches, in this process. */
  readonly naive: Summary;
  /** The service's encoder over the same batches, in this process. */
  readonly encoder: Summary;
  readonly servicePeakRss: number;
  /** Rows per second of the service's download (Spark and HTTP included) over the naive converter's. */
  readonly serviceOverNaive: number;
  /** Rows per second of the service's encoder over the naive converter's, same batches: the bar is ≥ 10. */
  readonly encoderOverNaive: number;
}

/** Text is turned into bytes every this many characters, as the service does. */
const CHUNK_CHARS = 1 << 16;

/**
 * What a first implementation would do: apache-arrow's row objects and `JSON.stringify`
 * (longs as strings, so it does not throw). It is also wrong for decimals and timestamps,
 * which it writes as arrow-js's internal values; only its speed is of interest here.
 */
export function naiveNdjson(batches: readonly RecordBatch[]): { rows: number; bytes: number } {
  return naively(batches, '', (row) => `${JSON.stringify(row, longsAsStrings)}\n`);
}

/**
 * CSV the same way: apache-arrow's row objects, strings as they are, any other value as
 * its JSON (decimals as arrow-js's words), quoted when it holds a comma, a quote or a line break.
 */
export function naiveCsv(batches: readonly RecordBatch[]): { rows: number; bytes: number } {
  const names = batches[0]?.schema.fields.map((f) => f.name) ?? [];
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'string' ? value : JSON.stringify(value, longsAsStrings);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return naively(
    batches,
    `${names.map(cell).join(',')}\r\n`,
    (row) => `${names.map((name) => cell((row as Record<string, unknown>)[name])).join(',')}\r\n`,
  );
}

function naively(
  batches: readonly RecordBatch[],
  head: string,
  line: (row: unknown) => string,
): { rows: number; bytes: number } {
  const table = new Table(batches as RecordBatch[]);
  let text = head;
  let rows = 0;
  let bytes = 0;
  for (const row of table) {
    text += line(row);
    rows++;
    if (text.length >= CHUNK_CHARS) {
      bytes += Buffer.from(text, 'utf8').byteLength;
      text = '';
    }
  }
  bytes += Buffer.from(text, 'utf8').byteLength;
  return { rows, bytes };
}

function longsAsStrings(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

interface Encoded {
  readonly rows: number;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * The service's encoder of `format` over record batches held in memory, run by
 * encoder-worker.js in a thread of plain Node.js: the code the service process runs (dist/,
 * which the run builds first), not tsx's rewrite of it that this process would run.
 */
class ServiceEncoder {
  readonly #worker: Worker;

  constructor(format: TextFormat, batches: readonly RecordBatch[]) {
    const ipc = tableToIPC(new Table(batches as RecordBatch[]), 'stream');
    this.#worker = new Worker(new URL('../encoder-worker.js', import.meta.url), {
      workerData: { format, ipc },
      transferList: [ipc.buffer as ArrayBuffer],
      execArgv: [],
    });
  }

  /** Encodes the first `batches` record batches; the time is measured in the worker. */
  run(batches: number): Promise<Encoded> {
    return new Promise((resolve, reject) => {
      const done = (answer: Encoded) => {
        this.#worker.off('error', failed);
        resolve(answer);
      };
      const failed = (error: Error) => {
        this.#worker.off('message', done);
        reject(error);
      };
      this.#worker.once('message', done);
      this.#worker.once('error', failed);
      this.#worker.postMessage({ batches });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

const NAIVE = { ndjson: naiveNdjson, csv: naiveCsv } as const;

/**
 * NDJSON, then CSV; the in-process converters of both encode the same record batches, the
 * query's first `converterRows` rows, fetched once from Spark.
 */
export async function textScenarios(ctx: BenchContext): Promise<{ ndjson: TextResult; csv: TextResult }> {
  const rows = Math.min(ctx.config.rows, ctx.config.converterRows);
  ctx.log(`text: fetching ${rows} rows of record batches for the in-process converters`);
  const batches = await fetchBatches(ctx.direct.session, datasetPlan(DATASETS.wide, wideQuery(rows), rows));
  return { ndjson: await textScenario(ctx, 'ndjson', batches), csv: await textScenario(ctx, 'csv', batches) };
}

/**
 * NDJSON or CSV of the Arrow scenario's rows: the service's download, and in this process the
 * naive converter and the service's encoder over the same record batches, held in memory.
 */
async function textScenario(
  ctx: BenchContext,
  format: TextFormat,
  batches: readonly RecordBatch[],
): Promise<TextResult> {
  const { config, service } = ctx;
  const rows = config.rows;
  const url = `${service.base}/v1/datasets/${DATASETS.wide}/rows?format=${format}&limit=${rows}`;

  const warmRows = Math.max(1, Math.floor(rows / 5));
  ctx.log(`${format}: warming up on ${warmRows} rows`);
  await download(`${service.base}/v1/datasets/${DATASETS.warm}/rows?format=${format}&limit=${warmRows}`);

  const serviceTimes: number[] = [];
  const serviceCpu: number[] = [];
  const serviceProcessCpu: number[] = [];
  const serviceGcs: number[] = [];
  let serviceBytes = 0;
  let servicePeakRss = 0;
  for (let round = 0; round < config.ndjsonRuns; round++) {
    const gcs0 = await majorGcs(service.base);
    const [reader0, service0] = [ownCpuSeconds(), service.cpu()];
    const rss = service.sampleRss();
    const got = await download(url);
    servicePeakRss = Math.max(servicePeakRss, rss.stop());
    const processCpu = service.cpu() - service0;
    serviceCpu.push(ownCpuSeconds() - reader0 + processCpu);
    serviceProcessCpu.push(processCpu);
    serviceGcs.push((await majorGcs(service.base)) - gcs0);
    expectRows(`service ${format} download`, got.rows, rows);
    serviceTimes.push(got.ms);
    serviceBytes = got.bytes;
    ctx.log(
      `${format}: round ${round + 1}/${config.ndjsonRuns} service ${(got.ms / 1000).toFixed(2)} s, ` +
        `client CPU ${serviceCpu.at(-1)!.toFixed(2)} s, ${serviceGcs.at(-1)} full GCs in the service`,
    );
  }

  const converterRows = Math.min(rows, config.converterRows);
  const warm = Math.max(1, Math.floor(batches.length / 10));
  NAIVE[format](batches.slice(0, warm));
  const built = new ServiceEncoder(format, batches);
  const naiveTimes: number[] = [];
  const encoderTimes: number[] = [];
  try {
    await built.run(warm);
    for (let round = 0; round < config.ndjsonRuns; round++) {
      const started = now();
      const naive = NAIVE[format](batches);
      naiveTimes.push(now() - started);
      expectRows('naive converter', naive.rows, converterRows);
      const encoded = await built.run(batches.length);
      encoderTimes.push(encoded.ms);
      expectRows('service encoder', encoded.rows, converterRows);
      ctx.log(
        `${format}: round ${round + 1}/${config.ndjsonRuns} naive ${(naiveTimes.at(-1)! / 1000).toFixed(2)} s, ` +
          `encoder ${(encoderTimes.at(-1)! / 1000).toFixed(2)} s`,
      );
    }
  } finally {
    await built.close();
  }
  const served = summarize(serviceTimes);
  const naive = summarize(naiveTimes);
  const encoder = summarize(encoderTimes);
  return {
    format,
    rows,
    converterRows,
    serviceBytes,
    service: served,
    serviceCpuSeconds: summarize(serviceCpu).median,
    serviceProcessCpuSeconds: summarize(serviceProcessCpu).median,
    serviceMajorGcs: summarize(serviceGcs).median,
    naive,
    encoder,
    servicePeakRss,
    serviceOverNaive: rows / served.median / (converterRows / naive.median),
    encoderOverNaive: naive.median / encoder.median,
  };
}
