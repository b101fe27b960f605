/**
 * Compressing a result body with Node's zlib: a streamed body through one compressor, flushed
 * after every chunk the encoder hands out (each ends a record batch, or 65,536 characters of
 * text), so a reader can decompress the rows Spark has produced so far; a whole body (JSON) in
 * one call.
 */
import type { Readable, Transform } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ChunkPool } from '../encode/chunk-pool.js';
import type { Coding } from './content-coding.js';

type Compression = Exclude<Coding, 'identity'>;

/** Counts the bytes a compressed body has handed out. */
interface SentBytes {
  bytes: number;
}

/** Brotli's default (11) is for static files; 4 compresses close to gzip's best, much faster. */
const BROTLI_QUALITY = 4;

/** What a compressor is here: a transform that can be flushed. */
type Compressor = Transform & { flush(kind: number, callback: () => void): void };

/** Node 22.15+'s zstd, which Node 20's type declarations do not know. */
interface ZstdZlib {
  createZstdCompress(): Compressor;
  zstdCompress(data: Buffer, callback: (error: Error | null, result: Buffer) => void): void;
  constants: { ZSTD_e_flush: number };
}
const zstd = zlib as unknown as ZstdZlib;

function compressor(coding: Compression, sizeHint?: number): { stream: Compressor; flush: number } {
  if (coding === 'gzip') return { stream: zlib.createGzip(), flush: zlib.constants.Z_SYNC_FLUSH };
  if (coding === 'br') {
    const params: Record<number, number> = { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY };
    if (sizeHint !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
    return { stream: zlib.createBrotliCompress({ params }), flush: zlib.constants.BROTLI_OPERATION_FLUSH };
  }
  return { stream: zstd.createZstdCompress(), flush: zstd.constants.ZSTD_e_flush };
}

/**
 * The chunks of `source` compressed as one stream, flushed after each chunk. The source is
 * pulled only when the compressor has taken the previous chunk and its output is read, so a
 * slow socket slows the source. The compressor's `close` (the client gone) ends the source; a
 * source that fails destroys the compressor with its error, as an uncompressed body would fail.
 * Once flushed, the compressor has read a chunk through, which then goes back to `buffers`.
 */
export function compressStream(
  source: AsyncIterable<Uint8Array>,
  coding: Compression,
  sent: SentBytes,
  buffers?: ChunkPool,
): Readable {
  const { stream, flush } = compressor(coding);
  stream.on('data', (chunk: Buffer) => {
    sent.bytes += chunk.byteLength;
  });
  // Reading starts when the response pipes the compressor; 'data' above must not start it early.
  stream.pause();
  const flushed = (): Promise<boolean> =>
    new Promise((resolve) => {
      const gone = () => {
        resolve(false);
      };
      stream.once('close', gone);
      stream.flush(flush, () => {
        stream.off('close', gone);
        resolve(!stream.destroyed);
      });
    });
  void (async () => {
    try {
      for await (const chunk of source) {
        if (stream.destroyed) break;
        stream.write(chunk);
        if (!(await flushed())) break;
        buffers?.give(chunk);
      }
      if (!stream.destroyed) stream.end();
    } catch (err) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  return stream;
}

const whole: Record<Compression, (data: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gzip),
  br: (data) =>
    promisify(zlib.brotliCompress)(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
      },
    }),
  zstd: (data) => promisify(zstd.zstdCompress.bind(zstd))(data),
};

/** A whole body compressed at once. */
export function compressWhole(data: Buffer, coding: Compression): Promise<Buffer> {
  return whole[coding](data);
}
