/**
 * Slow readers beside a dashboard: a fresh service (POOL_MAX=8) streams NDJSON downloads of
 * product events to 8 readers at once, each taking 500 KB/s (a mobile or cross-region link),
 * while a small query is sent every second. It reports whether every download came whole, every
 * small query's status and latency against its idle median, the service's memory, and how long
 * each download held its Spark session.
 *
 * How long a session was held is read from the service's own Prometheus metrics: `/metrics` is
 * scraped every 100 ms for the whole scenario, idle part included (so the scrapes weigh on both
 * medians alike). The histogram `spark_data_api_spark_execution_duration_seconds` counts each
 * Spark execution as it ends, which is when its session goes back to the pool: for a download,
 * when Spark has sent its whole result, however slowly it is read. Executions that ended since
 * the downloads were sent are the downloads' and the small queries'; each small query answered
 * 200 ran one execution, which ended after it was sent and before its answer came. So at each
 * scrape the downloads that have ended number at least the executions counted less the small
 * queries sent so far, and at most the executions counted less the small queries answered before
 * the scrape. Each download's hold is given as such a range: it ended after the last scrape that
 * cannot count it yet, and by the first that must. The figures are seconds from sending the
 * downloads (any wait for a session or for room in the result budget is included); downloads are
 * not told apart from each other, so the holds are listed in order, not by reader. Small queries
 * answered otherwise than 200 are taken to have run nothing (a 503 is answered before a session
 * is leased); if the counts do not add up to one execution per download, the holds are reported
 * as not told. A scrape the service refuses (503 when it is overloaded) is skipped.
 */
import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATASETS } from '../context.js';
import { SMALL_LIMIT, type BenchConfig } from '../config.js';
import { download, HttpError, keepAliveAgent, small, type ServiceProcess } from '../service.js';
import { now, quantile, summarize, type Summary } from '../stats.js';

export interface SlowDownload {
  /** Rows the service says it sent (`Result-Rows`); 0 when the download failed. */
  readonly rows: number;
  readonly bytes: number;
  /** Seconds from the request to the last byte (or to the failure). */
  readonly seconds: number;
  /** Every row came and no limit cut the result. */
  readonly complete: boolean;
  /** What went wrong, when the download failed. */
  readonly error?: string | undefined;
}

/** One small query sent beside the slow readers. */
export interface SmallBeside {
  /** Seconds after the downloads were sent. */
  readonly atSeconds: number;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  readonly ms: number;
}

/** When one download's execution ended, in seconds after the downloads were sent. */
export interface HoldRange {
  /** It had not ended yet when a scrape was sent at this time. */
  readonly after: number;
  /** It had ended when a scrape was answered at this time. */
  readonly by: number;
}

export interface SessionHolds {
  /** Each download's session hold, in order; undefined when the counts do not add up. */
  readonly ranges: readonly HoldRange[] | undefined;
  /** Why `ranges` could not be told, when it could not. */
  readonly unavailable?: string | undefined;
  /** Upper bound of the histogram bucket holding the scenario's longest execution. */
  readonly longestBucketSeconds: number | undefined;
  /** Spark executions that failed or were interrupted during the downloads. */
  readonly notCompleted: number;
}

export interface SlowReadersResult {
  readonly readers: number;
  readonly rowsPerReader: number;
  readonly readBytesPerSecond: number;
  readonly poolMax: number;
  readonly downloads: readonly SlowDownload[];
  readonly sessionHolds: SessionHolds;
  /** Milliseconds of the small query on the idle service. */
  readonly idleSmall: Summary;
  readonly smallBeside: readonly SmallBeside[];
  /** Median of the small queries answered 200 beside the readers over the idle median: the bar is ≤ 2. */
  readonly smallOverIdle: number;
  /** Service RSS after the idle small queries, before the downloads. */
  readonly idleRss: number;
  /** Highest RSS sampled (every 50 ms) while the readers read. */
  readonly peakRss: number;
}

/** Sessions of the scenario's service: one per reader, none to spare for the small queries. */
export const SLOW_POOL_MAX = 8;
const SCRAPE_MS = 100;
const SMALL_EVERY_MS = 1000;
const EXECUTION_METRIC = 'spark_data_api_spark_execution_duration_seconds';

/** The execution histogram at one scrape. */
interface Scrape {
  /** When the scrape was sent and when its answer came ({@link now}). */
  readonly sent: number;
  readonly received: number;
  /** Completed executions so far, and those in each bucket (cumulative, by upper bound). */
  readonly count: number;
  readonly buckets: ReadonlyMap<number, number>;
  readonly notCompleted: number;
}

