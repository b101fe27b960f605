import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, Field, Int64 } from 'apache-arrow';
import type { ArrowPayload } from '../../../src/arrow/decode.js';
import type { Principal } from '../../../src/auth/principal.js';
import { folderOf } from '../../../src/service/statements/records.js';
import type { KeepResult, KeptResult } from '../../../src/service/statements/result-source.js';
import type { StatementOpener } from '../../../src/service/statements/running.js';
import { StatementService } from '../../../src/service/statements/service.js';
import { NO_PROGRESS, type StatementRecord } from '../../../src/service/statements/statement.js';
import type { OpenResult } from '../../../src/service/open-result.js';
import { SpoolNotFoundError, type SpoolStore } from '../../../src/spool/store.js';

const schema = new Schema([new Field('id', new Int64(), false)]);

class MemoryStore implements SpoolStore {
  readonly objects = new Map<string, Uint8Array>();
  put(key: string, data: Uint8Array | readonly Uint8Array[]) {
    this.objects.set(key, data instanceof Uint8Array ? data : Buffer.concat(data));
    return Promise.resolve();
  }
  get(key: string) {
    const data = this.objects.get(key);
    if (data === undefined) return Promise.reject(new SpoolNotFoundError(`no ${key}`));
    return Promise.resolve(data);
  }
  list(prefix: string) {
    return Promise.resolve(
      [...this.objects.keys()].filter((k) => k === prefix || k.startsWith(`${prefix}/`)),
    );
  }
  delete(prefix: string) {
    for (const key of [...this.objects.keys()])
      if (key === prefix || key.startsWith(`${prefix}/`)) this.objects.delete(key);
    return Promise.resolve();
  }
}

/** A view of a store that an instance loses when it dies: every call fails once it is cut. */
class Severable implements SpoolStore {
  cut = false;
  readonly #store: SpoolStore;
  constructor(store: SpoolStore) {
    this.#store = store;
  }
  #check() {
    return this.cut ? Promise.reject(new Error('this instance is gone')) : Promise.resolve();
  }
  put(key: string, data: Uint8Array | readonly Uint8Array[]) {
    return this.#check().then(() => this.#store.put(key, data));
  }
  get(key: string, range?: { start: number; end: number }) {
    return this.#check().then(() => this.#store.get(key, range));
  }
  list(prefix: string) {
    return this.#check().then(() => this.#store.list(prefix));
  }
  delete(prefix: string) {
    return this.#check().then(() => this.#store.delete(prefix));
  }
}

/** Keeps results in memory: complete (with no chunk) once the payloads end. */
function memoryKeep(kept: Set<string>): KeepResult {
  return (id, s, payloads) => {
    let state: KeptResult['state'] = 'running';
    let error: unknown;
    kept.add(id);
    const settled = (async () => {
      try {
        for await (const payload of payloads) if (payload.rowCount < 0n) break;
        state = 'complete';
      } catch (err) {
        [state, error] = ['failed', err];
      }
    })();
    return {
      schema: s,
      get state() {
        return state;
      },
      get error() {
        return error;
      },
      rows: 0,
      bytes: 10,
      truncated: false,
      settled,
      chunks: () => [],
      payloads: () => [][Symbol.iterator]() as unknown as AsyncIterable<ArrowPayload>,
      release: () => {
        kept.delete(id);
        return Promise.resolve();
      },
    };
  };
}

/** A result that ends when `finish` is called (or never), and notices being stopped. */
function controllable() {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let stopped = false;
  const open: StatementOpener = (signal) => {
    signal.addEventListener('abort', () => (stopped = true));
    const result: OpenResult = {
      schema,
      operationId: 'op',
      payloads: (async function* (): AsyncGenerator<ArrowPayload> {
        await Promise.race([
          finished,
          new Promise((resolve) => {
            signal.addEventListener('abort', resolve);
          }),
        ]);
        yield* [];
      })(),
      batches: [][Symbol.iterator]() as unknown as AsyncIterable<never>,
      close: () => Promise.resolve(),
    };
    return Promise.resolve(result);
  };
  return { open, finish, stopped: () => stopped };
}

