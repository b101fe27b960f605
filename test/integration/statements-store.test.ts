/**
 * A spool store that fails, as a broken disk or object store would: reading a statement's result
 * answers 503 SPOOL_FAILED before any header is sent (never a hang, never a 500), and a
 * statement whose result cannot be written ends FAILED with SPOOL_FAILED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileSpoolStore, type SpoolStore } from '../../src/spool/store.js';
import { call, serve, type Served } from '../helpers/http.js';
import { STATEMENT_DATASETS, submit, type Statement } from '../helpers/statements.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

/** Files under a directory, but for the keys a pattern names while it is set. */
class FailingStore implements SpoolStore {
  failGets: RegExp | undefined;
  failPuts: RegExp | undefined;
  readonly #files: FileSpoolStore;
  constructor(dir: string) {
    this.#files = new FileSpoolStore(dir);
  }
  put(key: string, data: Uint8Array | readonly Uint8Array[]) {
    if (this.failPuts?.test(key) === true) return Promise.reject(new Error(`EIO: cannot write ${key}`));
    return this.#files.put(key, data);
  }
  get(key: string, range?: { start: number; end: number }) {
    if (this.failGets?.test(key) === true) return Promise.reject(new Error(`EIO: cannot read ${key}`));
    return this.#files.get(key, range);
  }
  list(prefix: string) {
    return this.#files.list(prefix);
  }
  delete(prefix: string) {
    return this.#files.delete(prefix);
  }
}

let served: Served;
let store: FailingStore;

before(async () => {
  const dir = tempDir();
  store = new FailingStore(dir);
  served = await serve({ SPOOL_DIR: dir }, STATEMENT_DATASETS, { spoolStore: store });
});
after(async () => {
  await served.close();
  removeTempDirs();
});

function assertSpoolFailed(answer: { status: number; headers: Record<string, unknown>; json(): unknown }) {
  assert.equal(answer.status, 503);
  assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
  const problem = answer.json() as { code: string; status: number };
  assert.deepEqual([problem.code, problem.status], ['SPOOL_FAILED', 503]);
}

describe('a spool store that fails', () => {
  it('answers a read of a statement’s result 503 SPOOL_FAILED, and serves it again once the store is back', async () => {
    const answer = await submit(served.url, {
      dataset: 'nums',
      query: { limit: 1000 },
      waitTimeoutMs: 50_000,
    });
    const statement = answer.json() as Statement;
    assert.equal(statement.state, 'SUCCEEDED', answer.text());
    const result = `${served.url}/v1/statements/${statement.id}/result`;
    // Its chunks cannot be read: a Range is measured before the headers go.
    store.failGets = /\/result\/\d+\.arrows$/;
    assertSpoolFailed(await call('GET', result, { headers: { range: 'bytes=0-9' } }));
    assertSpoolFailed(await call('GET', `${result}/chunks/0`, { headers: { range: 'bytes=5-' } }));
    // Nothing of it can be read.
    store.failGets = /\/result\//;
    assertSpoolFailed(await call('GET', result));
    store.failGets = undefined;
    const whole = await call('GET', `${result}?format=ndjson`);
    assert.equal(whole.status, 200);
    assert.equal(whole.text().split('\n').length - 1, 1000);
    const ranged = await call('GET', result, { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206);
  });

  it('ends a statement whose result cannot be written FAILED with SPOOL_FAILED', async () => {
    store.failPuts = /\/result\//;
    try {
      const answer = await submit(served.url, {
        dataset: 'nums',
        query: { limit: 10 },
        waitTimeoutMs: 50_000,
      });
      const statement = answer.json() as Statement;
      assert.equal(statement.state, 'FAILED', answer.text());
      assert.equal(statement.error?.code, 'SPOOL_FAILED');
      const read = await call('GET', `${served.url}/v1/statements/${statement.id}/result`);
      assert.equal(read.status, 409);
    } finally {
      store.failPuts = undefined;
    }
  });
});
