import type { Machine } from './machine.js';
import type { ArrowResult, Variant } from './scenarios/arrow.js';
import type { CompressionResult } from './scenarios/compression.js';
import { EARLY_IDLE_SECONDS, type MemoryResult } from './scenarios/memory.js';
import type { SlowReadersResult } from './scenarios/slow-readers.js';
import type { SmallMeasurement, SmallResult } from './scenarios/small.js';
import type { TextResult } from './scenarios/text.js';
import { summarize, type Summary } from './stats.js';

export interface Bar {
  readonly bar: string;
  readonly measured: string;
  /** `null`: could not be measured in this run. */
  readonly met: boolean | null;
}

/** What one run measured. */
export interface Measured {
  readonly arrow: ArrowResult;
  readonly ndjson: TextResult;
  readonly csv: TextResult;
  readonly compression: CompressionResult;
  readonly small: SmallResult;
  readonly memory: readonly MemoryResult[];
  readonly slowReaders: SlowReadersResult;
}

export interface BenchResults extends Measured {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly durationSeconds: number;
  readonly revision: { readonly commit: string; readonly modified: boolean };
  readonly machine: Machine;
  readonly spark: { readonly version: string; readonly server: string };
  readonly pysparkClient: string;
  readonly queries: { readonly large: string; readonly small: string };
  readonly bars: readonly Bar[];
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** The bars of the product brief. */
const ENCODER_OVER_NAIVE = 10;
const ROWS_PER_SECOND = 1.5e6;
const IDLE_MIB = 100;
const STREAM_GROWTH_MIB = 64;
/** Most the service's memory may grow above idle with the slow readers. */
const SLOW_READERS_GROWTH_MIB = 192;

const x = (ratio: number) => `${ratio.toFixed(2)}×`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const kbps = (bytesPerSecond: number) => `${(bytesPerSecond / 1000).toFixed(0)} KB/s`;
const mrows = (rowsPerSecond: number) => `${(rowsPerSecond / 1e6).toFixed(2)} M rows/s`;
const FORMAT_NAMES = { ndjson: 'NDJSON', csv: 'CSV', arrow: 'Arrow' } as const;

/** The bars of the product brief, judged on this run's medians. */
export function judge(r: Measured): Bar[] {
  const { arrow, small, memory, slowReaders: slow } = r;
  const complete = slow.downloads.filter((d) => d.complete).length;
  const answered = slow.smallBeside.filter((s) => s.status === 200).length;
  const growth = slow.peakRss - slow.idleRss;
  const readers = `${slow.readers} slow readers`;
  const perGiB = (cpuSeconds: number) => cpuSeconds / (arrow.sparkBytes / GiB);
  const serviceCpu = perGiB(arrow.serviceProcessCpuSeconds);
  const pysparkCpu = perGiB(arrow.pyspark.cpuSeconds);
  const idle = Math.max(...memory.map((m) => m.idleRss));
  const coded = r.compression.codings.filter((c) => c.coding !== 'identity' && c.offered);
  const identity = (format: string) =>
    r.compression.codings.find((c) => c.format === format && c.coding === 'identity')?.wireBytes ?? NaN;
  const textBars = [r.ndjson, r.csv].flatMap((t) => {
    const rowsPerSecond = (t.rows / t.service.median) * 1000;
    return [
      {
        bar: `${FORMAT_NAMES[t.format]} encoder ≥ ${ENCODER_OVER_NAIVE} × the naive converter`,
        measured: x(t.encoderOverNaive),
        met: t.encoderOverNaive >= ENCODER_OVER_NAIVE,
      },
      {
        bar: `${FORMAT_NAMES[t.format]} end to end ≥ ${mrows(ROWS_PER_SECOND)}`,
        measured: mrows(rowsPerSecond),
        met: rowsPerSecond >= ROWS_PER_SECOND,
      },
    ];
  });
  return [
    {
      bar: 'Arrow through the service no slower than PySpark `toArrow()`',
      measured: `${x(arrow.serviceOverPyspark)} PySpark's wall time`,
      met: arrow.serviceOverPyspark <= 1,
    },
    {
      bar: "Arrow: the service's CPU per GiB ≤ PySpark's client CPU per GiB",
      measured: `${serviceCpu.toFixed(2)} s/GiB against ${pysparkCpu.toFixed(2)} s/GiB`,
      met: Number.isNaN(pysparkCpu) ? null : serviceCpu <= pysparkCpu,
    },
    {
      bar: "Arrow: our raw drain's throughput ≥ PySpark `toArrow()`'s",
      measured: `${x(arrow.pyspark.ms.median / arrow.raw.ms.median)} PySpark's throughput`,
      met: arrow.raw.ms.median <= arrow.pyspark.ms.median,
    },
    ...textBars,
    {
      bar: 'Compressed NDJSON and CSV in every coding this Node offers (gzip, br; zstd from Node 22.15), smaller than identity',
      measured: coded
        .map((c) => `${FORMAT_NAMES[c.format]} ${c.coding} ${x(identity(c.format) / c.wireBytes)}`)
        .join(', '),
      met: coded.length >= 4 && coded.every((c) => c.wireBytes < identity(c.format)),
    },
    {
      bar: 'Small query p50 through the service ≤ 1.1 × PySpark `collect()` p50',
      measured: x(small.serviceOverPyspark),
      met: Number.isNaN(small.serviceOverPyspark) ? null : small.serviceOverPyspark <= 1.1,
    },
    {
      bar: 'Cache hit p50 ≤ 2 ms',
      measured: small.cacheHitP50 === undefined ? 'not available' : `${small.cacheHitP50.toFixed(2)} ms`,
      met: small.cacheHitP50 === undefined ? null : small.cacheHitP50 <= 2,
    },
    {
      bar: `RSS idle ≤ ${IDLE_MIB} MiB (a fresh service after one small request and a quiet spell)`,
      measured: memory.map((m) => mib(m.idleRss)).join(', '),
      met: idle <= IDLE_MIB * MiB,
    },
    ...memory.map((m) => ({
      bar: `Streaming ${gb(m.bytes)} of ${FORMAT_NAMES[m.format]} to a slow reader adds ≤ ${STREAM_GROWTH_MIB} MiB`,
      measured: `+${mib(m.peakRss - m.idleRss)} (${mib(m.idleRss)} idle, ${mib(m.peakRss)} peak)`,
      met: m.peakRss - m.idleRss <= STREAM_GROWTH_MIB * MiB,
    })),
    {
      bar: `${readers} (${slow.rowsPerReader} rows of NDJSON at ${kbps(slow.readBytesPerSecond)} each) all get every row`,
      measured: `${complete} of ${slow.readers} complete`,
      met: complete === slow.readers,
    },
    {
      bar: `Every small query beside ${readers} answers 200`,
      measured: `${answered} of ${slow.smallBeside.length}`,
      met: slow.smallBeside.length > 0 && answered === slow.smallBeside.length,
    },
    {
      bar: `Small query median beside ${readers} ≤ 2 × its idle median`,
      measured: Number.isNaN(slow.smallOverIdle) ? 'no small query answered 200' : x(slow.smallOverIdle),
      met: Number.isNaN(slow.smallOverIdle) ? false : slow.smallOverIdle <= 2,
    },
    {
      bar: `Peak RSS ≤ idle + ${SLOW_READERS_GROWTH_MIB} MiB with ${readers}`,
      measured: `+${mib(growth)} (${mib(slow.idleRss)} idle, ${mib(slow.peakRss)} peak)`,
      met: growth <= SLOW_READERS_GROWTH_MIB * MiB,
    },
  ];
}

function seconds(s: Summary): string[] {
  return [s.median, s.min, s.max].map((ms) => (ms / 1000).toFixed(2));
}

function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

function latencyRow(label: string, concurrency: string, m: SmallMeasurement | undefined): string[] {
  if (m === undefined || !m.available) return [label, concurrency, 'not available', '', '', ''];
  const l = m.latencies;
  return [label, concurrency, l.p50.toFixed(1), l.p95.toFixed(1), l.p99.toFixed(1), l.throughput.toFixed(1)];
}

const met = (b: Bar) => (b.met === null ? 'not measured' : b.met ? 'met' : 'missed');
const cpu = (s: number) => (Number.isNaN(s) ? 'n/a' : s.toFixed(2));

/** The Markdown of one run: what ran where, the tables, the bars. */
export function markdown(r: BenchResults): string {
  const { arrow, ndjson, csv, small, memory, machine: m } = r;
  const mibps = (ms: number) => `${((arrow.sparkBytes / MiB / ms) * 1000).toFixed(1)} MiB/s`;
  const rowsPerSecond = (rows: number, ms: number) => `${(((rows / ms) * 1000) / 1e6).toFixed(2)} M rows/s`;
  const arrowRow = (label: string, v: Variant, ratio: string, cpuNote = '') => [
    label,
    ...seconds(v.ms),
    mibps(v.ms.median),
    cpu(v.cpuSeconds) + cpuNote,
    ratio,
  ];
  const downloads = table(
    ['Scenario', 'Median s', 'Min s', 'Max s', 'Throughput', 'Client CPU s', 'Ratio'],
    [
      arrowRow('(a) Arrow, raw drain by our client', arrow.raw, ''),
      arrowRow(
        '(b) Arrow, service `?format=arrow`',
        arrow.service,
        `b/a ${x(arrow.serviceOverRaw)} throughput`,
        ` (service ${cpu(arrow.serviceProcessCpuSeconds)}; ${mib(arrow.serviceSpooledBytes)} through spool files)`,
      ),
      arrowRow(
        '(c) Arrow, PySpark `toArrow()`',
        arrow.pyspark,
        `b/c ${x(arrow.serviceOverPyspark)} wall time`,
      ),
      ...[ndjson, csv].flatMap((t) => [
        [
          `${FORMAT_NAMES[t.format]}, service download`,
          ...seconds(t.service),
          rowsPerSecond(t.rows, t.service.median),
          `${cpu(t.serviceCpuSeconds)} (service ${cpu(t.serviceProcessCpuSeconds)}; ${t.serviceMajorGcs} full GCs)`,
          `${x(t.service.median / arrow.service.ms.median)} Arrow's wall time`,
        ],
        [
          `${FORMAT_NAMES[t.format]}, service encoder in-process`,
          ...seconds(t.encoder),
          rowsPerSecond(t.converterRows, t.encoder.median),
          '',
          `${x(t.encoderOverNaive)} naive`,
        ],
        [
          `${FORMAT_NAMES[t.format]}, naive: arrow-js rows + ${t.format === 'ndjson' ? '`JSON.stringify`' : 'cells as text'}`,
          ...seconds(t.naive),
          rowsPerSecond(t.converterRows, t.naive.median),
          '',
          '',
        ],
      ]),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const concurrencies = Object.keys(small.targets.service.byConcurrency);
  const smallTable = table(
    ['Small query', 'Concurrency', 'p50 ms', 'p95 ms', 'p99 ms', 'Requests/s'],
    concurrencies.flatMap((c) =>
      Object.values(small.targets).map((t) => latencyRow(t.label, c, t.byConcurrency[c])),
    ),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
  const requests = Object.values(small.targets.service.byConcurrency)
    .map((mm) => (mm.available ? mm.latencies.requests : 0))
    .reduce((a, b) => Math.max(a, b), 0);
  const memoryTable = table(
    ['Memory', 'Streamed', 'Reader', 'Service RSS idle', 'Service RSS peak'],
    memory.map((mm) => [
      FORMAT_NAMES[mm.format],
      `${gb(mm.bytes)}, ${mm.rows} rows, ${mm.seconds.toFixed(1)} s`,
      `${(mm.readBytesPerSecond / MiB).toFixed(0)} MiB/s`,
      mm.earlyIdleRss === undefined
        ? mib(mm.idleRss)
        : `${mib(mm.idleRss)} (${mib(mm.earlyIdleRss)} at ${EARLY_IDLE_SECONDS} s)`,
      mib(mm.peakRss),
    ]),
    ['l', 'l', 'r', 'r', 'r'],
  );
  const compressionTable = table(
    ['Compression', 'Coding', 'On the wire MB', 'Ratio', 'Wall s', 'Service CPU s/GiB'],
    r.compression.codings.map((c) => {
      const identity = r.compression.codings.find((i) => i.format === c.format && i.coding === 'identity');
      return [
        FORMAT_NAMES[c.format],
        c.offered ? c.coding : `${c.coding} (not offered by this Node: identity sent)`,
        (c.wireBytes / 1e6).toFixed(1),
        identity === undefined ? '' : x(identity.wireBytes / c.wireBytes),
        (c.ms / 1000).toFixed(2),
        c.cpuSecondsPerGiB.toFixed(2),
      ];
    }),
    ['l', 'l', 'r', 'r', 'r', 'r'],
  );
  const bars = table(
    ['Bar', 'Measured', 'Result'],
    r.bars.map((b) => [b.bar, b.measured, met(b)]),
    ['l', 'l', 'l'],
  );
  const arrowRuns = arrow.raw.ms.runs;
  const ndjsonRuns = ndjson.service.runs;
  return [
    `## Benchmark ${r.date.slice(0, 10)}${r.mode === 'quick' ? ' (quick run: small sizes, not a measurement)' : ''}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node.js ${m.node}` +
      `${m.benchNodeOptions.length > 0 ? ` (the bench process with \`${m.benchNodeOptions.join(' ')}\`)` : ''}; ` +
      `load average ${m.loadAtStart} at the start. Spark ${r.spark.version} (${r.spark.server}); ` +
      `PySpark client ${r.pysparkClient}. Service at ${r.revision.commit.slice(0, 7)}` +
      (r.revision.modified ? ' with uncommitted changes' : '') +
      (m.serviceMalloc.length > 0 ? `, with glibc's \`${m.serviceMalloc.join(' ')}\` as in its image` : '') +
      '. ' +
      `The run took ${Math.round(r.durationSeconds)} s.`,
    '',
    `Large result: ${arrow.rows} rows × 6 columns (long, int, double, string, timestamp, decimal), ` +
      `${(arrow.sparkBytes / MiB).toFixed(0)} MiB of Arrow, ${(ndjson.serviceBytes / MiB).toFixed(0)} MiB of NDJSON, ` +
      `${(csv.serviceBytes / MiB).toFixed(0)} MiB of CSV. ` +
      `Arrow: ${arrowRuns} round${arrowRuns === 1 ? '' : 's'} of the three clients in rotating order; ` +
      `NDJSON and CSV: ${ndjsonRuns} run${ndjsonRuns === 1 ? '' : 's'} of each; all after a warm-up. ` +
      'Throughput is the Arrow bytes Spark sends over the wall time; the Arrow ratios are medians of ' +
      'the ratios within each round. Client CPU is the median CPU time of the client side ' +
      "(for the service, the service process and its HTTP reader), Spark's excluded. " +
      "Beside the service process's CPU: the median bytes per download it wrote to its spool's files, " +
      'which happens when the reader falls behind Spark by more than the spool keeps in memory. ' +
      "Beside NDJSON's and CSV's: the median count per download of the service's full (mark-compact) garbage collections. " +
      `The in-process converters of both formats encode the same query's first ${ndjson.converterRows} rows from batches held in memory; the service's encoder runs in a worker thread of plain Node.js on the build the service runs (dist/), as the bench itself runs under tsx, whose rewrite of the same code encodes about a fifth more slowly.`,
    '',
    downloads,
    '',
    `Small query: an aggregate into 8 groups, ${requests} requests per row after a warm-up.`,
    '',
    smallTable,
    '',
    memoryTable,
    '',
    `Compression: ${r.compression.rows} rows of the large result in each coding (the \`Accept-Encoding\` sent), ` +
      `the median of ${r.compression.runs} run${r.compression.runs === 1 ? '' : 's'} after a warm-up, the client ` +
      "decoding as it reads; CPU is the service process's per GiB of the answer before compression.",
    '',
    compressionTable,
    '',
    ...slowReadersSection(r.slowReaders),
    bars,
    '',
  ].join('\n');
}

/** The slow-reader scenario: the downloads, the sessions they held, the small queries beside them. */
function slowReadersSection(slow: SlowReadersResult): string[] {
  const holds = slow.sessionHolds;
  const downloads = table(
    ['Slow reader', 'Rows', 'MB', 'Reader s', 'Result'],
    slow.downloads.map((d, i) => [
      String(i + 1),
      String(d.rows),
      (d.bytes / 1e6).toFixed(1),
      d.seconds.toFixed(1),
      d.complete ? 'complete' : (d.error ?? 'incomplete'),
    ]),
    ['r', 'r', 'r', 'r', 'l'],
  );
  const answered = slow.smallBeside.filter((s) => s.status === 200).map((s) => s.ms);
  const statuses = new Map<number, number>();
  for (const s of slow.smallBeside) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
  const beside = answered.length === 0 ? undefined : summarize(answered);
  const smallTable = table(
    ['Small query', 'Requests', 'Statuses', 'Median ms', 'Min ms', 'Max ms'],
    [
      ['idle', String(slow.idleSmall.runs), `${slow.idleSmall.runs} × 200`, ...milliseconds(slow.idleSmall)],
      [
        'beside the slow readers, one a second',
        String(slow.smallBeside.length),
        [...statuses].map(([status, n]) => `${n} × ${status === 0 ? 'no answer' : status}`).join(', '),
        ...(beside === undefined ? ['', '', ''] : milliseconds(beside)),
      ],
    ],
    ['l', 'r', 'l', 'r', 'r', 'r'],
  );
  const held =
    holds.ranges === undefined
      ? `could not be told (${holds.unavailable ?? 'unknown'})`
      : holds.ranges.map((h) => `${h.after.toFixed(1)}–${h.by.toFixed(1)}`).join(', ') +
        ' s after the downloads were sent';
  const bucket = holds.longestBucketSeconds === undefined ? 'none' : `≤ ${holds.longestBucketSeconds} s`;
  return [
    `Slow readers: a fresh service with POOL_MAX=${slow.poolMax}; ${slow.readers} concurrent NDJSON downloads of ` +
      `${slow.rowsPerReader} product events, each read at ${kbps(slow.readBytesPerSecond)}, and a small query ` +
      "sent every second until they end. Sessions held, from the service's `/metrics` scraped every 100 ms " +
      '(Spark executions ended by `spark_data_api_spark_execution_duration_seconds`, less the small queries ' +
      'sent, or answered, by then): each download gave its session back between the two figures, ' +
      `${held}; the longest execution's bucket ${bucket}; ` +
      `${holds.notCompleted} execution${holds.notCompleted === 1 ? '' : 's'} failed or interrupted.`,
    '',
    downloads,
    '',
    smallTable,
    '',
  ];
}

function milliseconds(s: Summary): string[] {
  return [s.median, s.min, s.max].map((ms) => ms.toFixed(1));
}
