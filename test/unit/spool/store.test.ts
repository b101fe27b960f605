import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileSpoolStore, SpoolNotFoundError } from '../../../src/spool/store.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempStore(): { dir: string; store: FileSpoolStore } {
  const dir = mkdtempSync(join(tmpdir(), 'spool-store-'));
  dirs.push(dir);
  return { dir, store: new FileSpoolStore(dir) };
}

describe('FileSpoolStore', () => {
  it('gives back what was put, whole or by byte range (end exclusive)', async () => {
    const { store } = tempStore();
    const data = randomBytes(10_000);
    await store.put('a/b/c', data);
    assert.deepEqual(Buffer.from(await store.get('a/b/c')), data);
    assert.deepEqual(
      Buffer.from(await store.get('a/b/c', { start: 1234, end: 5678 })),
      data.subarray(1234, 5678),
    );
    assert.equal((await store.get('a/b/c', { start: 10_000, end: 10_000 })).byteLength, 0);
    await assert.rejects(store.get('a/b/c', { start: 9_000, end: 10_001 }), RangeError);
  });

  it('stores several parts as one object, in order, however many and however large', async () => {
    const { store } = tempStore();
    // More parts than one system call takes, empty ones among them, and parts of megabytes.
    const parts = Array.from({ length: 3000 }, (_, i) =>
      randomBytes(i % 7 === 0 ? 0 : i % 500 === 1 ? 3 * 1024 ** 2 : (i * 37) % 4096),
    );
    await store.put('parts', parts);
    const whole = Buffer.concat(parts);
    assert.ok(whole.byteLength > 6 * 1024 ** 2);
    assert.deepEqual(Buffer.from(await store.get('parts')), whole);
    // Parts that are views into one larger buffer are written as the views, not the buffer.
    const backing = randomBytes(1024);
    const views = [backing.subarray(100, 200), backing.subarray(0, 50), backing.subarray(1000)];
    await store.put('views', views);
    assert.deepEqual(Buffer.from(await store.get('views')), Buffer.concat(views));
    await store.put('none', []);
    assert.equal((await store.get('none')).byteLength, 0);
  });

  it('says when an object is absent', async () => {
    const { store } = tempStore();
    await assert.rejects(store.get('nothing/here'), SpoolNotFoundError);
  });

  it('puts atomically: a reader sees nothing or the whole object, never a part', async () => {
    const { dir, store } = tempStore();
    const data = randomBytes(64 * 1024 ** 2);
    const writing = store.put('big', data);
    const state = { done: false };
    void writing.then(() => {
      state.done = true;
    });
    const seen = new Set<string>();
    while (!state.done) {
      try {
        const got = await store.get('big');
        assert.equal(got.byteLength, data.byteLength);
        seen.add('whole');
      } catch (err) {
        assert.ok(err instanceof SpoolNotFoundError, String(err));
        seen.add('absent');
      }
      assert.ok((await store.list('')).every((key) => key === 'big'));
    }
    await writing;
    assert.deepEqual(Buffer.from(await store.get('big')), data);
    // No temporary file is left behind.
    assert.deepEqual(readdirSync(dir), ['big']);
    // Replacing it: readers see the old or the new object, whole.
    const next = randomBytes(data.byteLength);
    const replacing = store.put('big', next);
    const got = Buffer.from(await store.get('big'));
    assert.ok(got.equals(data) || got.equals(next));
    await replacing;
    assert.deepEqual(Buffer.from(await store.get('big')), next);
  });

  it('lists the keys under a prefix, and nothing for a prefix that is absent', async () => {
    const { store } = tempStore();
    for (const key of ['x/1', 'x/2', 'x/y/3', 'z/1']) await store.put(key, Buffer.from(key));
    assert.deepEqual(await store.list(''), ['x/1', 'x/2', 'x/y/3', 'z/1']);
    assert.deepEqual(await store.list('x'), ['x/1', 'x/2', 'x/y/3']);
    assert.deepEqual(await store.list('x/y'), ['x/y/3']);
    assert.deepEqual(await store.list('nope'), []);
  });

  it('deletes a key, or everything under a prefix', async () => {
    const { store } = tempStore();
    for (const key of ['x/1', 'x/2', 'x/y/3', 'z/1']) await store.put(key, Buffer.from(key));
    await store.delete('x/1');
    assert.deepEqual(await store.list(''), ['x/2', 'x/y/3', 'z/1']);
    await store.delete('x');
    assert.deepEqual(await store.list(''), ['z/1']);
    await store.delete('absent');
    assert.deepEqual(await store.list(''), ['z/1']);
  });

  it('refuses keys that would leave its directory', async () => {
    const { store } = tempStore();
    for (const key of ['../x', 'a/../../x', '/abs', 'a//b', '', 'a/./b']) {
      await assert.rejects(store.put(key, Buffer.from('x')), /not a spool key/);
      await assert.rejects(store.delete(key), /not a spool key/);
    }
  });
});
