import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatementCounts } from '../../../src/observability/metric-shapes.js';
import { ServiceMetrics } from '../../../src/observability/metrics.js';
import { ExecutionStats } from '../../../src/spark/stats.js';

/** The value of one sample line of the text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the statements’ metrics', () => {
  it('read what the statements do when scraped', async () => {
    let counts: StatementCounts = {
      pending: 1,
      running: 3,
      outcomes: { succeeded: 5, failed: 2, canceled: 1, expired: 0, lost: 4 },
      chunkReads: 7,
    };
    const metrics = new ServiceMetrics({
      pools: () => ({}),
      executions: new ExecutionStats(),
      graphql: () => undefined,
      statements: () => counts,
    });
    const P = 'spark_data_api_';
    let text = await metrics.text();
    assert.equal(sample(text, `${P}statements{state="PENDING"}`), 1);
    assert.equal(sample(text, `${P}statements{state="RUNNING"}`), 3);
    assert.equal(sample(text, `${P}statements_total{outcome="succeeded"}`), 5);
    assert.equal(sample(text, `${P}statements_total{outcome="lost"}`), 4);
    assert.equal(sample(text, `${P}statements_total{outcome="expired"}`), 0);
    assert.equal(sample(text, `${P}statement_chunk_reads_total`), 7);
    counts = { ...counts, running: 0, chunkReads: 9 };
    text = await metrics.text();
    assert.equal(sample(text, `${P}statements{state="RUNNING"}`), 0);
    assert.equal(sample(text, `${P}statement_chunk_reads_total`), 9);
    metrics.close();
  });
});
