/** A session lent by the pool to one request, and given back when the request is done. */
import type { SparkSession } from './session.js';

/** A session borrowed from the pool; release it on every path (`await using`). */
export class Lease implements AsyncDisposable {
  readonly session: SparkSession;
  /** Aborts when the caller aborts, or when the pool stops waiting for this lease at shutdown. */
  readonly signal: AbortSignal;
  readonly #giveBack: (lease: Lease, end: 'discard' | 'retire' | undefined) => Promise<void>;
  #end: 'discard' | 'retire' | undefined;
  #released: Promise<void> | undefined;

  constructor(
    session: SparkSession,
    signal: AbortSignal,
    giveBack: (lease: Lease, end: 'discard' | 'retire' | undefined) => Promise<void>,
  ) {
    this.session = session;
    this.signal = signal;
    this.#giveBack = giveBack;
  }

  /** The session is no longer usable (the server forgot it): close it instead of reusing it. */
  discard(): void {
    this.#end = 'discard';
  }

  /**
   * The session's state may have changed (the caller's own SQL ran on it): when released, it
   * is closed on the server rather than lent to anyone else.
   */
  retire(): void {
    this.#end ??= 'retire';
  }

  release(): Promise<void> {
    this.#released ??= this.#giveBack(this, this.#end);
    return this.#released;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
