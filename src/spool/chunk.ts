/**
 * A sealed chunk of a spooled result: whole payloads, in memory or in one object of the store,
 * and where each payload lies in it.
 */
import type { ArrowPayload } from '../arrow/decode.js';
import { Errors } from '../errors/catalogue.js';
import type { SpoolTally } from './budget.js';
import { SpoolNotFoundError, type SpoolStore } from './store.js';
import type { SpoolChunk } from './types.js';

interface Entry {
  readonly offset: number;
  readonly length: number;
  readonly rowCount: bigint;
}

export class Chunk implements SpoolChunk {
  readonly index: number;
  readonly rowOffset: number;
  readonly rowCount: number;
  readonly byteCount: number;
  readonly #entries: readonly Entry[];
  /** The payloads while they are in memory (also while they are being written). */
  memory: readonly ArrowPayload[] | undefined;
  /** The key of the object holding them, once written. */
  key: string | undefined;
  /** Consume mode: read, and its data let go. */
  dropped = false;
  /** Counted in the result's share of memory. */
  resident = false;

  constructor(index: number, rowOffset: number, payloads: readonly ArrowPayload[]) {
    this.index = index;
    this.rowOffset = rowOffset;
    let offset = 0;
    let rows = 0;
    this.#entries = payloads.map((p) => {
      const entry = { offset, length: p.data.byteLength, rowCount: p.rowCount };
      offset += p.data.byteLength;
      rows += Number(p.rowCount);
      return entry;
    });
    this.rowCount = rows;
    this.byteCount = offset;
    this.memory = payloads;
  }

  get length(): number {
    return this.#entries.length;
  }

  /** What a reader is told of it. */
  view(): SpoolChunk {
    const { index, rowOffset, rowCount, byteCount } = this;
    return { index, rowOffset, rowCount, byteCount };
  }

  /** Its payloads as one object of the store. */
  async write(store: SpoolStore, key: string): Promise<void> {
    const payloads = this.memory ?? [];
    await store.put(
      key,
      payloads.map((p) => p.data),
    );
    this.key = key;
  }

  /**
   * Its `from`-th payload: from memory, or read from the store. A missing object means the
   * result was released; any other failure is SPOOL_FAILED.
   */
  async payload(store: SpoolStore, from: number, tally: SpoolTally): Promise<ArrowPayload | undefined> {
    const memory = this.memory;
    if (memory !== undefined) return memory[from];
    const key = this.key;
    const entry = this.#entries[from];
    if (key === undefined || entry === undefined) return undefined;
    let data: Uint8Array;
    try {
      data = await store.get(key, { start: entry.offset, end: entry.offset + entry.length });
    } catch (err) {
      if (err instanceof SpoolNotFoundError && this.dropped) return undefined;
      tally.diskErrors++;
      throw new Errors.SpoolFailed({ cause: err });
    }
    if (data.byteLength !== entry.length) {
      tally.diskErrors++;
      throw new Errors.SpoolFailed({ cause: new Error(`${key} is shorter than was written`) });
    }
    return { data, rowCount: entry.rowCount };
  }
}
