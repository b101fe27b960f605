/**
 * Buffers of one streamed body, used again once whoever sends the body has written the chunks
 * cut from them. A body of a gigabyte then allocates a few buffers instead of one per 64 KiB, and
 * the service spends less CPU on allocating and collecting them.
 *
 * A pool serves one response only, so that a chunk given back too early could garble only that
 * response's own bytes, never put one client's data into another's answer.
 */
export class ChunkPool {
  readonly #free: Buffer[] = [];
  /** Buffers handed out and not given back: only these are taken back, each once. */
  readonly #out = new WeakSet<ArrayBufferLike>();
  #allocated = 0;

  /** `keep`: most free buffers held for later. */
  constructor(private readonly keep = 4) {}

  /** Buffers this pool has allocated so far. */
  get allocated(): number {
    return this.#allocated;
  }

  /** A buffer of `bytes` bytes, of its own memory: a free one of that size, or a new one. */
  take(bytes: number): Buffer {
    const free = this.#free;
    for (let k = free.length - 1; k >= 0; k--) {
      const buf = free[k] as Buffer;
      if (buf.length === bytes) {
        free.splice(k, 1);
        this.#out.add(buf.buffer);
        return buf;
      }
    }
    const buf = Buffer.allocUnsafeSlow(bytes);
    this.#allocated++;
    this.#out.add(buf.buffer);
    return buf;
  }

  /**
   * Gives back the buffer under `chunk` (a part of a buffer this pool handed out), to be used
   * again; the caller promises nothing reads `chunk`, or any other part of that buffer, any more.
   * Anything else (a chunk of another buffer, one already given back) is left alone.
   */
  give(chunk: Uint8Array): void {
    const memory = chunk.buffer;
    if (!this.#out.has(memory)) return;
    this.#out.delete(memory);
    if (this.#free.length < this.keep) this.#free.push(Buffer.from(memory, 0, memory.byteLength));
  }
}

/** Where a `ByteSink` gets its buffers: a pool, or new memory each time. */
export interface BufferSource {
  take(bytes: number): Buffer;
}

export const freshBuffers: BufferSource = {
  take: (bytes) => Buffer.allocUnsafe(bytes),
};
