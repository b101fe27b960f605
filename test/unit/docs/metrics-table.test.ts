import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ServiceMetrics } from '../../../src/observability/metrics.js';
import { ExecutionStats } from '../../../src/spark/stats.js';

/**
 * The metric names of the README's table. A row may name several, the later ones shortened:
 * `…_max_sessions` after `spark_data_api_pool_min_sessions` replaces as many trailing words.
 */
function documented(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Observability'));
  const table = section.slice(
    section.indexOf('| Metric'),
    section.indexOf('\n\n', section.indexOf('| Metric')),
  );
  const names: string[] = [];
  for (const row of table.split('\n').slice(2)) {
    const cell = row.split('|')[1] ?? '';
    const listed = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const first = listed[0];
    if (first === undefined) continue;
    names.push(first);
    for (const short of listed.slice(1)) {
      const words = short.replace(/^…_/, '').split('_');
      names.push([...first.split('_').slice(0, -words.length), ...words].join('_'));
    }
  }
  return names.sort();
}

describe('the README’s metrics table', () => {
  it('lists exactly the metrics the service registers', async () => {
    const metrics = new ServiceMetrics({
      pools: () => ({}),
      executions: new ExecutionStats(),
      graphql: () => undefined,
      spool: () => ({
        memoryBytes: 0,
        diskBytes: 0,
        results: 0,
        fallbacks: { result: 0, total: 0 },
        diskErrors: 0,
        writtenBytes: 0,
      }),
      statements: () => ({
        pending: 0,
        running: 0,
        outcomes: { succeeded: 0, failed: 0, canceled: 0, expired: 0, lost: 0 },
        chunkReads: 0,
      }),
      resultCache: () => ({ hits: 0, misses: 0, evictions: 0, expirations: 0, bytes: 0 }),
    });
    const registered = (await metrics.registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => name.startsWith('spark_data_api_'))
      .sort();
    metrics.close();
    assert.deepEqual(documented(), registered);
  });
});
