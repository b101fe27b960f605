/**
 * The session pool shared out by principal, against Spark: while one principal holds its share
 * with a long query, its further requests wait although sessions are free, another principal's
 * small query is answered, and the waiting requests run once the long query is gone.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import type { PoolStats } from '../../src/spark/pool.js';
import { call, serve, type Answer, type Served } from '../helpers/http.js';
import { runningJobsTagged } from '../helpers/spark-ui.js';

const KEYS = { a: 'principal-a-key', b: 'principal-b-key' };
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '2' },
    statements: [
      // One task (one core) that runs until it is stopped.
      'CREATE OR REPLACE TEMPORARY VIEW endless AS SELECT max(id) AS top FROM range(0, 1000000000000, 1, 1)',
      'CREATE OR REPLACE TEMPORARY VIEW small AS SELECT id, id * 2 AS twice FROM range(0, 5, 1, 1)',
    ],
  },
  datasets: {
    endless: { description: 'runs until stopped', table: 'endless' },
    small: { description: 'five rows', table: 'small' },
  },
});

let dir: string;
let served: Served;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spark-data-api-fair-'));
  const authFile = join(dir, 'auth.yaml');
  writeFileSync(
    authFile,
    [
      'apiKeys:',
      // Both in the default tenant: they share the main pool.
      `  - { name: a, sha256: ${hash(KEYS.a)}, tenant: default, scopes: [datasets:read] }`,
      `  - { name: b, sha256: ${hash(KEYS.b)}, tenant: default, scopes: [datasets:read, admin] }`,
    ].join('\n'),
  );
  // Two sessions; with an authentication file one principal holds at most half of them.
  served = await serve(
    { AUTH_FILE: authFile, ANONYMOUS: 'false', POOL_MAX: '2', POOL_ACQUIRE_TIMEOUT_MS: '600000' },
    registry,
  );
});

after(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (key: string, requestId?: string) => ({
  'x-api-key': key,
  ...(requestId === undefined ? {} : { 'request-id': requestId }),
});

/** Polls until `ready` holds; fails after a minute saying what it waited for. */
async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 1_200; attempt++) {
    if (await ready()) return;
    await sleep(50);
  }
  assert.fail(`gave up waiting until ${what}`);
}

const stats = (): PoolStats => served.app.queries.pool.stats();

describe('sessions shared by principal', () => {
  it('answers another principal while one holds its share, and runs the waiting requests after', async () => {
    const small = (key: string) =>
      call('GET', `${served.url}/v1/datasets/small/rows?orderBy=id`, { headers: as(key) });
    // Both sessions open, and the datasets described, before anyone has to wait.
    await until('both sessions are open', async () => {
      const warm = await Promise.all([small(KEYS.a), small(KEYS.b)]);
      return warm.every((answer) => answer.status === 200) && stats().size === 2;
    });
    const requestId = `fair-endless-${Date.now()}`;
    const leaving = new AbortController();
    const endless: Promise<unknown> = call('GET', `${served.url}/v1/datasets/endless/rows`, {
      headers: as(KEYS.a, requestId),
      signal: leaving.signal,
    }).catch((err: unknown) => err);
    await until(
      'principal A’s long query runs in Spark',
      async () => (await runningJobsTagged(requestId)).length > 0,
    );
    assert.equal(stats().inUse, 1);

    // A's further requests wait for A's own session, though one is free.
    const waitsBefore = stats().waits.principal_cap;
    const waiting: Promise<Answer>[] = [small(KEYS.a), small(KEYS.a)];
    await until('both of A’s requests wait', () => stats().waits.principal_cap === waitsBefore + 2);
    assert.equal(stats().inUse, 1);
    assert.equal(stats().waiting, 2);

    // B's small query takes the free session and is answered while A's query still runs.
    const b = await small(KEYS.b);
    assert.equal(b.status, 200, b.text());
    assert.deepEqual(
      b
        .text()
        .trim()
        .split('\n')
        .map((line) => Number((JSON.parse(line) as { id: string }).id)),
      [0, 1, 2, 3, 4],
    );
    assert.ok(
      (await runningJobsTagged(requestId)).length > 0,
      'A’s long query stopped before B was answered',
    );
    assert.equal(stats().waiting, 2);

    // A's long query goes; its waiting requests run, one after the other.
    leaving.abort();
    await endless;
    const answers = await Promise.all(waiting);
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.text());
      assert.equal(answer.text(), b.text());
    }
    await until('every session is back', () => stats().inUse === 0 && stats().waiting === 0);

    const metrics = (await call('GET', `${served.url}/metrics`, { headers: as(KEYS.b) })).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('spark_data_api_pool_waits_total{tenant="default",reason="principal_cap"}'));
    assert.ok(line !== undefined, 'no principal_cap waits series');
    assert.ok(Number(line.split(' ').at(-1)) >= 2, line);
  });
});
