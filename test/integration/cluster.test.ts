/**
 * Spark Connect as the driver of a Spark standalone cluster (a master and two workers, each in
 * its own container): queries run in executor JVMs on the workers, and results come back through
 * the Connect server as usual. Starts its own containers (about a minute on two cores).
 *
 *   TESTCONTAINERS_RYUK_DISABLED=true node --import tsx --test test/integration/cluster.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SparkConnectClient } from '../../src/spark/client.js';
import { SparkCluster, type StartedSparkCluster } from '../../containers/spark-cluster.js';
import { collectSql } from '../helpers/spark.js';

const WORKERS = 2;

interface MasterState {
  status: string;
  workers: { host: string; state: string; cores: number; coresused: number }[];
  activeapps: { name: string; cores: number }[];
}

describe('Spark Connect on a standalone cluster (a master and two workers)', { timeout: 300_000 }, () => {
  let cluster: StartedSparkCluster | undefined;
  let client: SparkConnectClient | undefined;

  before(async () => {
    cluster = await new SparkCluster()
      .withWorkers(WORKERS)
      .withWorkerResources(1, '1g')
      .withExecutorMemory('512m')
      .start();
    client = SparkConnectClient.connect(cluster.getConnectionString());
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('has both workers alive, each running an executor of the Connect server', async () => {
    const response = await fetch(`${cluster!.getMasterUiUrl()}/json/`, {
      signal: AbortSignal.timeout(10_000),
    });
    const state = (await response.json()) as MasterState;
    assert.equal(state.status, 'ALIVE');
    const alive = state.workers.filter((w) => w.state === 'ALIVE');
    assert.equal(alive.length, WORKERS);
    assert.deepEqual(
      alive.map((w) => w.coresused),
      alive.map((w) => w.cores),
      'every worker gives its cores to an executor',
    );
    assert.equal(state.activeapps.length, 1);
    assert.equal(state.activeapps[0]!.cores, WORKERS);
  });

  it('runs tasks on the executors in the worker containers, not in the Connect server', async () => {
    const session = client!.newSession();
    // Each task reports the machine it runs on: eight partitions, spread over the two executors.
    const { rows } = await collectSql(
      session,
      `SELECT DISTINCT reflect('java.net.InetAddress', 'getLocalHost') AS host
       FROM range(0, 64, 1, 8)`,
    );
    // InetAddress prints as "hostname/address".
    const hosts = rows
      .map(({ host }) => {
        assert.ok(typeof host === 'string');
        return host.split('/')[0];
      })
      .sort();
    const workers = cluster!.workers.map((w) => w.hostname).sort();
    assert.deepEqual(hosts, workers);
    assert.ok(!hosts.includes(cluster!.connectHostname));
  });

  it('returns correct rows for an aggregation shuffled across the executors', async () => {
    const session = client!.newSession();
    const n = 100_000;
    const { rows } = await collectSql(
      session,
      `SELECT id % 4 AS k, count(*) AS n, sum(id) AS total
       FROM range(0, ${n}, 1, 8)
       GROUP BY id % 4
       ORDER BY k`,
    );
    const expected = [0n, 1n, 2n, 3n].map((k) => {
      let total = 0n;
      for (let id = k; id < BigInt(n); id += 4n) total += id;
      return { k, n: BigInt(n / 4), total };
    });
    assert.deepEqual(rows, expected);
  });
});
