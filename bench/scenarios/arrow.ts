import { DATASETS, expectRows, rotated, type BenchContext } from '../context.js';
import { wideQuery } from '../config.js';
import { download, metricSample, ownCpuSeconds } from '../service.js';
import { datasetPlan, drainArrow } from '../spark.js';
import { now, summarize, type Summary } from '../stats.js';

export interface Variant {
  /** Wall time in milliseconds. */
  readonly ms: Summary;
  /**
   * Median CPU seconds of the client side per run: this process for the raw drain, the
   * service process plus this process (its HTTP reader) for the service, the Python process
   * for PySpark. Spark's own CPU is not included. NaN where it cannot be read.
   */
  readonly cpuSeconds: number;
}

export interface ArrowResult {
  readonly rows: number;
  /** Arrow IPC bytes Spark sends for the result (the raw drain's count). */
  readonly sparkBytes: number;
  /** Bytes of the service's one IPC stream (Spark's batches, re-framed). */
  readonly serviceBytes: number;
  readonly raw: Variant;
  readonly service: Variant;
  readonly pyspark: Variant;
  /** Median CPU seconds of the service process alone per download (without the HTTP reader). */
  readonly serviceProcessCpuSeconds: number;
  /**
   * Median bytes per download the service wrote to its spool's files: those of a result whose
   * reader fell behind Spark by more than the spool keeps in memory, read back from disk.
   */
  readonly serviceSpooledBytes: number;
  /** Peak RSS of the service process during its downloads, in bytes. */
  readonly servicePeakRss: number;
  /**
   * Service throughput over the raw drain's: the median over rounds of the ratio within a
   * round, whose runs follow each other and share the machine's load. The bar is ≥ 0.95.
   */
  readonly serviceOverRaw: number;
  /** Service wall time over PySpark's `toArrow()`, likewise by round: the bar is ≤ 1. */
  readonly serviceOverPyspark: number;
}

type Name = 'raw' | 'service' | 'pyspark';

/**
 * Arrow download of one large result, three ways, against the same server: (a) our client
 * draining the ExecutePlan stream, counting bytes without decoding; (b) `?format=arrow`
 * through the service, read by an HTTP client that counts bytes; (c) PySpark's `toArrow()`.
 * One warm-up of each on a smaller result, then rounds in rotating order.
 */
export async function arrowScenario(ctx: BenchContext): Promise<ArrowResult> {
  const { config, service, direct, pyspark } = ctx;
  const rows = config.rows;
  const sql = wideQuery(rows);
  const plan = datasetPlan(DATASETS.wide, sql, rows);
  const url = `${service.base}/v1/datasets/${DATASETS.wide}/rows?format=arrow&limit=${rows}`;

  const warmRows = Math.max(1, Math.floor(rows / 5));
  ctx.log(`arrow: warming up on ${warmRows} rows`);
  await drainArrow(direct.session, datasetPlan(DATASETS.warm, wideQuery(warmRows), warmRows));
  await download(`${service.base}/v1/datasets/${DATASETS.warm}/rows?format=arrow&limit=${warmRows}`);
  await pyspark.arrow(wideQuery(warmRows), warmRows);

  const ms: Record<Name, number[]> = { raw: [], service: [], pyspark: [] };
  const cpu: Record<Name, number[]> = { raw: [], service: [], pyspark: [] };
  const serviceProcessCpu: number[] = [];
  const serviceSpooled: number[] = [];
  let sparkBytes = 0;
  let serviceBytes = 0;
  let servicePeakRss = 0;
  const variants: Record<Name, () => Promise<void>> = {
    raw: async () => {
      const cpu0 = ownCpuSeconds();
      const started = now();
      const drained = await drainArrow(direct.session, plan);
      ms.raw.push(now() - started);
      cpu.raw.push(ownCpuSeconds() - cpu0);
      expectRows('raw drain', drained.rows, rows);
      sparkBytes = drained.bytes;
    },
    service: async () => {
      const spooled0 = await spoolWrittenBytes(service.base);
      const [reader0, service0] = [ownCpuSeconds(), service.cpu()];
      const rss = service.sampleRss();
      const got = await download(url);
      servicePeakRss = Math.max(servicePeakRss, rss.stop());
      const serviceCpu = service.cpu() - service0;
      serviceSpooled.push((await spoolWrittenBytes(service.base)) - spooled0);
      serviceProcessCpu.push(serviceCpu);
      cpu.service.push(ownCpuSeconds() - reader0 + serviceCpu);
      ms.service.push(got.ms);
      expectRows('service Arrow download', got.rows, rows);
      serviceBytes = got.bytes;
    },
    pyspark: async () => {
      const got = await pyspark.arrow(sql, rows);
      ms.pyspark.push(got.ms);
      cpu.pyspark.push(got.cpuSeconds);
      expectRows('PySpark toArrow()', got.rows, rows);
    },
  };
  for (let round = 0; round < config.arrowRuns; round++) {
    for (const name of rotated(['raw', 'service', 'pyspark'] as const, round)) {
      await variants[name]();
      ctx.log(
        `arrow: round ${round + 1}/${config.arrowRuns} ${name} ${(ms[name].at(-1)! / 1000).toFixed(2)} s, ` +
          `client CPU ${cpu[name].at(-1)!.toFixed(2)} s`,
      );
    }
  }
  const variant = (name: Name): Variant => ({
    ms: summarize(ms[name]),
    cpuSeconds: summarize(cpu[name]).median,
  });
  const raw = variant('raw');
  const served = variant('service');
  const py = variant('pyspark');
  return {
    rows,
    sparkBytes,
    serviceBytes,
    raw,
    service: served,
    pyspark: py,
    serviceProcessCpuSeconds: summarize(serviceProcessCpu).median,
    serviceSpooledBytes: summarize(serviceSpooled).median,
    servicePeakRss,
    serviceOverRaw: summarize(ms.raw.map((rawMs, round) => rawMs / ms.service[round]!)).median,
    serviceOverPyspark: summarize(ms.service.map((serviceMs, round) => serviceMs / ms.pyspark[round]!))
      .median,
  };
}

/** The service's count of bytes written to its spool's files. */
function spoolWrittenBytes(base: string): Promise<number> {
  return metricSample(base, 'spark_data_api_spool_written_bytes_total');
}
