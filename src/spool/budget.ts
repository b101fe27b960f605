/**
 * The spool's shared accounts: the byte budget over all results (with a way to wait for space),
 * and the figures the metrics read.
 */

/** Wakes whoever waits for the next change; a waiter that comes later waits for the one after. */
export class Wakeup {
  #next: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  /** Resolves at the next `notify()`. */
  next(): Promise<void> {
    this.#next ??= new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    return this.#next;
  }

  notify(): void {
    const wake = this.#wake;
    this.#next = this.#wake = undefined;
    wake?.();
  }
}

/** Why a drain waited instead of spooling: its own result's cap, or the whole spool's. */
export type FallbackReason = 'result' | 'total';

/** What the spool holds and has done, for the metrics. */
export interface SpoolTally {
  /** Bytes of Spark's payloads held in memory. */
  memoryBytes: number;
  /** Bytes of Spark's payloads held in files. */
  diskBytes: number;
  /** Results spooled and not yet released. */
  results: number;
  /** Times a drain waited for space, as Spark's own backpressure would make it, by reason. */
  readonly fallbacks: Record<FallbackReason, number>;
  /** Writes, reads or deletions the store failed. */
  diskErrors: number;
  /** Bytes written to files since the start (results whose readers fell behind). */
  writtenBytes: number;
}

/** The bytes every result of a spool may hold together. */
export class SpoolBudget {
  readonly max: number;
  used = 0;
  /** Notified whenever bytes are given back. */
  readonly freed = new Wakeup();
  readonly tally: SpoolTally = {
    memoryBytes: 0,
    diskBytes: 0,
    results: 0,
    fallbacks: { result: 0, total: 0 },
    diskErrors: 0,
    writtenBytes: 0,
  };

  /**
   * Told how many bytes are missing when some do not fit, to let go of what can go (results kept
   * for reuse); what it gives back wakes the waiting drains.
   */
  short: ((bytes: number) => void) | undefined;

  constructor(max: number) {
    this.max = max;
  }

  /** Whether `bytes` more fit. */
  fits(bytes: number): boolean {
    if (this.used + bytes <= this.max) return true;
    this.short?.(this.used + bytes - this.max);
    return false;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    if (bytes === 0) return;
    this.used -= bytes;
    this.freed.notify();
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the promise is left to settle unheard). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
