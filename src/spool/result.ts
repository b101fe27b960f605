/**
 * One spooled result: a drain that takes Spark's payloads as fast as Spark sends them, into
 * memory and then into chunks in the store, within the spool's budget; and readers that take
 * them at their own pace. When the budget is spent the drain waits, which holds Spark as it
 * would be held without a spool (consume mode), or cuts the result (keep mode, per-result cap).
 */
import type { Schema } from 'apache-arrow';
import type { ArrowPayload } from '../arrow/decode.js';
import { Errors } from '../errors/catalogue.js';
import { untilAborted, Wakeup, type FallbackReason, type SpoolBudget } from './budget.js';
import { Chunk } from './chunk.js';
import type { SpoolStore } from './store.js';
import type { ReadOptions, SpoolChunk, SpooledResult, SpoolMode, SpoolOptions } from './types.js';

/** The bounds of one result. */
export interface ResultLimits {
  /** Sealed chunks kept in memory, per result, before chunks go to the store. */
  readonly memoryBytes: number;
  /** Most bytes of one chunk (a larger payload is a chunk of its own). */
  readonly chunkBytes: number;
  /** Most bytes one result holds. */
  readonly resultMaxBytes: number;
}

/** Where a result keeps its data, and whom it tells when it is gone. */
export interface ResultHome {
  readonly store: SpoolStore;
  /** The result's folder in the store. */
  readonly prefix: string;
  readonly budget: SpoolBudget;
  readonly limits: ResultLimits;
  readonly forget: (result: DrainedResult) => void;
}

/** The result was released: its data is gone. */
export class SpoolReleasedError extends Error {
  override readonly name = 'SpoolReleasedError';
}

export class DrainedResult implements SpooledResult {
  readonly id: string;
  readonly schema: Schema;
  readonly settled: Promise<void>;
  readonly #mode: SpoolMode;
  readonly #home: ResultHome;
  #state: SpooledResult['state'] = 'running';
  #error: unknown;
  #rows = 0;
  #bytes = 0;
  #truncated = false;
  /** Bytes counted against the budget: all of them (keep), those not yet read (consume). */
  #held = 0;
  /** Bytes of sealed chunks kept in memory. */
  #resident = 0;
  readonly #chunks: Chunk[] = [];
  #open: ArrowPayload[] = [];
  #openBytes = 0;
  /** A reader took payloads of the chunk being filled. */
  #openLent = false;
  readonly #changed = new Wakeup();
  readonly #freed = new Wakeup();
  readonly #stop = new AbortController();
  #released: Promise<void> | undefined;
  #releasedBy: Error | undefined;
  /** Consume mode: whether the one reader came, and how far it has read. */
  #reading = false;
  #readAt = { index: 0, within: 0 };

  constructor(
    id: string,
    schema: Schema,
    payloads: AsyncIterable<ArrowPayload>,
    options: SpoolOptions,
    home: ResultHome,
  ) {
    this.id = id;
    this.schema = schema;
    this.#mode = options.mode;
    this.#home = home;
    this.settled = this.#drain(payloads, options.stop);
  }

  get state(): SpooledResult['state'] {
    return this.#state;
  }
  get error(): unknown {
    return this.#error;
  }
  get rows(): number {
    return this.#rows;
  }
  get bytes(): number {
    return this.#bytes;
  }
  get truncated(): boolean {
    return this.#truncated;
  }

  chunks(): readonly SpoolChunk[] {
    return this.#chunks.map((c) => c.view());
  }

