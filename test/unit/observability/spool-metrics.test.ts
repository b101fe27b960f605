import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpoolCounts } from '../../../src/observability/metric-shapes.js';
import { ServiceMetrics } from '../../../src/observability/metrics.js';
import { ExecutionStats } from '../../../src/spark/stats.js';

/** The value of one sample line of the text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the spool’s metrics', () => {
  it('read what the spool holds and has done when scraped', async () => {
    let counts: SpoolCounts = {
      memoryBytes: 1_000,
      diskBytes: 5_000,
      results: 2,
      fallbacks: { result: 3, total: 1 },
      diskErrors: 0,
      writtenBytes: 7_000,
    };
    const metrics = new ServiceMetrics({
      pools: () => ({}),
      executions: new ExecutionStats(),
      graphql: () => undefined,
      spool: () => counts,
    });
    const P = 'spark_data_api_';
    let text = await metrics.text();
    assert.equal(sample(text, `${P}spool_bytes{where="memory"}`), 1_000);
    assert.equal(sample(text, `${P}spool_bytes{where="disk"}`), 5_000);
    assert.equal(sample(text, `${P}spool_results`), 2);
    assert.equal(sample(text, `${P}spool_backpressure_total{reason="result"}`), 3);
    assert.equal(sample(text, `${P}spool_backpressure_total{reason="total"}`), 1);
    assert.equal(sample(text, `${P}spool_disk_errors_total`), 0);
    assert.equal(sample(text, `${P}spool_written_bytes_total`), 7_000);
    counts = { ...counts, memoryBytes: 0, diskBytes: 0, results: 0, diskErrors: 2 };
    text = await metrics.text();
    assert.equal(sample(text, `${P}spool_bytes{where="disk"}`), 0);
    assert.equal(sample(text, `${P}spool_results`), 0);
    assert.equal(sample(text, `${P}spool_disk_errors_total`), 2);
    assert.equal(sample(text, `${P}spool_written_bytes_total`), 7_000);
    metrics.close();
  });
});
