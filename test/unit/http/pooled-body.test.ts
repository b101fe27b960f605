import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { ByteSink } from '../../../src/encode/byte-sink.js';
import { ChunkPool } from '../../../src/encode/chunk-pool.js';
import { compressStream } from '../../../src/http/compress.js';
import { PooledBody } from '../../../src/http/pooled-body.js';

/** The encoders' chunk size. */
const CHUNK = 1 << 16;

/** Chunk `i` is all `i % 251`: a chunk overwritten by a later one shows. */
function fill(i: number): number {
  return i % 251;
}

interface Source {
  readonly chunks: AsyncGenerator<Uint8Array>;
  readonly state: { yielded: number; closed: boolean };
}

function source(pool: ChunkPool, count: number): Source {
  const state = { yielded: 0, closed: false };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const sink = new ByteSink(CHUNK, pool);
    try {
      for (let i = 0; i < count; i++) {
        sink.reserve(CHUNK);
        sink.buf.fill(fill(i), sink.pos, sink.pos + CHUNK);
        sink.pos += CHUNK;
        state.yielded++;
        yield sink.take();
        // Some chunks are produced later than the socket could take them, some at once.
        if (i % 7 === 0) await sleep(1);
      }
    } finally {
      state.closed = true;
    }
  }
  return { chunks: chunks(), state };
}

function check(body: Buffer, count: number): void {
  assert.equal(body.byteLength, count * CHUNK);
  for (let i = 0; i < count; i++) {
    const want = fill(i);
    const at = body.subarray(i * CHUNK, (i + 1) * CHUNK).findIndex((b) => b !== want);
    assert.equal(at, -1, `chunk ${i} holds another chunk's bytes at ${at}`);
  }
}

/** Reads a response, pausing for `pauseMs` after every `every` bytes (0: never). */
async function read(res: IncomingMessage, every: number, pauseMs: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let sincePause = 0;
  for await (const part of res) {
    parts.push(part as Buffer);
    sincePause += (part as Buffer).byteLength;
    if (every > 0 && sincePause >= every) {
      sincePause = 0;
      await sleep(pauseMs);
    }
  }
  return Buffer.concat(parts);
}

function request(base: string, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, resolve).on('error', reject);
  });
}

describe('PooledBody', () => {
  let app: FastifyInstance;
  let base: string;
  const last: { pool?: ChunkPool; source?: Source } = {};

  before(async () => {
    app = Fastify();
    app.get<{ Querystring: { count: string; gzip?: string } }>('/body', (req, reply) => {
      const pool = new ChunkPool();
      const src = source(pool, Number(req.query.count));
      last.pool = pool;
      last.source = src;
      if (req.query.gzip === undefined) return reply.send(new PooledBody(src.chunks, pool));
      return reply
        .header('content-encoding', 'gzip')
        .send(compressStream(src.chunks, 'gzip', { bytes: 0 }, pool));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  it('sends every chunk as written while a slow reader lets the socket fill, in few buffers', async () => {
    const count = 400;
    const res = await request(base, `/body?count=${count}`);
    check(await read(res, 1 << 21, 40), count);
    const allocated = last.pool?.allocated ?? NaN;
    assert.ok(allocated < count / 4, `${allocated} buffers for ${count} chunks`);
  });

  it('sends every chunk as written to a reader that keeps up, in few buffers', async () => {
    const count = 400;
    const res = await request(base, `/body?count=${count}`);
    check(await read(res, 0, 0), count);
    const allocated = last.pool?.allocated ?? NaN;
    assert.ok(allocated < count / 4, `${allocated} buffers for ${count} chunks`);
  });

  it('gives chunks back once gzip has read them; the body inflates to every chunk', async () => {
    const count = 200;
    const res = await request(base, `/body?count=${count}&gzip=1`);
    assert.equal(res.headers['content-encoding'], 'gzip');
    check(gunzipSync(await read(res, 1 << 18, 20)), count);
    const allocated = last.pool?.allocated ?? NaN;
    assert.ok(allocated <= 2, `${allocated} buffers for ${count} chunks`);
  });

  it('ends its source when the client goes away', async () => {
    const count = 100_000;
    const res = await request(base, `/body?count=${count}`);
    let got = 0;
    for await (const part of res) {
      got += (part as Buffer).byteLength;
      if (got > 4 * CHUNK) break;
    }
    const src = last.source?.state;
    for (let waited = 0; src?.closed !== true && waited < 5000; waited += 10) await sleep(10);
    assert.equal(src?.closed, true);
    assert.ok(src.yielded < count, `${src.yielded} of ${count} chunks made`);
  });
});

describe('ChunkPool', () => {
  it('hands out a buffer given back, once, and ignores buffers it did not hand out', () => {
    const pool = new ChunkPool(2);
    const a = pool.take(100);
    const b = pool.take(100);
    assert.equal(pool.allocated, 2);
    pool.give(a.subarray(0, 10));
    pool.give(a.subarray(0, 10));
    pool.give(Buffer.allocUnsafeSlow(100));
    assert.equal(pool.take(100).buffer, a.buffer);
    assert.notEqual(pool.take(100).buffer, b.buffer);
    assert.equal(pool.allocated, 3);
  });

  it('keeps at most `keep` free buffers, and only hands out one of the size asked for', () => {
    const pool = new ChunkPool(1);
    const a = pool.take(100);
    const b = pool.take(100);
    pool.give(a);
    pool.give(b);
    assert.equal(pool.take(50).byteLength, 50);
    assert.equal(pool.take(100).buffer, a.buffer);
    assert.notEqual(pool.take(100).buffer, b.buffer);
    assert.equal(pool.allocated, 4);
  });
});
