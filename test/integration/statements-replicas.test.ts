/**
 * Two instances sharing one SPOOL_DIR serve each other's statements: polls, results, and a
 * DELETE on one stops the job the other runs. Statements expire after STATEMENT_TTL_MS.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, serve, type Served } from '../helpers/http.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';
import {
  assertJobsStop,
  filesOf,
  jobRuns,
  pollUntil,
  STATEMENT_DATASETS,
  submit,
  type Statement,
} from '../helpers/statements.js';

let one: Served;
let two: Served;
let short: Served;
let spoolDir: string;
let shortDir: string;

before(async () => {
  const dir = tempDir();
  spoolDir = join(dir, 'shared');
  shortDir = join(dir, 'short');
  const env = { SPOOL_DIR: spoolDir, SPOOL_CHUNK_BYTES: '65536', SPOOL_MEMORY_BYTES: '0' };
  [one, two, short] = await Promise.all([
    serve(env, STATEMENT_DATASETS),
    serve(env, STATEMENT_DATASETS),
    serve(
      { SPOOL_DIR: shortDir, STATEMENT_TTL_MS: '5000', STATEMENTS_MAX_SPOOL_BYTES: '1' },
      STATEMENT_DATASETS,
    ),
  ]);
});
after(async () => {
  await Promise.all([one, two, short].map((s) => s.close()));
  removeTempDirs();
});

describe('statements on two instances sharing a spool', () => {
  it('one answers polls and serves results of a statement the other ran', async () => {
    const answer = await submit(one.url, { dataset: 'slow', waitTimeoutMs: 0 });
    assert.equal(answer.status, 202);
    const { id } = answer.json() as Statement;
    const seen = await pollUntil(two.url, id, ['SUCCEEDED', 'FAILED']);
    assert.equal(seen.at(-1)!.state, 'SUCCEEDED');
    const manifest = seen.at(-1)!.manifest!;
    for (const chunk of manifest.chunks) {
      const [here, there] = await Promise.all([
        call('GET', `${one.url}${chunk.href}`),
        call('GET', `${two.url}${chunk.href}`),
      ]);
      assert.equal(there.status, 200, there.text());
      assert.equal(there.text(), here.text());
      assert.equal(there.headers['etag'], here.headers['etag']);
    }
    const whole = await call('GET', `${two.url}/v1/statements/${id}/result?format=ndjson`);
    assert.equal(whole.text().split('\n').length - 1, 1000);
  });

  it('a DELETE on one stops the job the other runs', async () => {
    const requestId = `replica-delete-${randomUUID()}`;
    const answer = await submit(
      one.url,
      { dataset: 'endless', waitTimeoutMs: 0 },
      { 'request-id': requestId },
    );
    const { id } = answer.json() as Statement;
    await jobRuns(requestId);
    const deleted = await call('DELETE', `${two.url}/v1/statements/${id}`);
    assert.equal(deleted.status, 204);
    await assertJobsStop(requestId);
    const seen = await pollUntil(two.url, id, ['CANCELED']);
    assert.equal(seen.at(-1)!.state, 'CANCELED');
    assert.equal(
      ((await call('GET', `${one.url}/v1/statements/${id}`)).json() as Statement).state,
      'CANCELED',
    );
    assert.deepEqual(filesOf(spoolDir, id), []);
  });
});

describe('expiry', () => {
  it('expires a statement after STATEMENT_TTL_MS: EXPIRED, its result gone (410), its bytes freed', async () => {
    const answer = await submit(short.url, { dataset: 'nums', query: { limit: 100 }, waitTimeoutMs: 50_000 });
    const statement = answer.json() as Statement;
    assert.equal(statement.state, 'SUCCEEDED');
    assert.equal((await call('GET', `${short.url}/v1/statements/${statement.id}/result`)).status, 200);
    // Its result holds the tenant's bytes (STATEMENTS_MAX_SPOOL_BYTES=1) until it expires.
    const over = await submit(short.url, { dataset: 'nums', query: { limit: 1 } });
    assert.equal(over.status, 429, over.text());
    assert.match((over.json() as { detail: string }).detail, /STATEMENTS_MAX_SPOOL_BYTES/);
    await sleep(Math.max(0, Date.parse(statement.expiresAt) - Date.now()) + 100);
    const expired = (await call('GET', `${short.url}/v1/statements/${statement.id}`)).json() as Statement;
    assert.equal(expired.state, 'EXPIRED');
    assert.equal(expired.manifest, undefined);
    for (const path of ['result', 'result/chunks/0']) {
      const gone = await call('GET', `${short.url}/v1/statements/${statement.id}/${path}`);
      assert.equal(gone.status, 410);
      assert.equal((gone.json() as { code: string }).code, 'STATEMENT_EXPIRED');
    }
    assert.deepEqual(filesOf(shortDir, statement.id), []);
    assert.equal((await submit(short.url, { dataset: 'nums', query: { limit: 1 } })).status, 200);
  });
});
