/**
 * The result spool against a real Spark: a slow or paused reader does not hold a Spark session,
 * a full spool falls back to holding Spark rather than failing, and whoever leaves leaves no
 * files behind (and stops Spark's job if it still runs); a spool that cannot write fails cleanly.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import type { QuerySpec } from '../../src/query/spec.js';
import { jsonRow } from '../helpers/expected-json.js';
import { call, serve, type Served } from '../helpers/http.js';
import { collect } from '../helpers/spark.js';
import { runningJobsTagged } from '../helpers/spark-ui.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const ROWS = 400_000;
const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '4' },
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW big AS
       SELECT id, concat('row-', id, '-', repeat('x', 40)) AS s FROM range(0, ${ROWS}, 1, 4)`,
      // Rows of its first partitions come at once; its last partition then sleeps for two minutes.
      `CREATE OR REPLACE TEMPORARY VIEW sleepy AS
       SELECT id, IF(id = 99999, CAST(reflect('java.lang.Thread', 'sleep', 120000L) AS STRING), 'x') AS s
       FROM range(0, 100000, 1, 4)`,
    ],
  },
  datasets: {
    big: { description: 'about 20 MB of Arrow', table: 'big', maxLimit: 1_000_000, defaultLimit: 1_000_000 },
    sleepy: {
      description: 'rows, then a long wait',
      table: 'sleepy',
      maxLimit: 1_000_000,
      defaultLimit: 1_000_000,
    },
  },
});
const ORDERED: QuerySpec = { orderBy: ['id'] };
const MiB = 1024 ** 2;

after(removeTempDirs);

/** A request whose response is paused after its first bytes, to be resumed or left. */
interface PausedReader {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
  /** Reads the rest and gives the whole body. */
  resume(): Promise<string>;
}

