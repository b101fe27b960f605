/**
 * Compressed result responses over a result that the test feeds batch by batch: each coding,
 * decompressed with Node's zlib, is byte for byte the uncompressed answer; the first batch can be
 * read before the next exists; trailers, the closing `@error` line and the headers are kept.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { Int32, Table, Utf8, vectorFromArray, type RecordBatch } from 'apache-arrow';
import Fastify, { type FastifyInstance } from 'fastify';
import { acceptsIdentity, negotiateCoding, OFFERED, ZSTD_AVAILABLE } from '../../src/http/content-coding.js';
import type { Format } from '../../src/http/negotiate.js';
import { sendResult } from '../../src/http/respond.js';
import type { OpenResult } from '../../src/service/open-result.js';

const ROWS_PER_BATCH = 2000;
const batchOf = (first: number): RecordBatch => {
  const ids = Array.from({ length: ROWS_PER_BATCH }, (_, i) => first + i);
  const table = new Table({
    id: vectorFromArray(ids, new Int32()),
    label: vectorFromArray(
      ids.map((id) => `event ${id} ${['view', 'click', 'signup'][id % 3] ?? ''}`),
      new Utf8(),
    ),
  });
  const [batch] = table.batches;
  assert.ok(batch);
  return batch;
};
const BATCHES = [batchOf(0), batchOf(ROWS_PER_BATCH), batchOf(2 * ROWS_PER_BATCH)];

/** What the next request's result does after its first batch. */
let afterFirst: () => Promise<void> = () => Promise.resolve();

/** Whether the next results repeat their later batches until given up. */
let endless = false;
/** Told when a result's batches are let go (read to the end, or given up). */
let sourceEnded: () => void = () => {};

function fakeResult(): OpenResult {
  const wait = afterFirst;
  async function* batches(): AsyncGenerator<RecordBatch> {
    const [first, ...rest] = BATCHES;
    if (first === undefined) return;
    try {
      yield first;
      await wait();
      do yield* rest;
      while (endless);
    } finally {
      sourceEnded();
    }
  }
  return {
    schema: BATCHES[0]!.schema,
    batches: batches(),
    payloads: (async function* () {})(),
    operationId: 'op',
    close: () => Promise.resolve(),
  };
}

let app: FastifyInstance;
let base: string;

