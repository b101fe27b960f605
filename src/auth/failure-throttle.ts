import { LRUCache } from 'lru-cache';

export interface FailureThrottleOptions {
  /** Failed attempts an address may make per window; then it is refused until the window ends. */
  readonly max: number;
  readonly windowMs: number;
  /** Addresses remembered at once (the least recently seen are forgotten first). */
  readonly maxAddresses?: number;
}

interface Window {
  count: number;
  readonly endsAt: number;
}

/**
 * Failed authentication and authorization (401, 403) counted per client address, so that
 * guessing keys or probing scopes from one address stops after `max` attempts per window:
 * the address is refused before its credentials are even looked at. Memory is bounded.
 */
export class FailureThrottle {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #windows: LRUCache<string, Window>;

  constructor(options: FailureThrottleOptions) {
    this.#max = options.max;
    this.#windowMs = options.windowMs;
    // Bounded by a count of entries rather than by `max`, for which lru-cache sets aside room
    // for every entry at once (some 2.8 MB for 100,000 addresses, before any client failed).
    this.#windows = new LRUCache({ maxSize: options.maxAddresses ?? 100_000, sizeCalculation: () => 1 });
  }

  /** Seconds until the address may try again, or undefined when it may now. */
  retryAfter(address: string, now = Date.now()): number | undefined {
    const window = this.#windows.get(address);
    if (window === undefined || window.count < this.#max) return undefined;
    if (now >= window.endsAt) {
      this.#windows.delete(address);
      return undefined;
    }
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  /** Counts one failed attempt of the address. */
  failed(address: string, now = Date.now()): void {
    const window = this.#windows.get(address);
    if (window === undefined || now >= window.endsAt) {
      this.#windows.set(address, { count: 1, endsAt: now + this.#windowMs });
    } else {
      window.count++;
    }
  }
}
