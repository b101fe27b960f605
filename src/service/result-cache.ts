/**
 * Results kept for reuse: complete, uncut results spooled in keep mode, by the key of the request
 * they answer, each until its dataset's TTL ends. They count against the spool's bytes (and the
 * cache's own bound) and are the first to go, least recently used first, when the spool needs
 * room for a live result. A result being read is deleted once its last reader is done.
 */
import type { SpooledResult } from '../spool/types.js';

/** A result the cache holds, and where it came from. */
export interface CachedResult {
  readonly key: string;
  readonly result: SpooledResult;
  /** Spark's operation that produced it. */
  readonly operationId: string;
  /** When it was produced (ms since the epoch). */
  readonly at: number;
  /** When it is no longer reused (ms since the epoch). */
  readonly expiresAt: number;
}

/** One reader of a cached (or filling) result. */
export interface CacheReader {
  readonly entry: CachedResult;
  /**
   * The reader is done with it: a result still being spooled is stopped (which stops Spark) and
   * never kept; one let go meanwhile is deleted if this was its last reader.
   */
  done(): void;
}

/** What the cache has done and holds, for the metrics. */
export interface ResultCacheCounts {
  hits: number;
  misses: number;
  /** Results let go before their time: for the spool's room or the cache's bound. */
  evictions: number;
  /** Results deleted because their time was up. */
  expirations: number;
}

interface Entry extends CachedResult {
  readers: number;
  /** filling: being spooled; kept: reused; gone: deleted once its readers are done. */
  state: 'filling' | 'kept' | 'gone';
  timer?: NodeJS.Timeout;
}

export class ResultCache {
  readonly counts: ResultCacheCounts = { hits: 0, misses: 0, evictions: 0, expirations: 0 };
  /** Most bytes of kept results; 0 keeps none. */
  readonly maxBytes: number;
  /** Kept results, least recently used first. */
  readonly #kept = new Map<string, Entry>();
  #bytes = 0;
  #closed = false;
  readonly #now: () => number;

  constructor(maxBytes: number, now: () => number = Date.now) {
    this.maxBytes = maxBytes;
    this.#now = now;
  }

  /** Bytes of the results kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Results kept. */
  get size(): number {
    return this.#kept.size;
  }

  /** A reader of the result kept for `key` (a hit), or undefined (a miss). */
  take(key: string): CacheReader | undefined {
    const entry = this.#kept.get(key);
    if (entry !== undefined && this.#now() >= entry.expiresAt) this.#drop(entry, 'expirations');
    else if (entry !== undefined) {
      this.counts.hits++;
      this.#kept.delete(key);
      this.#kept.set(key, entry);
      return this.#reader(entry);
    }
    this.counts.misses++;
    return undefined;
  }

  /**
   * Follows a result being spooled for `key`, read by the one reader returned: once it settles
   * complete, uncut and within bounds it is kept for `ttlMs` (replacing what `key` had), else
   * deleted when its reader is done.
   */
  fill(key: string, result: SpooledResult, operationId: string, ttlMs: number): CacheReader {
    const at = this.#now();
    const entry: Entry = {
      key,
      result,
      operationId,
      at,
      expiresAt: at + ttlMs,
      readers: 0,
      state: 'filling',
    };
    void result.settled.then(() => {
      this.#settled(entry, ttlMs);
    });
    return this.#reader(entry);
  }

  /** Lets go of kept results, least recently used first, until `bytes` are given back. */
  evict(bytes: number): void {
    let freed = 0;
    for (const entry of this.#kept.values()) {
      if (freed >= bytes) return;
      freed += entry.result.bytes;
      this.#drop(entry, 'evictions');
    }
  }

  /** Lets go of every kept result, and keeps none from now on (the service is stopping). */
  close(): void {
    this.#closed = true;
    for (const entry of this.#kept.values()) this.#drop(entry, 'evictions');
  }

  #settled(entry: Entry, ttlMs: number): void {
    const { result } = entry;
    if (entry.state !== 'filling') return;
    if (this.#closed || result.state !== 'complete' || result.truncated || result.bytes > this.maxBytes) {
      this.#gone(entry);
      return;
    }
    // Its time counts from when Spark finished it.
    const at = this.#now();
    Object.assign(entry, { at, expiresAt: at + ttlMs, state: 'kept' });
    const old = this.#kept.get(entry.key);
    if (old !== undefined) this.#drop(old);
    this.evict(this.#bytes + result.bytes - this.maxBytes);
    this.#kept.set(entry.key, entry);
    this.#bytes += result.bytes;
    entry.timer = setTimeout(() => {
      this.#drop(entry, 'expirations');
    }, ttlMs).unref();
  }

  #reader(entry: Entry): CacheReader {
    entry.readers++;
    let done = false;
    return {
      entry,
      done: () => {
        if (done) return;
        done = true;
        entry.readers--;
        if (entry.state === 'filling' && entry.result.state === 'running') this.#gone(entry);
        else if (entry.state === 'gone' && entry.readers === 0) void entry.result.release();
      },
    };
  }

  /** No longer reused; deleted now, or when its last reader is done. */
  #drop(entry: Entry, counted?: 'evictions' | 'expirations'): void {
    if (entry.state !== 'kept') return;
    if (counted !== undefined) this.counts[counted]++;
    this.#kept.delete(entry.key);
    this.#bytes -= entry.result.bytes;
    clearTimeout(entry.timer);
    this.#gone(entry);
  }

  #gone(entry: Entry): void {
    entry.state = 'gone';
    // A result still running is stopped even if read: its reader gets the release's error.
    if (entry.readers === 0 || entry.result.state === 'running') void entry.result.release();
  }
}
