import { freshBuffers, type BufferSource } from './chunk-pool.js';

/**
 * A buffer that text encoders write bytes into directly, handed out in chunks. Writing each
 * value's bytes where they go saves building a string per row and encoding it again, which
 * is most of what a string-based encoder spends.
 *
 * The fields are public so that hot loops can write single bytes without a call; whoever does
 * so calls `reserve` first.
 */
export class ByteSink {
  buf: Buffer;
  pos = 0;
  readonly #capacity: number;
  readonly #buffers: BufferSource;

  /**
   * `chunkBytes`: about how much is written before a chunk is taken (see `full`). `buffers`:
   * where the buffers that chunks are cut from come from (a `ChunkPool` takes them back).
   */
  constructor(
    readonly chunkBytes: number,
    buffers: BufferSource = freshBuffers,
  ) {
    this.#capacity = chunkBytes + (chunkBytes >> 2);
    this.#buffers = buffers;
    this.buf = buffers.take(this.#capacity);
  }

  /** Whether a chunk's worth has been written. */
  get full(): boolean {
    return this.pos >= this.chunkBytes;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.#grow(1);
    this.buf[this.pos++] = b;
  }

  /** A string known to hold only ASCII (numbers, ISO-8601 text, base64, JSON punctuation). */
  ascii(text: string): void {
    this.asciiRange(text, 0, text.length);
  }

  /** Characters `start` to `end` of a string known to hold only ASCII there. */
  asciiRange(text: string, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.#grow(n);
    const buf = this.buf;
    let at = this.pos;
    for (let k = start; k < end; k++) buf[at++] = text.charCodeAt(k);
    this.pos = at;
  }

  /** Any string, as UTF-8 (lone surrogates become U+FFFD, as `Buffer.from` does). */
  text(text: string): void {
    const most = text.length * 3;
    if (this.pos + most > this.buf.length) this.#grow(most);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Bytes `start` to `end` of `source`. */
  copy(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.#grow(n);
    const buf = this.buf;
    if (n < 32) {
      let at = this.pos;
      for (let k = start; k < end; k++) buf[at++] = source[k] as number;
    } else {
      buf.set(source.subarray(start, end), this.pos);
    }
    this.pos += n;
  }

  /**
   * What was written since the last `take`, as a buffer of its own; the sink starts afresh. A
   * short chunk is copied out so that it does not hold the whole buffer while it waits to be sent.
   * A long one is the start of the sink's buffer, which the sink leaves to it: the next chunk is
   * written into another from its source.
   */
  take(): Buffer {
    if (this.pos < this.chunkBytes >> 1) {
      const chunk = Buffer.allocUnsafe(this.pos);
      this.buf.copy(chunk, 0, 0, this.pos);
      this.pos = 0;
      return chunk;
    }
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = this.#buffers.take(this.#capacity);
    this.pos = 0;
    return chunk;
  }

  #grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** `text`'s UTF-8 bytes, for constants written many times (keys, separators). */
export function utf8Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
