/**
 * How much result Spark's driver is asked to hold at once. Spark builds a result in its driver
 * before sending it, whatever the reader's pace: a query ending in a LIMIT collects all its rows
 * there, any other a partition at a time. Eight concurrent million-row downloads exhaust a
 * driver of 1 GiB and stop Spark for everyone. So every query is weighed by an estimate of its
 * result (its row cap times the width of its columns) and starts while the weights of the
 * queries that Spark still sends stay within a budget; queries wait in arrival order, and one
 * heavier than the whole budget runs alone. Light queries start at once: they cannot exhaust
 * the driver, and must not wait behind downloads.
 */
import type { ColumnInfo } from '../query/columns.js';
import { typeFamily } from '../query/columns.js';

export interface ResultBudgetOptions {
  /** The weight of all heavy results Spark may be building at once. */
  readonly maxBytes: number;
  /** Results estimated at most this large are light: never counted, never waiting. */
  readonly lightBytes: number;
}

interface Waiter {
  readonly weight: number;
  readonly admit: () => void;
}

/** Gives back what {@link ResultBudget.admit} took; calling it again does nothing. */
export type Admitted = () => void;

export class ResultBudget {
  readonly #options: ResultBudgetOptions;
  #inUse = 0;
  readonly #queue: Waiter[] = [];

  constructor(options: ResultBudgetOptions) {
    this.#options = options;
  }

  /** Estimated bytes of heavy results that Spark is building now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Queries waiting for room. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits until a result of `estimate` bytes may start; fails when `signal` aborts first. */
  async admit(estimate: number, signal: AbortSignal): Promise<Admitted> {
    signal.throwIfAborted();
    if (estimate <= this.#options.lightBytes) return () => undefined;
    const weight = Math.min(estimate, this.#options.maxBytes);
    if (this.#queue.length === 0 && this.#fits(weight)) return this.#take(weight);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#queue.splice(this.#queue.indexOf(waiter), 1);
        this.#wake();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
    return this.#release(weight);
  }

  #fits(weight: number): boolean {
    return this.#inUse === 0 || this.#inUse + weight <= this.#options.maxBytes;
  }

  #take(weight: number): Admitted {
    this.#inUse += weight;
    return this.#release(weight);
  }

  #release(weight: number): Admitted {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inUse -= weight;
      this.#wake();
    };
  }

  /** Admits waiters from the front while they fit. */
  #wake(): void {
    for (let next = this.#queue[0]; next !== undefined && this.#fits(next.weight); next = this.#queue[0]) {
      this.#queue.shift();
      this.#inUse += next.weight;
      next.admit();
    }
  }
}

/** The budget for `maxBytes` of results (light ones a sixteenth of it); none for 0. */
export function resultBudget(maxBytes: number): ResultBudget | undefined {
  return maxBytes === 0 ? undefined : new ResultBudget({ maxBytes, lightBytes: Math.floor(maxBytes / 16) });
}

/** Bytes of a row, roughly as Spark holds it: fixed widths, and a guess for text and nesting. */
const FAMILY_BYTES: Record<ReturnType<typeof typeFamily>, number> = {
  boolean: 1,
  integer: 4,
  long: 8,
  fractional: 8,
  decimal: 16,
  string: 32,
  binary: 64,
  date: 4,
  timestamp: 8,
  timestamp_ntz: 8,
  time: 8,
  interval: 16,
  complex: 128,
  void: 0,
  other: 64,
};
/** Per row and per column, whatever the type: offsets and validity in Arrow, words in rows. */
const ROW_OVERHEAD = 16;
const COLUMN_OVERHEAD = 8;

/** An estimate of the bytes of `rows` rows of `columns`. */
export function estimateResultBytes(columns: readonly ColumnInfo[], rows: number): number {
  const width = columns.reduce(
    (sum, c) => sum + COLUMN_OVERHEAD + FAMILY_BYTES[typeFamily(c.type)],
    ROW_OVERHEAD,
  );
  return width * rows;
}
