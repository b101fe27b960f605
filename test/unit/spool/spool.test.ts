import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Schema } from 'apache-arrow';
import type { ArrowPayload } from '../../../src/arrow/decode.js';
import { memoryReleaser, RELEASABLE_BYTES } from '../../../src/arrow/payload-memory.js';
import { FileSpoolStore } from '../../../src/spool/store.js';
import { READ_BYTES } from '../../../src/spool/chunk.js';
import { SpoolReleasedError } from '../../../src/spool/result.js';
import { payloads, readAll, same, Source, startSpool, storeOver, until } from './helpers.js';
import { removeTempDirs, tempDir } from '../../helpers/temp-dirs.js';

after(removeTempDirs);
const schema = new Schema([]);

/** The keys of a spool directory, heartbeats left out. */
async function files(dir: string): Promise<string[]> {
  return (await new FileSpoolStore(dir).list('')).filter((k) => !k.endsWith('/heartbeat'));
}

describe('the result spool', () => {
  it('keeps the first SPOOL_MEMORY_BYTES in memory, then whole payloads in files of at most SPOOL_CHUNK_BYTES', async () => {
    const dir = tempDir();
    const spool = await startSpool({ dir, memoryBytes: 6_000, chunkBytes: 3_000 });
    const sizes = [...Array<number>(9).fill(1_000), 10_000, ...Array<number>(5).fill(1_000)];
    const items = payloads(sizes);
    const result = spool.spool(schema, new Source(items), { mode: 'keep', id: 'r1' });
    await result.settled;
    assert.equal(result.state, 'complete');
    assert.deepEqual(
      result.chunks().map((c) => c.byteCount),
      [3_000, 3_000, 3_000, 10_000, 3_000, 2_000],
    );
    const rows = items.map((p) => Number(p.rowCount));
    let offset = 0;
    let next = 0;
    for (const chunk of result.chunks()) {
      assert.equal(chunk.rowOffset, offset);
      const count = chunk.byteCount === 10_000 ? 1 : chunk.byteCount / 1_000;
      assert.equal(
        chunk.rowCount,
        rows.slice(next, next + count).reduce((a, b) => a + b, 0),
      );
      next += count;
      offset += chunk.rowCount;
    }
    assert.equal(result.rows, offset);
    assert.equal(result.bytes, 24_000);
    // Two chunks fit in memory; the others are files.
    const folder = (await files(dir))[0]!.split('/')[0]!;
    assert.deepEqual(await files(dir), [2, 3, 4, 5].map((i) => `${folder}/r1/${i}`).sort());
    assert.deepEqual(
      { ...spool.stats(), fallbacks: undefined },
      {
        memoryBytes: 6_000,
        diskBytes: 18_000,
        results: 1,
        diskErrors: 0,
        writtenBytes: 18_000,
        fallbacks: undefined,
      },
    );
    // Byte for byte, as often as asked, whole or by chunks.
    assert.ok(same(await readAll(result.payloads()), items));
    assert.ok(same(await readAll(result.payloads()), items));
    assert.ok(same(await readAll(result.payloads({ from: 3, to: 5 })), items.slice(9, 13)));
    await result.release();
    assert.deepEqual(await files(dir), []);
    assert.deepEqual(spool.stats(), {
      memoryBytes: 0,
      diskBytes: 0,
      results: 0,
      diskErrors: 0,
      // A count since the start: releasing the result does not take it back.
      writtenBytes: 18_000,
      fallbacks: { result: 0, total: 0 },
    });
    await spool.close();
  });

  it('reads payloads back from a file as the reader gets to them, at most READ_BYTES at once unless one is larger', async () => {
    const dir = tempDir();
    const files = new FileSpoolStore(dir);
    const reads: number[] = [];
    const store = storeOver(files, {
      get: (key, range) => {
        reads.push(range === undefined ? -1 : range.end - range.start);
        return files.get(key, range);
      },
    });
    const kib = READ_BYTES / 1024;
    const spool = await startSpool({ dir, memoryBytes: 0, chunkBytes: 2 * READ_BYTES }, { store });
    // 0.7 and 0.4 of a read do not fit in one together, 0.4 and 0.3 do; the last is larger than a read.
    const sizes = [0.7, 0.4, 0.3, 0.9, 1.5].map((share) => Math.round(share * kib) * 1024);
    const items = payloads(sizes);
    const result = spool.spool(schema, new Source(items), { mode: 'keep' });
    await result.settled;
    assert.deepEqual(
      result.chunks().map((c) => c.byteCount),
      [sizes[0]! + sizes[1]! + sizes[2]!, sizes[3]!, sizes[4]!],
    );
    const groups = [[0], [1, 2], [3], [4]];
    const reader = result.payloads()[Symbol.asyncIterator]();
    const got: ArrowPayload[] = [];
    for (const [i, item] of items.entries()) {
      const next = await reader.next();
      if (next.done === true) assert.fail(`the reader ended after ${got.length} payloads`);
      // Read when asked for: a slow reader holds what it is about to take, not the rest of the file.
      const started = groups.filter((g) => g[0]! <= i);
      const bytes = (g: number[]) => g.reduce((n, k) => n + sizes[k]!, 0);
      assert.deepEqual(reads, started.map(bytes));
      assert.equal(next.value.data.buffer.byteLength, bytes(started.at(-1)!));
      assert.equal(next.value.data.byteLength, item.data.byteLength);
      got.push(next.value);
    }
    assert.equal((await reader.next()).done, true);
    assert.ok(same(got, items));
    await result.release();
    await spool.close();
  });

  it('consume mode: a reader gets payloads as they come, and what it read is deleted', async () => {
    const dir = tempDir();
    const spool = await startSpool({ dir, chunkBytes: 1_000 });
    const items = payloads(Array<number>(20).fill(1_000));
    const result = spool.spool(schema, new Source(items), { mode: 'consume' });
    await result.settled;
    assert.equal((await files(dir)).length, 20);
    const reader = result.payloads()[Symbol.asyncIterator]();
    const got: ArrowPayload[] = [];
    for (let i = 0; i < 11; i++) {
      const next = await reader.next();
      assert.equal(next.done, false);
      got.push(next.value);
    }
    await until(async () => (await files(dir)).length === 10);
    assert.throws(() => result.payloads(), /read once/);
    for (;;) {
      const next = await reader.next();
      if (next.done === true) break;
      got.push(next.value);
    }
    assert.ok(same(got, items));
    await until(async () => (await files(dir)).length === 0);
    await result.release();
    assert.equal(spool.stats().results, 0);
    await spool.close();
  });

  it('consume mode at the per-result cap: Spark is held until the reader makes room, and nothing is lost', async () => {
    const spool = await startSpool({ resultMaxBytes: 5_000, chunkBytes: 2_000 });
    const items = payloads(Array<number>(20).fill(1_000));
    const source = new Source(items);
    const result = spool.spool(schema, source, { mode: 'consume' });
    await until(() => spool.stats().fallbacks.result === 1);
    // Five payloads spooled; the sixth waits for room, and nothing more was asked of Spark.
    assert.equal(result.bytes, 5_000);
    assert.equal(source.pulled, 6);
    assert.equal(result.state, 'running');
    assert.ok(same(await readAll(result.payloads()), items));
    assert.equal(result.state, 'complete');
    assert.equal(source.returned, true);
    await result.release();
    await spool.close();
  });

  it('consume mode with the whole spool full: the drain waits for space, then completes', async () => {
    const spool = await startSpool({ maxBytes: 3_000, chunkBytes: 1_000 });
    const items = payloads(Array<number>(10).fill(1_000));
    const result = spool.spool(schema, new Source(items), { mode: 'consume' });
    await until(() => spool.stats().fallbacks.total === 1);
    assert.equal(result.bytes, 3_000);
    assert.ok(same(await readAll(result.payloads()), items));
    await result.release();
    await spool.close();
  });

  it('keep mode: a result reaching the per-result cap is cut there, and Spark stopped', async () => {
    const spool = await startSpool({ resultMaxBytes: 5_500 });
    const items = payloads(Array<number>(20).fill(1_000));
    const source = new Source(items);
    const result = spool.spool(schema, source, { mode: 'keep', stop: source.stop });
    await result.settled;
    assert.equal(result.state, 'complete');
    assert.equal(result.truncated, true);
    assert.equal(result.bytes, 5_000);
    assert.ok(same(await readAll(result.payloads()), items.slice(0, 5)));
    await until(() => source.returned);
    assert.equal(spool.stats().fallbacks.result, 0);
    await result.release();
    await spool.close();
  });

  it('keep mode with the whole spool full: waits until another result is released', async () => {
    const spool = await startSpool({ maxBytes: 5_000 });
    const first = spool.spool(schema, new Source(payloads(Array<number>(5).fill(1_000))), { mode: 'keep' });
    await first.settled;
    const items = payloads([1_000, 1_000, 1_000]);
    const second = spool.spool(schema, new Source(items), { mode: 'keep' });
    await until(() => spool.stats().fallbacks.total === 1);
    assert.equal(second.state, 'running');
    // A result holding nothing takes one payload, so none waits on itself.
    assert.equal(second.bytes, 1_000);
    await first.release();
    await second.settled;
    assert.equal(second.truncated, false);
    assert.ok(same(await readAll(second.payloads()), items));
    await second.release();
    await spool.close();
  });

  it('a payload larger than a chunk is a chunk of its own, and larger than a cap still passes', async () => {
    const spool = await startSpool({ chunkBytes: 1_000, resultMaxBytes: 1_500, maxBytes: 1_500 });
    const items = payloads([5_000, 100, 5_000]);
    const result = spool.spool(schema, new Source(items), { mode: 'consume' });
    assert.ok(same(await readAll(result.payloads()), items));
    assert.deepEqual(
      result.chunks().map((c) => c.byteCount),
      [5_000, 100, 5_000],
    );
    await result.release();
    await spool.close();
  });

  it('a failing store fails the result: readers get what came before, then SPOOL_FAILED, never a clean end', async () => {
    const dir = tempDir();
    const files = new FileSpoolStore(dir);
    let writes = 0;
    const store = storeOver(files, {
      put: async (key, data) => {
        if (!key.endsWith('heartbeat') && ++writes === 3) throw new Error('EIO: i/o error, write');
        await files.put(key, data);
      },
    });
    const spool = await startSpool({ dir, chunkBytes: 1_000 }, { store });
    const items = payloads(Array<number>(10).fill(1_000));
    const source = new Source(items);
    const result = spool.spool(schema, source, { mode: 'keep', stop: source.stop });
    await result.settled;
    assert.equal(result.state, 'failed');
    assert.equal((result.error as { code: string }).code, 'SPOOL_FAILED');
    assert.equal((result.error as { statusCode: number }).statusCode, 503);
    assert.equal(spool.stats().diskErrors, 1);
    await until(() => source.returned);
    assert.ok(source.stoppedWith !== undefined);
    const got: ArrowPayload[] = [];
    await assert.rejects(
      (async () => {
        for await (const payload of result.payloads()) got.push(payload);
      })(),
      (err: unknown) => (err as { code?: string }).code === 'SPOOL_FAILED',
    );
    assert.ok(got.length >= 2 && got.length < items.length);
    assert.ok(same(got, items.slice(0, got.length)));
    await result.release();
    assert.ok((await files.list('')).every((key) => key.endsWith('/heartbeat')));
    await spool.close();
  });

  it('a file that cannot be read is SPOOL_FAILED for the reader', async () => {
    const dir = tempDir();
    const files = new FileSpoolStore(dir);
    const store = storeOver(files, {
      get: () => Promise.reject(new Error('EIO: i/o error, read')),
    });
    const spool = await startSpool({ dir, chunkBytes: 1_000 }, { store });
    const result = spool.spool(schema, new Source(payloads([1_000, 1_000])), { mode: 'consume' });
    await result.settled;
    await assert.rejects(
      readAll(result.payloads()),
      (err: unknown) => (err as { code?: string }).code === 'SPOOL_FAILED',
    );
    assert.equal(spool.stats().diskErrors, 1);
    await result.release();
    await spool.close();
  });

  it('a failing source fails the result after the payloads before the failure', async () => {
    const spool = await startSpool({ chunkBytes: 1_000 });
    const items = payloads([1_000, 1_000, 1_000]);
    const boom = new Error('Spark failed');
    const result = spool.spool(schema, new Source(items, { fail: boom }), { mode: 'keep' });
    const got: ArrowPayload[] = [];
    await assert.rejects(
      (async () => {
        for await (const payload of result.payloads()) got.push(payload);
      })(),
      (err: unknown) => err === boom,
    );
    assert.ok(same(got, items));
    assert.equal(result.state, 'failed');
    await result.release();
    await spool.close();
  });

  it('release stops a drain that still runs, deletes the files and fails waiting readers', async () => {
    const dir = tempDir();
    const spool = await startSpool({ dir, chunkBytes: 1_000 });
    const source = new Source(payloads([1_000, 1_000, 1_000]), { hang: true });
    const result = spool.spool(schema, source, { mode: 'keep', stop: source.stop });
    await until(async () => (await files(dir)).length === 2);
    const reading = readAll(result.payloads()).then(
      () => 'ended cleanly',
      (err: unknown) => err,
    );
    await result.release();
    assert.ok(source.stoppedWith instanceof SpoolReleasedError);
    await until(() => source.returned);
    assert.ok((await reading) instanceof SpoolReleasedError);
    assert.deepEqual(await files(dir), []);
    assert.deepEqual(spool.stats().memoryBytes + spool.stats().diskBytes, 0);
    await spool.close();
  });
  it('frees the memory of payloads once their chunk is in a file, unless a reader took them from memory', async () => {
    const size = RELEASABLE_BYTES;
    const { items, copies } = releasable(12, size);
    let more!: () => void;
    const allowed = new Promise<void>((resolve) => {
      more = resolve;
    });
    async function* source(): AsyncGenerator<ArrowPayload> {
      yield items[0]!;
      await allowed;
      yield* items.slice(1);
    }
    const spool = await startSpool({ memoryBytes: 0, chunkBytes: 3 * size });
    const result = spool.spool(schema, source(), { mode: 'consume' });
    // The reader takes the first payload while its chunk is still being filled, then falls behind.
    const reader = result.payloads()[Symbol.asyncIterator]();
    const first = await reader.next();
    assert.equal(first.done, false);
    more();
    await result.settled;
    assert.equal(spool.stats().writtenBytes, 12 * size);
    // The first chunk was written too, but the reader may still be using what it took.
    assert.deepEqual(
      items.map((p) => p.data.byteLength),
      [size, size, size, ...Array<number>(9).fill(0)],
    );
    const got = [first.value];
    for (let next = await reader.next(); next.done !== true; next = await reader.next()) got.push(next.value);
    assert.ok(same(got, copies));
    await spool.close();
  });

  it('keeps the memory of payloads a reader took while their chunk was being written', async () => {
    const size = RELEASABLE_BYTES;
    const { items, copies } = releasable(6, size);
    const dir = tempDir();
    const files = new FileSpoolStore(dir);
    let writeFirst!: () => void;
    const firstMayWrite = new Promise<void>((resolve) => {
      writeFirst = resolve;
    });
    let writing = false;
    const store = storeOver(files, {
      put: async (key, data) => {
        if (key.endsWith('/0')) {
          writing = true;
          await firstMayWrite;
        }
        await files.put(key, data);
      },
    });
    const spool = await startSpool({ dir, memoryBytes: 0, chunkBytes: 3 * size }, { store });
    const result = spool.spool(schema, new Source(items), { mode: 'keep' });
    await until(() => writing);
    const reader = result.payloads()[Symbol.asyncIterator]();
    const got: ArrowPayload[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await reader.next();
      assert.equal(next.done, false);
      got.push(next.value);
    }
    writeFirst();
    await result.settled;
    assert.deepEqual(
      items.map((p) => p.data.byteLength),
      [size, size, size, 0, 0, 0],
    );
    for (let next = await reader.next(); next.done !== true; next = await reader.next()) got.push(next.value);
    assert.ok(same(got, copies));
    await result.release();
    await spool.close();
  });

  it('keeps the memory of the chunks it holds in memory, and every reader gets every byte', async () => {
    const size = RELEASABLE_BYTES;
    const { items, copies } = releasable(9, size);
    const spool = await startSpool({ memoryBytes: 3 * size, chunkBytes: 3 * size });
    const result = spool.spool(schema, new Source(items), { mode: 'keep' });
    await result.settled;
    assert.deepEqual(
      items.map((p) => p.data.byteLength),
      [size, size, size, ...Array<number>(6).fill(0)],
    );
    assert.ok(same(await readAll(result.payloads()), copies));
    assert.ok(same(await readAll(result.payloads()), copies));
    await result.release();
    await spool.close();
  });
});

/**
 * Payloads of random bytes, each in memory of its own that it can free, and copies of them to
 * compare with once freed.
 */
function releasable(count: number, size: number): { items: ArrowPayload[]; copies: ArrowPayload[] } {
  const copies = payloads(Array<number>(count).fill(size));
  const items = copies.map((p) => {
    const data = Buffer.allocUnsafeSlow(size);
    data.set(p.data);
    return { data, rowCount: p.rowCount, release: memoryReleaser(data) };
  });
  return { items, copies };
}
