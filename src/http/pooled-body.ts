/**
 * A streamed response body whose chunks go back to their `ChunkPool` once the response has
 * written them out.
 *
 * The body is piped into the response, which gives no word when it is done with a chunk. It is
 * done with every chunk handed to it when it holds no bytes waiting to be written
 * (`writableLength` is 0: none buffered, none in a write the socket has not finished). That is
 * looked at after each chunk has had a turn of the event loop to be written, and whenever the
 * response drains. Only an `http.ServerResponse` is trusted to mean this; piped into anything
 * else, the body gives nothing back.
 */
import { OutgoingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ChunkPool } from '../encode/chunk-pool.js';

export class PooledBody extends Readable {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #pool: ChunkPool;
  #dest: OutgoingMessage | undefined;
  /** Chunks handed to the response and not yet known to be written. */
  #handed: Uint8Array[] = [];
  #looking = false;

  constructor(source: AsyncIterable<Uint8Array>, pool: ChunkPool) {
    super({ highWaterMark: 1 });
    this.#source = source[Symbol.asyncIterator]();
    this.#pool = pool;
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const piped = super.pipe(destination, options);
    const first = this.listenerCount('data') === 1;
    if (first && destination instanceof OutgoingMessage) {
      const dest = destination;
      this.#dest = dest;
      // After the pipe's own listener has written the chunk to the response.
      this.on('data', (chunk: Uint8Array) => {
        this.#handed.push(chunk);
        this.#lookSoon();
      });
      const drained = () => {
        this.#look();
      };
      dest.on('drain', drained);
      this.once('close', () => dest.off('drain', drained));
    } else {
      // Piped twice, or into something else: who reads which chunk is not known.
      this.#dest = undefined;
      this.#handed = [];
    }
    return piped;
  }

  override _read(): void {
    this.#source.next().then(
      (step) => {
        this.push(step.done === true ? null : step.value);
      },
      (err: unknown) => {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#dest = undefined;
    this.#handed = [];
    // Ends the source as leaving a for-await loop would: its `finally` blocks close the batches.
    Promise.resolve(this.#source.return?.()).then(
      () => {
        process.nextTick(callback, error);
      },
      (err: unknown) => {
        process.nextTick(callback, error ?? (err instanceof Error ? err : new Error(String(err))));
      },
    );
  }

  #lookSoon(): void {
    if (this.#looking) return;
    this.#looking = true;
    setImmediate(() => {
      this.#looking = false;
      this.#look();
    });
  }

  #look(): void {
    const dest = this.#dest;
    if (dest === undefined || this.#handed.length === 0 || dest.writableLength !== 0) return;
    for (const chunk of this.#handed) this.#pool.give(chunk);
    this.#handed = [];
  }
}