const alice = { id: 'key:alice', tenant: 'acme' } as Principal;
const bob = { id: 'key:bob', tenant: 'acme' } as Principal;

function service(store: SpoolStore = new MemoryStore(), ttlMs = 60_000) {
  return new StatementService(
    store,
    memoryKeep(new Set()),
    { ttlMs, maxRows: 100, queryTimeoutMs: 10_000, maxRunning: 2, maxSpoolBytes: 1000 },
    { heartbeatMs: 20, staleMs: 200 },
  );
}

const wait = (waitMs: number) => ({ format: 'ndjson', waitMs, onWaitTimeout: 'CONTINUE' as const });

describe('StatementService', () => {
  it('answers once the statement ends within the wait, and later otherwise', async () => {
    const statements = service();
    const quick = controllable();
    quick.finish();
    const done = await statements.submit(alice, quick.open, wait(5000));
    assert.deepEqual([done.ended, done.record.state], [true, 'SUCCEEDED']);
    assert.equal(done.record.manifest?.totalRows, 0);
    const slow = controllable();
    const later = await statements.submit(alice, slow.open, wait(50));
    assert.equal(later.ended, false);
    assert.ok(['PENDING', 'RUNNING'].includes(later.record.state));
    slow.finish();
    const polled = await statements.get(alice, later.record.id, 5000);
    assert.equal(polled.state, 'SUCCEEDED');
    await statements.close();
  });

  it('stops a statement on CANCEL at the end of the wait, and on cancel', async () => {
    const statements = service();
    const a = controllable();
    const first = await statements.submit(alice, a.open, { ...wait(50), onWaitTimeout: 'CANCEL' });
    assert.deepEqual([first.ended, first.record.state, a.stopped()], [false, 'CANCELED', true]);
    const b = controllable();
    const second = await statements.submit(alice, b.open, wait(0));
    await statements.cancel(alice, second.record.id);
    assert.equal(b.stopped(), true);
    assert.equal((await statements.get(alice, second.record.id)).state, 'CANCELED');
    await statements.close();
  });

  it('hides a statement from anyone but its owner', async () => {
    const statements = service();
    const a = controllable();
    a.finish();
    const { record } = await statements.submit(alice, a.open, wait(5000));
    await assert.rejects(statements.get(bob, record.id), { code: 'STATEMENT_NOT_FOUND', statusCode: 404 });
    await assert.rejects(statements.cancel(bob, record.id), { code: 'STATEMENT_NOT_FOUND' });
    await assert.rejects(statements.result(bob, record.id), { code: 'STATEMENT_NOT_FOUND' });
    await statements.close();
  });

  it('refuses a statement over the tenant’s running bound', async () => {
    const statements = service();
    const running = [controllable(), controllable()];
    for (const r of running) await statements.submit(alice, r.open, wait(0));
    await assert.rejects(statements.submit(bob, controllable().open, wait(0)), {
      code: 'STATEMENT_QUOTA',
      statusCode: 429,
      retryAfter: 5,
    });
    await statements.submit({ id: 'key:c', tenant: 'other' } as Principal, controllable().open, wait(0));
    await statements.close();
  });

  it('lets another instance sharing the store poll it and stop it', async () => {
    const store = new MemoryStore();
    const [here, there] = [service(store), service(store)];
    const r = controllable();
    const { record } = await here.submit(alice, r.open, wait(0));
    assert.ok(['PENDING', 'RUNNING'].includes((await there.get(alice, record.id)).state));
    await there.cancel(alice, record.id);
    assert.equal((await there.get(alice, record.id, 5000)).state, 'CANCELED');
    assert.equal(r.stopped(), true);
    await Promise.all([here.close(), there.close()]);
  });

  it('expires a statement once its time is up: EXPIRED, its result gone (410)', async () => {
    const store = new MemoryStore();
    const statements = service(store, 100);
    const r = controllable();
    r.finish();
    const { record } = await statements.submit(alice, r.open, wait(5000));
    assert.equal(record.state, 'SUCCEEDED');
    await sleep(150);
    assert.equal((await statements.get(alice, record.id)).state, 'EXPIRED');
    const folder = folderOf('acme', record.id);
    const keys = [...store.objects.keys()].filter((k) => k.startsWith('shared/statements/'));
    assert.deepEqual(keys, [`${folder}/record.json`]);
    await assert.rejects(statements.result(alice, record.id), { code: 'STATEMENT_EXPIRED', statusCode: 410 });
    await statements.close();
  });

  it('counts a tenant’s running statements on every instance sharing the store', async () => {
    const store = new MemoryStore();
    const [here, there] = [service(store), service(store)];
    await here.submit(alice, controllable().open, wait(0));
    await there.submit(bob, controllable().open, wait(0));
    await assert.rejects(here.submit(alice, controllable().open, wait(0)), { code: 'STATEMENT_QUOTA' });
    await assert.rejects(there.submit(bob, controllable().open, wait(0)), { code: 'STATEMENT_QUOTA' });
    await Promise.all([here.close(), there.close()]);
  });

  it('reports a statement whose instance died FAILED (STATEMENT_LOST), and stops counting it', async () => {
    const store = new MemoryStore();
    const doomed = new Severable(store);
    const [here, there] = [service(doomed), service(store)];
    const { record } = await here.submit(alice, controllable().open, wait(0));
    await there.submit(alice, controllable().open, wait(0));
    // Its instance is alive: the statement runs, and counts.
    await sleep(300);
    assert.ok(['PENDING', 'RUNNING'].includes((await there.get(alice, record.id)).state));
    await assert.rejects(there.submit(alice, controllable().open, wait(0)), { code: 'STATEMENT_QUOTA' });
    // The instance dies: no more heartbeats, no more writes.
    doomed.cut = true;
    await sleep(300);
    const lost = await there.get(alice, record.id);
    assert.equal(lost.state, 'FAILED');
    assert.equal(lost.error?.code, 'STATEMENT_LOST');
    assert.equal(lost.error.status, 503);
    await assert.rejects(there.result(alice, record.id), { code: 'STATEMENT_NOT_READY' });
    assert.equal(there.stats().outcomes.lost, 1);
    await there.submit(alice, controllable().open, wait(0));
    await Promise.all([here.close(), there.close()]);
  });

  it('sweeps expired statements of any instance at start, and leaves live ones alone', async () => {
    const store = new MemoryStore();
    const record = (id: string, expiresAt: number): StatementRecord => ({
      id,
      owner: 'key:alice',
      tenant: 'acme',
      state: 'SUCCEEDED',
      createdAt: expiresAt - 1000,
      expiresAt,
      format: 'ndjson',
      progress: NO_PROGRESS,
    });
    const [expired, live, orphan] = ['e', 'l', 'o'].map((c) => `${c.repeat(8)}-0000-4000-8000-000000000000`);
    for (const [id, expiresAt] of [
      [expired!, Date.now() - 1],
      [live!, Date.now() + 60_000],
    ] as const) {
      await store.put(
        `${folderOf('acme', id)}/record.json`,
        Buffer.from(JSON.stringify(record(id, expiresAt))),
      );
      await store.put(`${folderOf('acme', id)}/result/0.arrows`, Buffer.from('x'));
    }
    await store.put(`${folderOf('acme', orphan!)}/result/0.arrows`, Buffer.from('x'));
    const statements = service(store);
    await sleep(100);
    const keys = [...store.objects.keys()].sort();
    assert.deepEqual(
      keys,
      [
        `${folderOf('acme', expired!)}/record.json`,
        `${folderOf('acme', live!)}/record.json`,
        `${folderOf('acme', live!)}/result/0.arrows`,
      ].sort(),
    );
    assert.equal((await statements.get(alice, expired!)).state, 'EXPIRED');
    assert.equal((await statements.get(alice, live!)).state, 'SUCCEEDED');
    await statements.close();
  });
});
