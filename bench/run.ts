/**
 * `npm run bench`: the service side by side with our own Spark client, PySpark Connect and a
 * naive converter, against one Spark Connect server (started here, or `SPARK_REMOTE`).
 * Writes `bench/results/<date>.json` and `.md`. `--quick` is a smoke run with small sizes
 * and one run each, whose numbers mean nothing; it writes `bench/results/quick.*.tmp`.
 * `--cpu-prof` writes CPU profiles of the service processes to `bench/results/profiles.tmp/`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig, SHUFFLE_PARTITIONS, SMALL_QUERY, wideQuery } from './config.js';
import type { BenchContext } from './context.js';
import { writeSlowReaderDatasets, writeSpeedDatasets, writeStreamDatasets } from './datasets.js';
import { machine } from './machine.js';
import { benchPython, PySparkWorker } from './pyspark.js';
import { judge, markdown, type BenchResults } from './report.js';
import { arrowScenario } from './scenarios/arrow.js';
import { memoryScenario, type MemoryResult } from './scenarios/memory.js';
import { compressionScenario } from './scenarios/compression.js';
import { textScenarios } from './scenarios/text.js';
import { SLOW_POOL_MAX, slowReadersScenario } from './scenarios/slow-readers.js';
import { smallScenario } from './scenarios/small.js';
import { ServiceProcess } from './service.js';
import { DirectSpark, sparkServer } from './spark.js';
import { now } from './stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const nodeArgs = process.argv.includes('--cpu-prof')
  ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench', 'results', 'profiles.tmp')}`]
  : [];
const config = benchConfig(quick);
const started = now();
const log = (line: string) => {
  console.log(`[bench ${((now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (err) {
        console.error('cleanup failed:', err);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** The commit measured, and whether the service's sources differ from it. */
function revision(): { commit: string; modified: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), modified: git('status', '--porcelain', '--', 'src') !== '' };
  } catch {
    return { commit: 'unknown', modified: false };
  }
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

async function main(): Promise<void> {
  const host = machine();
  log(`${quick ? 'quick smoke run' : 'full run'} on ${host.cpu}, ${host.cores} cores`);
  const python = benchPython(root, log);

  log('building the service (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

  const spark = await sparkServer(log);
  cleanups.push(() => spark.stop());
  const dir = mkdtempSync(join(tmpdir(), 'spark-data-api-bench-'));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const direct = new DirectSpark(spark.remote);
  cleanups.push(() => direct.close());
  const sparkVersion = await direct.version();
  log(`Spark ${sparkVersion}`);

  const service = await ServiceProcess.start({
    root,
    sparkRemote: spark.remote,
    datasetsFile: writeSpeedDatasets(dir, config),
    nodeArgs,
  });
  cleanups.push(() => service.stop());
  const pyspark = await PySparkWorker.start(python, root, spark.remote, SHUFFLE_PARTITIONS);
  cleanups.push(() => pyspark.stop());
  log(`PySpark client ${pyspark.clientVersion}`);

  const ctx: BenchContext = { config, service, direct, pyspark, log };
  const arrow = await arrowScenario(ctx);
  const { ndjson, csv } = await textScenarios(ctx);
  const compression = await compressionScenario(ctx);
  const small = await smallScenario(ctx);
  await service.stop();

  // A fresh service process for each stream, so its memory is that of this one stream.
  const memory: MemoryResult[] = [];
  const bytesPerRow = { ndjson: ndjson.serviceBytes / ndjson.rows, arrow: arrow.serviceBytes / arrow.rows };
  for (const format of ['ndjson', 'arrow'] as const) {
    const rows = Math.ceil((config.memoryTargetBytes * 1.02) / bytesPerRow[format]);
    const streaming = await ServiceProcess.start({
      root,
      sparkRemote: spark.remote,
      datasetsFile: writeStreamDatasets(dir, rows),
      nodeArgs,
    });
    cleanups.push(() => streaming.stop());
    memory.push(
      await memoryScenario(format, rows, config.memoryReadBytesPerSecond, config.idleSeconds, streaming, log),
    );
    await streaming.stop();
  }

  // A fresh service process again, so its memory is that of the slow readers and small queries.
  const slowService = await ServiceProcess.start({
    root,
    sparkRemote: spark.remote,
    datasetsFile: writeSlowReaderDatasets(dir, config.slowReaderRows),
    nodeArgs,
    env: { POOL_MAX: String(SLOW_POOL_MAX), SPOOL_DIR: join(dir, 'spool') },
  });
  cleanups.push(() => slowService.stop());
  const slowReaders = await slowReadersScenario(config, slowService, log);
  await slowService.stop();

  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    durationSeconds: (now() - started) / 1000,
    revision: revision(),
    machine: host,
    spark: {
      version: sparkVersion,
      server: spark.started ? 'a container started by the run' : 'the server at SPARK_REMOTE',
    },
    pysparkClient: pyspark.clientVersion,
    queries: { large: wideQuery(config.rows), small: SMALL_QUERY },
    arrow,
    ndjson,
    csv,
    compression,
    small,
    memory,
    slowReaders,
    bars: judge({ arrow, ndjson, csv, compression, small, memory, slowReaders }),
  };
  const text = markdown(results);
  const name = quick ? 'quick' : results.date.slice(0, 10);
  const suffix = quick ? '.tmp' : '';
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeAtomically(join(resultsDir, `${name}.json${suffix}`), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomically(join(resultsDir, `${name}.md${suffix}`), text);
  console.log(`\n${text}`);
  log(`wrote bench/results/${name}.json${suffix} and ${name}.md${suffix}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
