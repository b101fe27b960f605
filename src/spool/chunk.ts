/**
 * A sealed chunk of a spooled result: whole payloads, in memory or in one object of the store,
 * and where each payload lies in it.
 */
import type { ArrowPayload } from '../arrow/decode.js';
import { Errors } from '../errors/catalogue.js';
import type { SpoolTally } from './budget.js';
import { SpoolNotFoundError, type SpoolStore } from './store.js';
import type { SpoolChunk } from './types.js';

/** Most bytes read back from the store at once, unless one payload is larger. */
export const READ_BYTES = 1024 ** 2;

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
  /** A reader took payloads of it from memory: their bytes may still be in use there. */
  lent = false;

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
   * Once written: its payloads are read from the store from now on. Their memory is freed at
   * once, unless a reader took them from memory.
   */
  leaveMemory(): void {
    const memory = this.memory;
    this.memory = undefined;
    if (this.lent || memory === undefined) return;
    for (const payload of memory) payload.release?.();
  }

  /**
   * Its payloads from the `from`-th on, as many as one read of the store takes: from memory, or
   * read from the store in one range of at most `READ_BYTES` (or the one payload, if larger). A
   * reader slower than Spark then holds what it is about to read, not the rest of the chunk. A
   * missing object means the result was released; any other failure is SPOOL_FAILED.
   */
  async payloads(store: SpoolStore, from: number, tally: SpoolTally): Promise<readonly ArrowPayload[]> {
    const memory = this.memory;
    if (memory !== undefined) {
      this.lent = true;
      return memory.slice(from);
    }
    const key = this.key;
    const entries = this.#entries;
    const first = entries[from];
    if (key === undefined || first === undefined) return [];
    let to = from + 1;
    let end = first.offset + first.length;
    for (let next = entries[to]; next !== undefined; next = entries[++to]) {
      if (next.offset + next.length - first.offset > READ_BYTES) break;
      end = next.offset + next.length;
    }
    let data: Uint8Array;
    try {
      data = await store.get(key, { start: first.offset, end });
    } catch (err) {
      if (err instanceof SpoolNotFoundError && this.dropped) return [];
      tally.diskErrors++;
      throw new Errors.SpoolFailed({ cause: err });
    }
    if (data.byteLength !== end - first.offset) {
      tally.diskErrors++;
      throw new Errors.SpoolFailed({ cause: new Error(`${key} is shorter than was written`) });
    }
    return entries.slice(from, to).map((e) => ({
      data: data.subarray(e.offset - first.offset, e.offset - first.offset + e.length),
      rowCount: e.rowCount,
    }));
  }
}