function pausedRead(url: string, body: unknown, requestId: string): Promise<PausedReader> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'request-id': requestId } },
      (response) => {
        const chunks: Buffer[] = [];
        response.once('data', (chunk: Buffer) => {
          chunks.push(chunk);
          response.pause();
          resolve({
            request,
            response,
            resume: () =>
              new Promise((done, failed) => {
                response.on('data', (more: Buffer) => {
                  chunks.push(more);
                });
                response.on('end', () => {
                  done(Buffer.concat(chunks).toString('utf8'));
                });
                response.on('error', failed);
                response.resume();
              }),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Polls until `done` says so; fails after a generous while (a safety net, not a timing claim). */
async function eventually(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const giveUp = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > giveUp) assert.fail(`never: ${what}`);
    await sleep(50);
  }
}

/** Files of results in the spool directory (heartbeats left out). */
function spooledFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'heartbeat')
    .map((e) => e.name);
}

/** The rows Spark returns for the same query, read directly over Connect, as the service writes them. */
async function direct(served: Served, spec: QuerySpec): Promise<unknown[]> {
  const plan = await served.app.queries.compileDataset('big', spec);
  const result = await served.app.queries.pool.withSession((session) => collect(session, plan));
  return result.rows.map(jsonRow);
}

const lines = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

async function metric(served: Served, series: string): Promise<number> {
  const line = (await served.app.metrics.text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('results read through the spool', () => {
  let dir: string;
  let served: Served;
  before(async () => {
    dir = tempDir();
    served = await serve(
      {
        POOL_MIN: '0',
        POOL_MAX: '1',
        RAW_SQL: 'true',
        SPOOL_DIR: dir,
        SPOOL_MEMORY_BYTES: String(MiB),
        SPOOL_CHUNK_BYTES: String(MiB / 4),
        SPOOL_RESULT_MAX_BYTES: String(64 * MiB),
      },
      registry,
    );
  });
  after(() => served.close());

  it('a paused reader holds no session: another query answers meanwhile, then the reader gets every row', async () => {
    const reader = await pausedRead(`${served.url}/v1/datasets/big/query`, ORDERED, `paused-${Date.now()}`);
    assert.equal(reader.response.statusCode, 200);
    await eventually('Spark finished sending', () => served.app.queries.pool.stats().inUse === 0);
    assert.ok(served.app.queries.pool.stats().idle >= 1);
    assert.ok(spooledFiles(dir).length > 0, 'the result went past memory into files');
    const small = await call('GET', `${served.url}/v1/datasets/big/rows?limit=3&orderBy=id`);
    assert.equal(small.status, 200);
    assert.equal(lines(small.text()).length, 3);
    const rows = lines(await reader.resume());
    assert.equal(rows.length, ROWS);
    assert.deepEqual(rows, await direct(served, ORDERED));
    await eventually('the files are deleted', () => spooledFiles(dir).length === 0);
  });

  it('a reader leaving after Spark finished leaves no files behind', async () => {
    const reader = await pausedRead(`${served.url}/v1/datasets/big/query`, ORDERED, `leaving-${Date.now()}`);
    await eventually('Spark finished sending', () => served.app.queries.pool.stats().inUse === 0);
    assert.ok(spooledFiles(dir).length > 0);
    reader.request.destroy();
    await eventually('the files are deleted', () => spooledFiles(dir).length === 0);
    assert.equal(await metric(served, 'spark_data_api_spool_results'), 0);
  });

  it('a reader leaving while Spark still sends stops the Spark job', async () => {
    const id = `leaving-running-${Date.now()}`;
    const reader = await pausedRead(`${served.url}/v1/datasets/sleepy/query`, {}, id);
    const tag = `Tag_spark-data-api:${id}`;
    await eventually('the Spark job runs', async () => (await runningJobsTagged(tag)).length > 0);
    assert.equal(served.app.queries.pool.stats().inUse, 1);
    reader.request.destroy();
    await eventually('the Spark job stops', async () => (await runningJobsTagged(tag)).length === 0);
    await eventually('the session is back', () => served.app.queries.pool.stats().inUse === 0);
    await eventually('the files are deleted', () => spooledFiles(dir).length === 0);
  });
});

describe('a full spool', () => {
  it('holds Spark as without a spool, and the result is still complete and exact', async () => {
    const served = await serve(
      { POOL_MIN: '0', POOL_MAX: '2', SPOOL_DIR: tempDir(), SPOOL_MAX_BYTES: String(256 * 1024) },
      registry,
    );
    try {
      const series = 'spark_data_api_spool_backpressure_total{reason="total"}';
      assert.equal(await metric(served, series), 0);
      const reader = await pausedRead(`${served.url}/v1/datasets/big/query`, ORDERED, `full-${Date.now()}`);
      await eventually('the spool is full', async () => (await metric(served, series)) > 0);
      // Spark is held: its session stays leased while the reader pauses.
      assert.equal(served.app.queries.pool.stats().inUse, 1);
      // Spark's call, not read, fills its flow-control window; another session's call on the
      // same connection still gets its answer.
      const other = await call('GET', `${served.url}/v1/datasets/big/rows?orderBy=-id&limit=2000`);
      assert.equal(other.status, 200, other.text());
      assert.deepEqual(
        lines(other.text()),
        await direct(served, { orderBy: [{ column: 'id', direction: 'desc' }], limit: 2000 }),
      );
      assert.equal(served.app.queries.pool.stats().inUse, 1);
      const rows = lines(await reader.resume());
      assert.equal(rows.length, ROWS);
      assert.deepEqual(rows, await direct(served, ORDERED));
    } finally {
      await served.close();
    }
  });
});

describe('a spool that cannot write', () => {
  it('fails the response as a stream fails: an @error SPOOL_FAILED line, never a clean end', async () => {
    const dir = tempDir();
    const served = await serve(
      { SPOOL_DIR: dir, SPOOL_MEMORY_BYTES: '0', SPOOL_CHUNK_BYTES: String(64 * 1024) },
      registry,
    );
    try {
      // The instance's folder becomes a file: every write under it fails, as on a broken disk.
      const [folder] = readdirSync(dir);
      rmSync(join(dir, folder!), { recursive: true, force: true });
      writeFileSync(join(dir, folder!), '');
      // A paused reader falls behind Spark, so what Spark sends must go to files.
      const reader = await pausedRead(
        `${served.url}/v1/datasets/big/query`,
        ORDERED,
        `failing-${Date.now()}`,
      );
      assert.equal(reader.response.statusCode, 200);
      const series = 'spark_data_api_spool_disk_errors_total';
      await eventually('a write failed', async () => (await metric(served, series)) > 0);
      const all = lines(await reader.resume());
      const last = all.at(-1) as { '@error'?: { code: string; status: number } };
      assert.equal(last['@error']?.code, 'SPOOL_FAILED');
      assert.equal(last['@error'].status, 503);
      assert.ok(all.length - 1 < ROWS);
      assert.deepEqual(all.slice(0, -1), (await direct(served, ORDERED)).slice(0, all.length - 1));
      assert.equal(reader.response.trailers['result-truncated'], 'false');
    } finally {
      await served.close();
    }
  });
});
