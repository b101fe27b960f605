/**
 * Result reuse against Spark: within a dataset's cache TTL an identical request is answered from
 * the spool, byte for byte what Spark's answer was, without a Spark execution, on REST and
 * GraphQL alike; `If-None-Match` gets 304; another tenant, other filters or an expired TTL ask
 * Spark again; datasets without a TTL are never reused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { call, serve, type Answer, type Served } from '../helpers/http.js';
import { sparkRemote } from '../helpers/spark-remote.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const TTL_SECONDS = 3;
const KEYS = { acme: 'acme-key', globex: 'globex-key' };
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

const registry = new DatasetRegistry({
  setup: {
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW reuse_items AS
       SELECT id, CAST(id % 100 AS INT) AS n, concat('item ', id, ', "ok" é') AS label,
         CAST(id * 1.25 AS DECIMAL(12, 2)) AS amount, timestamp_micros(1704067200000000 + id * 1000001) AS ts
       FROM range(0, 30000, 1, 3)`,
    ],
  },
  datasets: {
    cached: { description: 'reused', table: 'reuse_items', cacheTtlSeconds: TTL_SECONDS, maxLimit: 100_000 },
    plain: { description: 'never reused', table: 'reuse_items', maxLimit: 100_000 },
  },
});

let served: Served;
let client: SparkConnectClient;

before(async () => {
  const authFile = join(tempDir(), 'auth.yaml');
  writeFileSync(
    authFile,
    [
      'apiKeys:',
      `  - { name: acme, sha256: ${hash(KEYS.acme)}, tenant: acme, scopes: [datasets:read] }`,
      `  - { name: globex, sha256: ${hash(KEYS.globex)}, tenant: globex, scopes: [datasets:read] }`,
    ].join('\n'),
  );
  client = SparkConnectClient.connect(sparkRemote());
  served = await serve(
    // A result's cap well below the large downloads: they are read past it from Spark, whole.
    { AUTH_FILE: authFile, ANONYMOUS: 'false', SPOOL_RESULT_MAX_BYTES: '65536', POOL_MIN: '2' },
    registry,
    { spark: client },
  );
  // Each tenant's sessions are set up, and the dataset described, before anything is counted.
  for (const key of Object.values(KEYS)) assert.equal((await query('plain', { key })).status, 200);
});

after(async () => {
  await served.close();
  client.close();
  removeTempDirs();
});

const SPEC = { where: { op: 'lt', column: 'n', value: 3 }, orderBy: [{ column: 'id' }], limit: 200 };

function query(
  dataset: string,
  options: { format?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const format = options.format === undefined ? '' : `?format=${options.format}`;
  return call('POST', `${served.url}/v1/datasets/${dataset}/query${format}`, {
    body: options.body ?? SPEC,
    headers: { 'x-api-key': options.key ?? KEYS.acme, ...options.headers },
  });
}

/** Spark executions started while `work` ran. */
async function executions<T>(work: () => Promise<T>): Promise<{ value: T; started: number }> {
  const before = client.executions.started;
  const value = await work();
  return { value, started: client.executions.started - before };
}

