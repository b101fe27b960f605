import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeStats } from '../../../src/encode/stats.js';
import { ServiceMetrics } from '../../../src/observability/metrics.js';
import type { PoolStats } from '../../../src/spark/pool.js';
import { ExecutionStats } from '../../../src/spark/stats.js';

const POOL: PoolStats = {
  min: 1,
  max: 4,
  size: 3,
  inUse: 2,
  idle: 1,
  waiting: 5,
  waits: { principal_cap: 6, pool_full: 8 },
  created: 7,
  renewed: 1,
  evicted: 2,
  discarded: 1,
  retired: 0,
  closed: 0,
  createFailures: 3,
};

function metrics(graphql = { hits: 4, misses: 6, joined: 2 }) {
  const executions = new ExecutionStats();
  const service = new ServiceMetrics({
    pools: () => ({ default: POOL, acme: { ...POOL, inUse: 0, idle: 0, size: 0, min: 0 } }),
    executions,
    graphql: () => graphql,
  });
  return { service, executions };
}

/** The value of one sample line of the text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ServiceMetrics', () => {
  it('reads pools, executions and the GraphQL cache when scraped', async () => {
    const { service, executions } = metrics();
    executions.start();
    executions.start();
    executions.start();
    executions.reattached += 2;
    executions.end('completed', 0.2);
    executions.end('interrupted', 3);
    const text = await service.text();
    const P = 'spark_data_api_';
    assert.equal(sample(text, `${P}pool_sessions{tenant="default",state="in_use"}`), 2);
    assert.equal(sample(text, `${P}pool_sessions{tenant="default",state="idle"}`), 1);
    assert.equal(sample(text, `${P}pool_sessions{tenant="acme",state="in_use"}`), 0);
    assert.equal(sample(text, `${P}pool_min_sessions{tenant="default"}`), 1);
    assert.equal(sample(text, `${P}pool_max_sessions{tenant="acme"}`), 4);
    assert.equal(sample(text, `${P}pool_waiting_requests{tenant="default"}`), 5);
    assert.equal(sample(text, `${P}pool_waits_total{tenant="default",reason="principal_cap"}`), 6);
    assert.equal(sample(text, `${P}pool_waits_total{tenant="acme",reason="pool_full"}`), 8);
    assert.equal(sample(text, `${P}pool_sessions_created_total{tenant="default"}`), 7);
    assert.equal(sample(text, `${P}pool_sessions_closed_total{tenant="default",reason="evicted"}`), 2);
    assert.equal(sample(text, `${P}pool_create_failures_total{tenant="acme"}`), 3);
    assert.equal(sample(text, `${P}spark_executions_running`), 1);
    assert.equal(sample(text, `${P}spark_reattaches_total`), 2);
    assert.equal(sample(text, `${P}spark_interrupts_total`), 1);
    assert.equal(sample(text, `${P}spark_execution_duration_seconds_count{outcome="completed"}`), 1);
    assert.equal(sample(text, `${P}spark_execution_duration_seconds_sum{outcome="interrupted"}`), 3);
    assert.equal(
      sample(text, `${P}spark_execution_duration_seconds_bucket{le="0.25",outcome="completed"}`),
      1,
    );
    assert.equal(sample(text, `${P}spark_execution_duration_seconds_count{outcome="failed"}`), 0);
    assert.equal(sample(text, `${P}graphql_cache_hits_total`), 4);
    assert.equal(sample(text, `${P}graphql_cache_misses_total`), 6);
    assert.equal(sample(text, `${P}graphql_joined_total`), 2);
    // Values kept elsewhere are not added up scrape after scrape.
    assert.equal(sample(await service.text(), `${P}graphql_cache_hits_total`), 4);
    service.close();
  });

  it('counts a result’s rows and bytes at scrapes while it streams, and the rest when it ends', async () => {
    const { service } = metrics();
    const stats = encodeStats();
    const tracked = service.trackResult('/v1/datasets/:name/rows', 'csv', stats);
    const rows = 'spark_data_api_result_rows_total{route="/v1/datasets/:name/rows",format="csv"}';
    const bytes = 'spark_data_api_result_bytes_total{route="/v1/datasets/:name/rows",format="csv"}';
    stats.rows += 10;
    stats.bytes += 100;
    let text = await service.text();
    assert.equal(sample(text, rows), 10);
    assert.equal(sample(text, bytes), 100);
    stats.rows += 5;
    stats.bytes += 40;
    service.resultEnded(tracked);
    stats.rows += 1000; // after the end: not counted
    text = await service.text();
    assert.equal(sample(text, rows), 15);
    assert.equal(sample(text, bytes), 140);
    service.close();
  });

  it('counts requests and their durations by method, route and status', async () => {
    const { service } = metrics();
    service.requestEnded('GET', '/healthz', 200, 0.001);
    service.requestEnded('GET', '/healthz', 200, 0.002);
    service.requestEnded('GET', 'unmatched', 404, 0.003);
    const text = await service.text();
    const labels = '{method="GET",route="/healthz",status="200"}';
    assert.equal(sample(text, `spark_data_api_http_requests_total${labels}`), 2);
    assert.equal(sample(text, `spark_data_api_http_request_duration_seconds_count${labels}`), 2);
    assert.equal(
      sample(text, 'spark_data_api_http_requests_total{method="GET",route="unmatched",status="404"}'),
      1,
    );
    service.close();
  });

  it('stops listening to executions when closed', () => {
    const { service, executions } = metrics();
    service.close();
    executions.start();
    executions.end('completed', 1);
    assert.equal(executions.completed, 1);
  });
});
