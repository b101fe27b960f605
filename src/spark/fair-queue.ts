/**
 * Who takes a pooled session next: at most `capacity` turns at once and `perPrincipal` of them
 * for any one principal, with the requests that wait served round-robin across principals.
 */
import { PoolExhaustedError, PrincipalBusyError } from './pool-errors.js';

/** Why a request had to wait: its principal held its share, or every session was taken. */
export type WaitReason = 'principal_cap' | 'pool_full';

export interface FairQueueOptions {
  /** Turns at once (the pool's most sessions). */
  readonly capacity: number;
  /** Turns at once of one principal (at most `capacity`). */
  readonly perPrincipal: number;
  /** How long a request waits for its turn before it is refused. */
  readonly timeoutMs: number;
}

/** A request's right to a session, held until released (releasing twice is harmless). */
export interface Turn {
  release(): void;
}

interface Waiter {
  readonly grant: () => void;
  readonly fail: (err: Error) => void;
}

/**
 * Turns are granted at once while the principal is under its share and a session is free.
 * Otherwise the request waits in its principal's line; when a turn comes free it goes to the
 * first principal in rotation order that is under its share, which then moves to the back.
 * So a principal with fifty requests waiting and one with a single request alternate, and a
 * principal at its share never takes a session from anyone else.
 */
export class FairQueue {
  readonly #options: FairQueueOptions;
  readonly #held = new Map<string, number>();
  /** The lines of waiting requests by principal, in rotation order. */
  readonly #lines = new Map<string, Waiter[]>();
  #inUse = 0;
  #closed: Error | undefined;
  readonly #waits: Record<WaitReason, number> = { principal_cap: 0, pool_full: 0 };

  constructor(options: FairQueueOptions) {
    this.#options = {
      ...options,
      perPrincipal: Math.max(1, Math.min(options.perPrincipal, options.capacity)),
    };
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    let count = 0;
    for (const line of this.#lines.values()) count += line.length;
    return count;
  }

  /** Requests that had to wait, by why they waited when they arrived. */
  get waits(): Readonly<Record<WaitReason, number>> {
    return { ...this.#waits };
  }

  /** Turns a principal holds now. */
  heldBy(principal: string): number {
    return this.#held.get(principal) ?? 0;
  }

  /**
   * Waits for the principal's turn. Fails with {@link PrincipalBusyError} when the wait times
   * out while the principal holds its share (one smaller than the pool), with
   * {@link PoolExhaustedError} when it times out otherwise, and with the signal's reason when
   * the caller gives up.
   */
  enter(principal: string, signal?: AbortSignal): Promise<Turn> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    // Nobody under their share waits while a session is free (#dispatch sees to it).
    if (this.#mayTake(principal)) return Promise.resolve(this.#take(principal));
    this.#waits[this.#atShare(principal) ? 'principal_cap' : 'pool_full']++;
    return new Promise<Turn>((resolve, reject) => {
      // A signal of its own, so any number of waiters may share the caller's.
      const listening = signal === undefined ? undefined : AbortSignal.any([signal]);
      const stop = (err: Error) => {
        this.#leave(principal, waiter);
        settle();
        reject(err);
      };
      const onAbort = () => {
        stop(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        stop(this.#timedOut(principal));
      }, this.#options.timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        listening?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          settle();
          resolve(this.#take(principal));
        },
        fail: stop,
      };
      listening?.addEventListener('abort', onAbort, { once: true });
      const line = this.#lines.get(principal);
      if (line === undefined) this.#lines.set(principal, [waiter]);
      else line.push(waiter);
      this.#dispatch();
    });
  }

  /** Refuses every request waiting and every later one with `error`. */
  close(error: Error): void {
    this.#closed = error;
    for (const line of [...this.#lines.values()]) {
      for (const waiter of [...line]) waiter.fail(error);
    }
  }

  #mayTake(principal: string): boolean {
    return this.#inUse < this.#options.capacity && this.heldBy(principal) < this.#options.perPrincipal;
  }

  #take(principal: string): Turn {
    this.#inUse++;
    this.#held.set(principal, this.heldBy(principal) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inUse--;
        const held = this.heldBy(principal) - 1;
        if (held === 0) this.#held.delete(principal);
        else this.#held.set(principal, held);
        this.#dispatch();
      },
    };
  }

  /** Grants free turns to the first principals in rotation order that are under their share. */
  #dispatch(): void {
    while (this.#inUse < this.#options.capacity) {
      const next = [...this.#lines].find(([principal]) => this.#mayTake(principal));
      if (next === undefined) return;
      const [principal, line] = next;
      const waiter = line.shift();
      if (waiter === undefined) return;
      // Served: to the back of the rotation (or out of it, with nobody left waiting).
      this.#lines.delete(principal);
      if (line.length > 0) this.#lines.set(principal, line);
      waiter.grant();
    }
  }

  #leave(principal: string, waiter: Waiter): void {
    const line = this.#lines.get(principal);
    if (line === undefined) return;
    const at = line.indexOf(waiter);
    if (at >= 0) line.splice(at, 1);
    if (line.length === 0) this.#lines.delete(principal);
  }

  /** Whether the principal holds its share, when the share is less than every session. */
  #atShare(principal: string): boolean {
    const { perPrincipal, capacity } = this.#options;
    return perPrincipal < capacity && this.heldBy(principal) >= perPrincipal;
  }

  #timedOut(principal: string): Error {
    return this.#atShare(principal)
      ? new PrincipalBusyError(this.heldBy(principal))
      : new PoolExhaustedError(`all ${this.#options.capacity} Spark sessions are busy`);
  }
}