function parseExecutions(text: string, sent: number, received: number): Scrape {
  let count = 0;
  let notCompleted = 0;
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(EXECUTION_METRIC)) continue;
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match === null) continue;
    const [, name, labelText, valueText] = match as unknown as [string, string, string, string];
    const labels = new Map([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(valueText);
    const series = name.slice(EXECUTION_METRIC.length);
    if (labels.get('outcome') !== 'completed') {
      if (series === '_count') notCompleted += value;
    } else if (series === '_count') count = value;
    else if (series === '_bucket') {
      const le = labels.get('le');
      buckets.set(le === '+Inf' ? Infinity : Number(le), value);
    }
  }
  if (buckets.size === 0) throw new Error(`the service's /metrics has no ${EXECUTION_METRIC}`);
  return { sent, received, count, buckets, notCompleted };
}

/** The execution histogram now. */
async function scrape(service: ServiceProcess, agent: Agent): Promise<Scrape> {
  const sent = now();
  const text = (await small(`${service.base}/metrics`, agent)).toString('utf8');
  return parseExecutions(text, sent, now());
}

/** Scrapes `/metrics` every {@link SCRAPE_MS} until `stop()`, which returns the scrapes. */
function scrapeMetrics(service: ServiceProcess): { stop(): Promise<Scrape[]> } {
  const agent = keepAliveAgent(1);
  const scrapes: Scrape[] = [];
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const sent = now();
      try {
        scrapes.push(await scrape(service, agent));
      } catch (err) {
        // A busy service may refuse a scrape (503): the next one counts what this one missed.
        if (!(err instanceof HttpError)) throw err;
      }
      await sleep(Math.max(0, SCRAPE_MS - (now() - sent)));
    }
  })();
  // Kept for stop(), so a failed scrape is not an unhandled rejection meanwhile.
  const settled = loop.then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return {
    stop: async () => {
      state.stopped = true;
      const failure = await settled;
      agent.destroy();
      if (failure !== undefined) throw failure;
      return scrapes;
    },
  };
}

/** The small queries answered 200: when each was sent and answered ({@link now}). */
interface SmallWindow {
  readonly sent: number;
  readonly answered: number;
}

/**
 * Each download's hold from the scrapes (see the module's comment): `scrapes[0]` is the last one
 * taken just before the downloads were sent, at `start`.
 */
function sessionHolds(
  scrapes: readonly Scrape[],
  start: number,
  readers: number,
  smalls: readonly SmallWindow[],
): SessionHolds {
  const first = scrapes[0]!;
  const last = scrapes[scrapes.length - 1]!;
  const ended = (s: Scrape) => s.count + s.notCompleted - first.count - first.notCompleted;
  const bounds = [...first.buckets.keys()].sort((a, b) => a - b);
  const grew = (b: number) => (last.buckets.get(b) ?? 0) - (first.buckets.get(b) ?? 0);
  const common = {
    longestBucketSeconds:
      last.count > first.count ? bounds.find((b) => grew(b) === last.count - first.count) : undefined,
    notCompleted: last.notCompleted - first.notCompleted,
  };
  const total = ended(last) - smalls.length;
  if (total !== readers) {
    return {
      ...common,
      ranges: undefined,
      unavailable: `${ended(last)} executions ended for ${readers} downloads and ${smalls.length} small queries`,
    };
  }
  // The downloads ended by each scrape, at least and at most.
  const least = scrapes.map((s) => ended(s) - smalls.filter((q) => q.sent < s.received).length);
  const most = scrapes.map((s) => ended(s) - smalls.filter((q) => q.answered <= s.sent).length);
  const ranges: HoldRange[] = [];
  for (let k = 1; k <= readers; k++) {
    const possible = most.findIndex((n) => n >= k);
    const certain = least.findIndex((n) => n >= k);
    if (possible < 1 || certain < 0) {
      return { ...common, ranges: undefined, unavailable: `download ${k} was not seen to end` };
    }
    ranges.push({
      after: (scrapes[possible - 1]!.sent - start) / 1000,
      by: (scrapes[certain]!.received - start) / 1000,
    });
  }
  return { ...common, ranges };
}

/**
 * Runs a warm-up step until it succeeds, for at most a minute: a service that has just started
 * on a busy machine may answer 503 for a few seconds.
 */
async function warmUp(step: () => Promise<unknown>): Promise<void> {
  const deadline = now() + 60_000;
  for (;;) {
    try {
      await step();
      return;
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 503) || now() > deadline) throw err;
      await sleep(1000);
    }
  }
}

/** One small query; its status instead of an exception when it is not answered 200. */
async function smallQuery(
  url: string,
  agent: Agent,
): Promise<{ status: number; ms: number; started: number }> {
  const started = now();
  try {
    const answer = JSON.parse((await small(url, agent)).toString('utf8')) as { rowCount: number };
    if (answer.rowCount !== 8) throw new Error(`the small query returned ${answer.rowCount} rows, not 8`);
    return { status: 200, ms: now() - started, started };
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, ms: now() - started, started };
    if (err instanceof Error && 'code' in err) return { status: 0, ms: now() - started, started };
    throw err;
  }
}