before(async () => {
  app = Fastify();
  app.decorateRequest('telemetry', null);
  app.get<{ Querystring: { format: Format } }>('/rows', async (request, reply) => {
    const header = request.headers['accept-encoding'];
    await sendResult(reply, fakeResult(), {
      format: request.query.format,
      limits: { maxRows: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER },
      numbers: false,
      escapeFormulas: true,
      timeoutMs: 10_000,
      compression: { coding: negotiateCoding(header), identityAccepted: acceptsIdentity(header) },
    });
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(() => app.close());

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: Buffer;
}

/** GETs a format, decompressing chunk by chunk; `onText` sees the decoded text as it grows. */
function get(
  format: Format,
  acceptEncoding?: string,
  onText?: (text: string) => void,
  signal?: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
    const options = signal === undefined ? { headers } : { headers, signal };
    const req = httpRequest(`${base}/rows?format=${format}`, options, (res) => {
      const coding = res.headers['content-encoding'];
      const decoder =
        coding === undefined
          ? undefined
          : coding === 'gzip'
            ? zlib.createGunzip()
            : coding === 'br'
              ? zlib.createBrotliDecompress()
              : (zlib as unknown as { createZstdDecompress(): zlib.Gunzip }).createZstdDecompress();
      const decoded: Buffer[] = [];
      const take = (chunk: Buffer) => {
        decoded.push(chunk);
        onText?.(Buffer.concat(decoded).toString('utf8'));
      };
      res.on('data', (chunk: Buffer) => {
        if (decoder === undefined) take(chunk);
        else decoder.write(chunk);
      });
      decoder?.on('data', take);
      res.on('error', reject);
      res.on('end', () => {
        const done = () => {
          resolve({ headers: res.headers, trailers: res.trailers, body: Buffer.concat(decoded) });
        };
        if (decoder === undefined) done();
        else decoder.end(done);
        decoder?.on('error', reject);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Accept-Encoding negotiation', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0.2, identity;q=0.5', 'identity'],
    ['identity', 'identity'],
    ['compress, deflate', 'identity'],
    ['gzip;q=0, *', OFFERED[0]!],
    ['*', OFFERED[0]!],
    ['GZIP;Q=0.7', 'gzip'],
    ['identity;q=0, gzip;q=0.1', 'gzip'],
    ['zstd', ZSTD_AVAILABLE ? 'zstd' : 'identity'],
    ['zstd, br, gzip', ZSTD_AVAILABLE ? 'zstd' : 'br'],
  ];
  for (const [header, coding] of cases) {
    it(`${JSON.stringify(header)} gets ${coding}`, () => {
      assert.equal(negotiateCoding(header), coding);
    });
  }

  it('refuses with 406 a header that refuses identity and every coding offered', () => {
    for (const header of [
      'identity;q=0',
      '*;q=0',
      'compress, identity;q=0',
      'br;q=0, gzip;q=0, zstd;q=0, *;q=0',
    ]) {
      assert.throws(() => negotiateCoding(header), { statusCode: 406 }, header);
      assert.equal(acceptsIdentity(header), false, header);
    }
    assert.equal(acceptsIdentity(undefined), true);
    assert.equal(acceptsIdentity('gzip'), true);
  });

  it('offers zstd exactly where the runtime’s zlib has it', () => {
    const has = typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';
    assert.equal(ZSTD_AVAILABLE, has);
    assert.deepEqual(OFFERED, has ? ['zstd', 'br', 'gzip', 'identity'] : ['br', 'gzip', 'identity']);
  });
});

describe('compressed results', () => {
  const codings = OFFERED.filter((c) => c !== 'identity');

  for (const format of ['ndjson', 'csv', 'json'] as const) {
    it(`${format}: every coding decompresses to the uncompressed bytes`, async () => {
      const plain = await get(format);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.match(plain.headers.vary ?? '', /accept-encoding/i);
      assert.ok(plain.body.byteLength > 100_000);
      for (const coding of codings) {
        const answer = await get(format, coding);
        assert.equal(answer.headers['content-encoding'], coding);
        assert.match(answer.headers.vary ?? '', /accept-encoding/i);
        assert.ok(answer.body.equals(plain.body), `${format} ${coding}`);
        if (format === 'json') {
          assert.equal(answer.headers['result-rows'], String(3 * ROWS_PER_BATCH));
        } else {
          assert.deepEqual(
            [answer.trailers['result-rows'], answer.trailers['result-truncated']],
            [String(3 * ROWS_PER_BATCH), 'false'],
          );
        }
      }
    });
  }

  for (const coding of codings) {
    it(
      `${coding}: the first batch's rows decompress before the next batch exists`,
      { timeout: 30_000 },
      async () => {
        let release!: () => void;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let waiting = false;
        afterFirst = () => {
          waiting = true;
          return released;
        };
        const lastOfFirst = `{"id":${ROWS_PER_BATCH - 1},`;
        let seenWhileWaiting = false;
        const answer = await get('ndjson', coding, (text) => {
          if (!seenWhileWaiting && text.includes(lastOfFirst)) {
            seenWhileWaiting = waiting;
            release();
          }
        });
        afterFirst = () => Promise.resolve();
        assert.equal(seenWhileWaiting, true);
        assert.equal(answer.body.toString('utf8').split('\n').length - 1, 3 * ROWS_PER_BATCH);
      },
    );
  }

  it('an @error last line survives compression, with the trailers', async () => {
    afterFirst = () => Promise.reject(new Error('the source broke'));
    try {
      for (const coding of codings) {
        const answer = await get('ndjson', coding);
        const lines = answer.body.toString('utf8').trimEnd().split('\n');
        assert.equal(lines.length, ROWS_PER_BATCH + 1, coding);
        const last = JSON.parse(lines.at(-1) ?? '') as { '@error'?: { status: number } };
        assert.equal(last['@error']?.status, 500, coding);
        assert.equal(answer.trailers['result-rows'], String(ROWS_PER_BATCH), coding);
      }
    } finally {
      afterFirst = () => Promise.resolve();
    }
  });

  for (const coding of codings) {
    it(`${coding}: a client gone mid-stream ends the source`, { timeout: 30_000 }, async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      afterFirst = () => released;
      endless = true;
      const ended = new Promise<void>((resolve) => {
        sourceEnded = resolve;
      });
      const controller = new AbortController();
      await assert.rejects(
        get(
          'ndjson',
          coding,
          (text) => {
            if (text.includes('\n')) controller.abort();
          },
          controller.signal,
        ),
        { name: 'AbortError' },
      );
      release();
      await ended;
      endless = false;
      sourceEnded = () => {};
      afterFirst = () => Promise.resolve();
    });
  }
});
