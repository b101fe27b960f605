import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResultCacheCounts } from '../../../src/observability/metric-shapes.js';
import { ServiceMetrics } from '../../../src/observability/metrics.js';
import { ExecutionStats } from '../../../src/spark/stats.js';

/** The value of one sample line of the text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the result cache’s metrics', () => {
  it('read what the cache reused, missed and let go when scraped', async () => {
    let counts: ResultCacheCounts = { hits: 5, misses: 3, evictions: 2, expirations: 1, bytes: 4_096 };
    const metrics = new ServiceMetrics({
      pools: () => ({}),
      executions: new ExecutionStats(),
      graphql: () => undefined,
      resultCache: () => counts,
    });
    const P = 'spark_data_api_result_cache';
    let text = await metrics.text();
    assert.equal(sample(text, `${P}_total{outcome="hit"}`), 5);
    assert.equal(sample(text, `${P}_total{outcome="miss"}`), 3);
    assert.equal(sample(text, `${P}_total{outcome="eviction"}`), 2);
    assert.equal(sample(text, `${P}_total{outcome="expiration"}`), 1);
    assert.equal(sample(text, `${P}_bytes`), 4_096);
    counts = { ...counts, hits: 6, bytes: 0 };
    text = await metrics.text();
    assert.equal(sample(text, `${P}_total{outcome="hit"}`), 6);
    assert.equal(sample(text, `${P}_bytes`), 0);
    metrics.close();
  });
});