async function slowDownload(url: string, rows: number, bytesPerSecond: number): Promise<SlowDownload> {
  const started = now();
  try {
    const got = await download(url, { bytesPerSecond });
    const complete = got.rows === rows && !got.truncated;
    return {
      rows: got.rows,
      bytes: got.bytes,
      seconds: got.ms / 1000,
      complete,
      error: complete ? undefined : `${got.rows} rows${got.truncated ? ', truncated' : ''}, expected ${rows}`,
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { rows: 0, bytes: 0, seconds: (now() - started) / 1000, complete: false, error };
  }
}

/** Runs the scenario on `service`, started with the slow-reader datasets and {@link SLOW_POOL_MAX}. */
export async function slowReadersScenario(
  config: BenchConfig,
  service: ServiceProcess,
  log: (line: string) => void,
): Promise<SlowReadersResult> {
  const readers = config.slowReaders;
  const rows = config.slowReaderRows;
  const rate = config.slowReaderBytesPerSecond;
  const smallUrl = `${service.base}/v1/datasets/${DATASETS.small}/rows?format=json&limit=${SMALL_LIMIT}`;
  const eventsUrl = `${service.base}/v1/datasets/${DATASETS.events}/rows?format=ndjson`;
  const agent = keepAliveAgent(readers);
  const scraper = scrapeMetrics(service);
  try {
    // Every session of the pool opened, and the events' columns known, before anything is timed.
    await warmUp(() => Promise.all(Array.from({ length: readers }, () => small(smallUrl, agent))));
    await warmUp(() => download(`${eventsUrl}&limit=1000`));
    const idleMs: number[] = [];
    for (let i = 0; i < config.slowIdleRuns; i++) {
      const run = await smallQuery(smallUrl, agent);
      if (run.status !== 200) throw new Error(`the small query on the idle service answered ${run.status}`);
      idleMs.push(run.ms);
    }
    const idleSmall = summarize(idleMs);
    const idleRss = service.rss();
    log(
      `slow readers: small query idle median ${idleSmall.median.toFixed(1)} ms; ` +
        `${readers} readers of ${rows} rows at ${(rate / 1000).toFixed(0)} KB/s`,
    );

    // Every execution so far (the idle queries' included) has ended, and is counted here.
    const baseline = await scrape(service, agent);
    const rss = service.sampleRss(50);
    const start = now();
    const reading = { done: false };
    const downloads = Promise.all(
      Array.from({ length: readers }, () => slowDownload(`${eventsUrl}&limit=${rows}`, rows, rate)),
    ).finally(() => {
      reading.done = true;
    });
    const beside: Promise<SmallBeside & { started: number }>[] = [];
    while (!reading.done) {
      const atSeconds = (now() - start) / 1000;
      beside.push(smallQuery(smallUrl, agent).then((run) => ({ atSeconds, ...run })));
      await Promise.race([downloads, sleep(SMALL_EVERY_MS)]);
    }
    const done = await downloads;
    const smalls = await Promise.all(beside);
    const smallBeside = smalls.map(({ atSeconds, status, ms }): SmallBeside => ({ atSeconds, status, ms }));
    const peakRss = rss.stop();
    const scrapes = await scraper.stop();

    const holds = sessionHolds(
      [baseline, ...scrapes.filter((s) => s.sent >= start)],
      start,
      readers,
      smalls.filter((q) => q.status === 200).map((q) => ({ sent: q.started, answered: q.started + q.ms })),
    );
    const answered = smallBeside
      .filter((s) => s.status === 200)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const smallOverIdle = answered.length === 0 ? NaN : quantile(answered, 0.5) / idleSmall.median;
    log(
      `slow readers: ${done.filter((d) => d.complete).length}/${readers} complete in ` +
        `${Math.max(...done.map((d) => d.seconds)).toFixed(1)} s; small queries ${answered.length}/${smallBeside.length} ` +
        `answered 200, median ${smallOverIdle.toFixed(2)}× idle; sessions held ` +
        (holds.ranges?.map((r) => `${r.after.toFixed(1)}–${r.by.toFixed(1)}`).join(', ') ??
          `(not told: ${holds.unavailable})`) +
        ` s; RSS ${(idleRss / 1024 ** 2).toFixed(0)} MiB idle, peak ${(peakRss / 1024 ** 2).toFixed(0)} MiB`,
    );
    return {
      readers,
      rowsPerReader: rows,
      readBytesPerSecond: rate,
      poolMax: SLOW_POOL_MAX,
      downloads: done,
      sessionHolds: holds,
      idleSmall,
      smallBeside,
      smallOverIdle,
      idleRss,
      peakRss,
    };
  } finally {
    await scraper.stop().catch(() => undefined);
    agent.destroy();
  }
}
