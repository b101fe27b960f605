import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Schema } from 'apache-arrow';
import { ResultCache } from '../../../src/service/result-cache.js';
import type { ResultSpool } from '../../../src/spool/spool.js';
import { removeTempDirs } from '../../helpers/temp-dirs.js';
import { payloads, readAll, same, Source, startSpool, until } from '../spool/helpers.js';

after(removeTempDirs);
const schema = new Schema([]);

/** A clock the test moves. */
function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now };
  return c;
}

/** Spools `sizes` in keep mode into the cache under `key`, read by nobody, and waits until it settles. */
async function keep(spool: ResultSpool, cache: ResultCache, key: string, sizes: number[], ttlMs = 60_000) {
  const items = payloads(sizes);
  const result = spool.spool(schema, new Source(items), { mode: 'keep' });
  const reader = cache.fill(key, result, `op-${key}`, ttlMs);
  await result.settled;
  reader.done();
  return { result, items };
}

describe('the result cache', () => {
  it('keeps a complete result for its TTL and reads it back byte for byte, counting hits and misses', async () => {
    const spool = await startSpool();
    const time = clock();
    const cache = new ResultCache(1024 ** 2, time.read);
    assert.equal(cache.take('a'), undefined);
    const { result, items } = await keep(spool, cache, 'a', [100, 200, 300], 10_000);
    const reader = cache.take('a');
    assert.ok(reader !== undefined);
    assert.equal(reader.entry.result, result);
    assert.equal(reader.entry.operationId, 'op-a');
    assert.equal(reader.entry.expiresAt - reader.entry.at, 10_000);
    assert.ok(same(await readAll(reader.entry.result.payloads()), items));
    reader.done();
    assert.equal(cache.bytes, 600);
    assert.deepEqual(cache.counts, { hits: 1, misses: 1, evictions: 0, expirations: 0 });
    await spool.close();
  });

  it('lets a result go when its TTL has passed', async () => {
    const spool = await startSpool();
    const time = clock();
    const cache = new ResultCache(1024 ** 2, time.read);
    await keep(spool, cache, 'a', [100], 5_000);
    time.now += 4_999;
    cache.take('a')?.done();
    time.now += 1;
    assert.equal(cache.take('a'), undefined);
    assert.equal(cache.counts.expirations, 1);
    await until(() => spool.stats().results === 0);
    assert.equal(cache.bytes, 0);
    await spool.close();
  });

  it('deletes an expired result by its timer, without being asked', async () => {
    const spool = await startSpool();
    const cache = new ResultCache(1024 ** 2);
    await keep(spool, cache, 'a', [100], 1);
    await until(() => cache.counts.expirations === 1, 1_000_000);
    assert.equal(cache.size, 0);
    await until(() => spool.stats().results === 0);
    await spool.close();
  });

  it('never keeps a failed result, one cut at its cap, or one larger than the cache', async () => {
    const spool = await startSpool({ resultMaxBytes: 250 });
    const cache = new ResultCache(1_000);
    const failed = spool.spool(schema, new Source(payloads([100]), { fail: new Error('boom') }), {
      mode: 'keep',
    });
    const readers = [cache.fill('failed', failed, 'op', 60_000)];
    const cut = spool.spool(schema, new Source(payloads([100, 100, 100])), { mode: 'keep' });
    readers.push(cache.fill('cut', cut, 'op', 60_000));
    await Promise.all([failed.settled, cut.settled]);
    for (const reader of readers) reader.done();
    assert.equal(failed.state, 'failed');
    assert.equal(cut.truncated, true);
    const big = await startSpool();
    const large = big.spool(schema, new Source(payloads([1_001])), { mode: 'keep' });
    const reader = cache.fill('large', large, 'op', 60_000);
    await large.settled;
    reader.done();
    await until(() => spool.stats().results === 0 && big.stats().results === 0);
    for (const key of ['failed', 'cut', 'large']) assert.equal(cache.take(key), undefined);
    assert.equal(cache.size, 0);
    await Promise.all([spool.close(), big.close()]);
  });

  it('lets the least recently used result go first, past its bound', async () => {
    const spool = await startSpool();
    const cache = new ResultCache(1_000);
    await keep(spool, cache, 'a', [400]);
    await keep(spool, cache, 'b', [400]);
    cache.take('a')?.done(); // a is now used more recently than b
    await keep(spool, cache, 'c', [400]);
    assert.equal(cache.take('b'), undefined);
    assert.ok(cache.take('a') !== undefined && cache.take('c') !== undefined);
    assert.equal(cache.counts.evictions, 1);
    assert.equal(cache.bytes, 800);
    await spool.close();
  });

  it('gives the spool its bytes back, least recently used first, when a live result needs them', async () => {
    const spool = await startSpool({ maxBytes: 1_000 });
    const cache = new ResultCache(1_000);
    spool.whenShort((bytes) => {
      cache.evict(bytes);
    });
    await keep(spool, cache, 'a', [300]);
    await keep(spool, cache, 'b', [300]);
    await keep(spool, cache, 'c', [300]);
    cache.take('a')?.done();
    // 600 more bytes than fit: b then c go, a stays.
    const live = spool.spool(schema, new Source(payloads([300, 300])), { mode: 'consume' });
    await live.settled;
    assert.equal(live.state, 'complete');
    assert.equal(cache.counts.evictions, 2);
    assert.equal(cache.take('b'), undefined);
    assert.equal(cache.take('c'), undefined);
    assert.ok(cache.take('a') !== undefined);
    assert.equal(spool.stats().fallbacks.total, 1, 'the live result waited once, for the bytes freed');
    await spool.close();
  });

  it('deletes a result let go while read only once its reader is done', async () => {
    const spool = await startSpool();
    const cache = new ResultCache(1_000);
    const { items } = await keep(spool, cache, 'a', [100, 100]);
    const reader = cache.take('a');
    assert.ok(reader !== undefined);
    cache.close();
    assert.equal(cache.take('a'), undefined);
    assert.ok(same(await readAll(reader.entry.result.payloads()), items));
    assert.equal(spool.stats().results, 1);
    reader.done();
    await until(() => spool.stats().results === 0);
    await spool.close();
  });

  it('stops a result still running when its one reader leaves, and never keeps it', async () => {
    const spool = await startSpool();
    const cache = new ResultCache(1_000);
    const source = new Source(payloads([100]), { hang: true });
    const result = spool.spool(schema, source, { mode: 'keep', stop: source.stop });
    const reader = cache.fill('a', result, 'op', 60_000);
    await until(() => result.rows > 0);
    reader.done();
    await result.settled;
    assert.equal(result.state, 'failed');
    assert.ok(source.stoppedWith !== undefined);
    await until(() => source.returned && spool.stats().results === 0);
    assert.equal(cache.take('a'), undefined);
    await spool.close();
  });
});