describe('results reused within their dataset’s TTL', () => {
  for (const format of ['ndjson', 'csv', 'arrow', 'json']) {
    it(`answers an identical ${format} request from the spool, byte for byte, without Spark`, async () => {
      const body = { ...SPEC, where: { ...SPEC.where, value: 3 + format.length } };
      const first = await executions(() => query('cached', { format, body }));
      assert.equal(first.value.status, 200, first.value.text());
      assert.equal(first.started, 1);
      assert.equal(first.value.headers['age'], undefined);
      assert.ok(first.value.headers['etag'] !== undefined);
      assert.match(String(first.value.headers['cache-control']), /^private, max-age=\d+$/);
      const hitsBefore = served.app.resultCache.counts.hits;

      const second = await executions(() => query('cached', { format, body }));
      assert.equal(second.value.status, 200);
      assert.equal(second.started, 0, 'no Spark execution');
      assert.equal(served.app.resultCache.counts.hits, hitsBefore + 1);
      assert.ok(Buffer.compare(second.value.body, first.value.body) === 0, 'the same bytes');
      assert.ok(first.value.body.length > 0);
      assert.equal(second.value.headers['etag'], first.value.headers['etag']);
      assert.match(String(second.value.headers['age']), /^\d+$/);
      for (const name of ['result-columns', 'content-type']) {
        assert.equal(second.value.headers[name], first.value.headers[name]);
      }
      assert.deepEqual(second.value.trailers, first.value.trailers);
    });
  }

  it('answers If-None-Match naming the kept result with 304 and no body', async () => {
    const body = { ...SPEC, where: { ...SPEC.where, value: 20 } };
    const first = await query('cached', { body });
    const etag = String(first.headers['etag']);
    const again = await executions(() => query('cached', { body, headers: { 'if-none-match': etag } }));
    assert.equal(again.value.status, 304);
    assert.equal(again.value.body.length, 0);
    assert.equal(again.value.headers['etag'], etag);
    assert.ok(again.value.headers['age'] !== undefined);
    assert.equal(again.started, 0);
    // Another representation of the same result has a tag of its own.
    const csv = await query('cached', { body, format: 'csv', headers: { 'if-none-match': etag } });
    assert.equal(csv.status, 200);
    assert.notEqual(csv.headers['etag'], etag);
    const other = await query('cached', { body, headers: { 'if-none-match': '"something-else"' } });
    assert.equal(other.status, 200);
    assert.ok(Buffer.compare(other.body, first.body) === 0);
  });

  it('asks Spark again for another tenant, other filters, and after the TTL', async () => {
    const body = { ...SPEC, where: { ...SPEC.where, value: 30 } };
    const first = await query('cached', { body });
    const globex = await executions(() => query('cached', { body, key: KEYS.globex }));
    assert.equal(globex.value.status, 200);
    assert.equal(globex.started, 1, 'another tenant is not answered from acme’s result');
    assert.equal(globex.value.headers['age'], undefined);
    assert.ok(Buffer.compare(globex.value.body, first.body) === 0);
    const other = await executions(() =>
      query('cached', { body: { ...body, where: { ...body.where, value: 31 } } }),
    );
    assert.equal(other.started, 1, 'other filters are another plan');

    const kept = await executions(() => query('cached', { body }));
    assert.equal(kept.started, 0);
    const expirations = served.app.resultCache.counts.expirations;
    await sleep(TTL_SECONDS * 1000 + 300);
    const expired = await executions(() => query('cached', { body }));
    assert.equal(expired.started, 1, 'after the TTL, Spark again');
    assert.equal(expired.value.headers['age'], undefined);
    assert.notEqual(expired.value.headers['etag'], first.headers['etag']);
    assert.ok(Buffer.compare(expired.value.body, first.body) === 0);
    assert.ok(served.app.resultCache.counts.expirations > expirations);
  });

  it('never reuses the result of a dataset without a TTL, nor sends caching headers for it', async () => {
    const first = await query('plain');
    const second = await executions(() => query('plain'));
    assert.equal(second.started, 1);
    for (const name of ['etag', 'age', 'cache-control']) assert.equal(second.value.headers[name], undefined);
    assert.ok(Buffer.compare(second.value.body, first.body) === 0);
  });

  it('sends a result larger than the spool keeps for one result whole, and does not keep it', async () => {
    const body = { orderBy: [{ column: 'id' }], limit: 30_000 };
    const expected = await query('plain', { body });
    const first = await query('cached', { body });
    assert.equal(first.status, 200);
    assert.equal(first.trailers['result-rows'], '30000');
    assert.ok(Buffer.compare(first.body, expected.body) === 0, 'the same bytes as without reuse');
    const second = await executions(() => query('cached', { body }));
    assert.equal(second.started, 1, 'a result cut at the cap is not reused');
    assert.ok(Buffer.compare(second.value.body, expected.body) === 0);
  });

  it('answers GraphQL from the result a REST request left, and REST from GraphQL’s', async () => {
    const body = { ...SPEC, where: { ...SPEC.where, value: 40 } };
    const rest = await query('cached', { body });
    assert.equal(rest.status, 200);
    const document = `{ query(dataset: "cached", where: { op: lt, column: "n", value: 40 }, orderBy: [{ column: "id" }], limit: 200) { rowCount cached rows } }`;
    const answer = await executions(() =>
      call('POST', `${served.url}/graphql`, {
        body: { query: document },
        headers: { 'x-api-key': KEYS.acme },
      }),
    );
    assert.equal(answer.value.status, 200, answer.value.text());
    const field = (answer.value.json() as { data: { query: { rowCount: number; cached: boolean } } }).data
      .query;
    assert.equal(field.cached, true);
    assert.equal(answer.started, 0);
    assert.equal(field.rowCount, rest.text().trim().split('\n').length);

    const fresh = `{ query(dataset: "cached", where: { op: lt, column: "n", value: 41 }, orderBy: [{ column: "id" }], limit: 200) { rowCount cached } }`;
    const filled = await call('POST', `${served.url}/graphql`, {
      body: { query: fresh },
      headers: { 'x-api-key': KEYS.acme },
    });
    assert.equal((filled.json() as { data: { query: { cached: boolean } } }).data.query.cached, false);
    const reused = await executions(() =>
      query('cached', { body: { ...body, where: { ...body.where, value: 41 } } }),
    );
    assert.equal(reused.started, 0);
    assert.ok(reused.value.headers['age'] !== undefined);
  });
});
