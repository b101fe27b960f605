/** The result cache's metrics: what it reused, missed and let go, and what it keeps. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ResultCacheCounts } from './metric-shapes.js';

const OUTCOMES = ['hit', 'miss', 'eviction', 'expiration'] as const;

/** Registers the cache's counter and gauge, read from `cache` at scrape time. */
export function cacheMetrics(prefix: string, registers: Registry[], cache: () => ResultCacheCounts): void {
  new Counter({
    name: `${prefix}result_cache_total`,
    help: 'Requests answered from a kept result (hit) or not (miss), and kept results let go early for room (eviction) or at their TTL (expiration).',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const counts = cache();
      const values = [counts.hits, counts.misses, counts.evictions, counts.expirations];
      OUTCOMES.forEach((outcome, i) => {
        this.inc({ outcome }, values[i] ?? 0);
      });
    },
  });
  new Gauge({
    name: `${prefix}result_cache_bytes`,
    help: 'Bytes of the results kept for reuse (part of the spool’s).',
    registers,
    collect() {
      this.set(cache().bytes);
    },
  });
}