  async #drain(payloads: AsyncIterable<ArrowPayload>, stop: SpoolOptions['stop']): Promise<void> {
    const iterator = payloads[Symbol.asyncIterator]();
    let ended = false;
    try {
      for (;;) {
        const next = await untilAborted(iterator.next(), this.#stop.signal).catch((err: unknown) => {
          if (!this.#stop.signal.aborted) ended = true;
          throw err;
        });
        if (next.done === true) {
          ended = true;
          break;
        }
        const size = next.value.data.byteLength;
        if (!(await this.#admit(size))) break;
        if (this.#openBytes > 0 && this.#openBytes + size > this.#home.limits.chunkBytes) await this.#seal();
        this.#append(next.value);
      }
      if (this.#open.length > 0) await this.#seal();
      this.#state = 'complete';
    } catch (err) {
      this.#state = 'failed';
      this.#error = this.#releasedBy ?? err;
    } finally {
      if (!ended) {
        const reason = this.#releasedBy ?? (this.#error instanceof Error ? this.#error : new Error('cut'));
        stop?.(reason);
        iterator.return?.().catch(() => undefined);
      }
      this.#changed.notify();
    }
  }

  /**
   * Waits until `size` more bytes fit: the result's cap and the spool's. A result holding
   * nothing always takes one payload, so a payload larger than a cap still passes. Keep mode
   * cuts the result at its cap instead of waiting (false).
   */
  async #admit(size: number): Promise<boolean> {
    const { budget, limits } = this.#home;
    let waitingFor: FallbackReason | undefined;
    for (;;) {
      this.#stop.signal.throwIfAborted();
      const empty = this.#held === 0;
      const overResult = !empty && this.#held + size > limits.resultMaxBytes;
      if (overResult && this.#mode === 'keep') {
        this.#truncated = true;
        return false;
      }
      const overTotal = !empty && !budget.fits(size);
      if (!overResult && !overTotal) {
        budget.take(size);
        this.#held += size;
        return true;
      }
      const reason = overResult ? 'result' : 'total';
      if (waitingFor !== reason) budget.tally.fallbacks[reason]++;
      waitingFor = reason;
      await untilAborted(Promise.race([this.#freed.next(), budget.freed.next()]), this.#stop.signal);
    }
  }

  #append(payload: ArrowPayload): void {
    this.#open.push(payload);
    this.#openBytes += payload.data.byteLength;
    this.#rows += Number(payload.rowCount);
    this.#bytes += payload.data.byteLength;
    this.#home.budget.tally.memoryBytes += payload.data.byteLength;
    this.#changed.notify();
  }

  /** Seals the chunk being filled: dropped if already read, kept in memory if it fits, else written. */
  async #seal(): Promise<void> {
    const { budget, limits, store, prefix } = this.#home;
    const chunk = new Chunk(this.#chunks.length, this.#rows - openRows(this.#open), this.#open);
    chunk.lent = this.#openLent;
    this.#open = [];
    this.#openBytes = 0;
    this.#openLent = false;
    this.#chunks.push(chunk);
    const at = this.#readAt;
    if (this.#mode === 'consume' && at.index === chunk.index && at.within >= chunk.length) {
      this.#drop(chunk);
      return;
    }
    if (this.#resident + chunk.byteCount <= limits.memoryBytes) {
      this.#resident += chunk.byteCount;
      chunk.resident = true;
      return;
    }
    try {
      await chunk.write(store, `${prefix}/${chunk.index}`);
    } catch (err) {
      budget.tally.diskErrors++;
      throw new Errors.SpoolFailed({ cause: err });
    }
    if (chunk.dropped) {
      await this.#delete(`${prefix}/${chunk.index}`);
      return;
    }
    chunk.leaveMemory();
    budget.tally.memoryBytes -= chunk.byteCount;
    budget.tally.diskBytes += chunk.byteCount;
    budget.tally.writtenBytes += chunk.byteCount;
    this.#changed.notify();
  }

  /** Lets go of a chunk's data (consume mode, once read). */
  #drop(chunk: Chunk): void {
    if (chunk.dropped) return;
    chunk.dropped = true;
    const { tally } = this.#home.budget;
    if (chunk.memory !== undefined) {
      tally.memoryBytes -= chunk.byteCount;
      if (chunk.resident) this.#resident -= chunk.byteCount;
      chunk.memory = undefined;
    } else if (chunk.key !== undefined) {
      tally.diskBytes -= chunk.byteCount;
      void this.#delete(chunk.key);
    }
  }

  async #delete(key: string): Promise<void> {
    await this.#home.store.delete(key).catch(() => {
      this.#home.budget.tally.diskErrors++;
    });
  }

  /** Consume mode: a payload was read, its bytes no longer count. */
  #consumed(bytes: number): void {
    this.#held -= bytes;
    this.#home.budget.give(bytes);
    this.#freed.notify();
  }

  payloads(options: ReadOptions = {}): AsyncIterable<ArrowPayload> {
    if (this.#mode === 'consume') {
      if (this.#reading) throw new Error(`result ${this.id} is read once`);
      this.#reading = true;
    }
    return this.#read(options.from ?? 0, options.to ?? Infinity, options.signal);
  }

  async *#read(from: number, to: number, signal: AbortSignal | undefined): AsyncGenerator<ArrowPayload> {
    const consume = this.#mode === 'consume';
    let index = from;
    let within = 0;
    const advance = (payload: ArrowPayload) => {
      within++;
      if (!consume) return;
      this.#readAt = { index, within };
      this.#consumed(payload.data.byteLength);
    };
    for (;;) {
      this.#checkReleased();
      if (index >= to) return;
      const chunk = this.#chunks[index];
      if (chunk !== undefined) {
        while (!chunk.dropped && within < chunk.length) {
          const read = await chunk.payloads(this.#home.store, within, this.#home.budget.tally);
          if (read.length === 0) break;
          for (const payload of read) {
            this.#checkReleased();
            yield payload;
            advance(payload);
          }
        }
        if (consume) this.#drop(chunk);
        index++;
        within = 0;
        if (consume) this.#readAt = { index, within };
        continue;
      }
      const payload = index === this.#chunks.length ? this.#open[within] : undefined;
      if (payload !== undefined) {
        this.#openLent = true;
        yield payload;
        advance(payload);
        continue;
      }
      if (this.#state === 'complete') return;
      if (this.#state === 'failed') throw this.#error;
      await untilAborted(this.#changed.next(), signal);
    }
  }

  #checkReleased(): void {
    if (this.#releasedBy !== undefined) throw this.#releasedBy;
  }

  /** Stops the drain if it still runs, and deletes the data. Readers get `reason` (or a release error). */
  release(reason?: Error): Promise<void> {
    this.#released ??= (async () => {
      this.#releasedBy = reason ?? new SpoolReleasedError(`result ${this.id} was released`);
      this.#stop.abort(this.#releasedBy);
      this.#changed.notify();
      await this.settled;
      const { budget, store, prefix } = this.#home;
      budget.give(this.#held);
      this.#held = 0;
      for (const chunk of this.#chunks) {
        if (chunk.dropped) continue;
        if (chunk.memory !== undefined) budget.tally.memoryBytes -= chunk.byteCount;
        else budget.tally.diskBytes -= chunk.byteCount;
        chunk.dropped = true;
        chunk.memory = undefined;
      }
      budget.tally.memoryBytes -= this.#openBytes;
      this.#open = [];
      this.#openBytes = 0;
      if (this.#chunks.some((c) => c.key !== undefined)) {
        await store.delete(prefix).catch(() => {
          budget.tally.diskErrors++;
        });
      }
      this.#home.forget(this);
    })();
    return this.#released;
  }
}

function openRows(payloads: readonly ArrowPayload[]): number {
  return payloads.reduce((n, p) => n + Number(p.rowCount), 0);
}
