import { randomBytes } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import type { ArrowPayload } from '../../../src/arrow/decode.js';
import { tempDir } from '../../helpers/temp-dirs.js';
import { ResultSpool, type SpoolConfig, type SpoolStartOptions } from '../../../src/spool/spool.js';
import type { FileSpoolStore, SpoolStore } from '../../../src/spool/store.js';

/** Payloads of random bytes: the spool never looks inside them. */
export function payloads(sizes: readonly number[]): ArrowPayload[] {
  return sizes.map((size, i) => ({ data: randomBytes(size), rowCount: BigInt(i + 1) }));
}

/**
 * A stand-in for Spark's payloads: counts what was pulled, and whether the iteration ended.
 * With `hang`, it waits after its payloads until `stop()`; with `fail`, it throws after them.
 */
export class Source implements AsyncIterable<ArrowPayload> {
  pulled = 0;
  returned = false;
  stoppedWith: Error | undefined;
  readonly #payloads: readonly ArrowPayload[];
  readonly #options: { hang?: boolean; fail?: Error };
  #abort: ((reason: Error) => void) | undefined;

  constructor(items: readonly ArrowPayload[], options: { hang?: boolean; fail?: Error } = {}) {
    this.#payloads = items;
    this.#options = options;
  }

  /** What the spool calls to make the iteration end (the execution's signal, in the service). */
  readonly stop = (reason: Error): void => {
    this.stoppedWith = reason;
    this.#abort?.(reason);
  };

  async *[Symbol.asyncIterator](): AsyncGenerator<ArrowPayload> {
    try {
      for (const payload of this.#payloads) {
        this.pulled++;
        yield payload;
      }
      if (this.#options.fail !== undefined) throw this.#options.fail;
      if (this.#options.hang === true) {
        await new Promise((_resolve, reject) => {
          this.#abort = reject;
        });
      }
    } finally {
      this.returned = true;
    }
  }
}

/** `files` as a spool store, with the methods in `replaced` instead of its own. */
export function storeOver(files: FileSpoolStore, replaced: Partial<SpoolStore>): SpoolStore {
  return {
    put: files.put.bind(files),
    get: files.get.bind(files),
    list: files.list.bind(files),
    delete: files.delete.bind(files),
    ...replaced,
  };
}

export const CONFIG: Omit<SpoolConfig, 'dir'> = {
  maxBytes: 1024 ** 3,
  resultMaxBytes: 1024 ** 3,
  memoryBytes: 0,
  chunkBytes: 1024 ** 2,
};

export function startSpool(
  config: Partial<SpoolConfig> = {},
  options: SpoolStartOptions = {},
): Promise<ResultSpool> {
  return ResultSpool.start({ ...CONFIG, dir: config.dir ?? tempDir(), ...config }, options);
}

/** Everything a reader gets. */
export async function readAll(iterable: AsyncIterable<ArrowPayload>): Promise<ArrowPayload[]> {
  const out: ArrowPayload[] = [];
  for await (const payload of iterable) out.push(payload);
  return out;
}

/** Whether two lists of payloads are the same, byte for byte. */
export function same(a: readonly ArrowPayload[], b: readonly ArrowPayload[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.rowCount === b[i]!.rowCount && Buffer.compare(p.data, b[i]!.data) === 0)
  );
}

/** Lets queued work run until `done` says so (gives up after many turns of the event loop). */
export async function until(done: () => boolean | Promise<boolean>, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await done()) return;
    await tick();
  }
  throw new Error('the condition never came true');
}
