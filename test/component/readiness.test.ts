/** `/readyz` asks Spark at most once per READY_CACHE_MS, however many callers ask at once. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { SharedProbe } from '../../src/http/health.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';

/** Probes of the fake server: AnalyzePlan(spark_version) calls. */
let probes = 0;
let release: (() => void) | undefined;
let fake: FakeConnectServer;
let app: FastifyInstance;

before(async () => {
  fake = await FakeConnectServer.start([], {
    analyze: async (request) => {
      if (request.analyze.case === 'sparkVersion') {
        probes++;
        // A slow Spark: the probe holds until the test lets it go.
        if (release === undefined) await new Promise<void>((resolve) => (release = resolve));
      }
      return { case: 'sparkVersion', value: { version: '4.2.0' } as never };
    },
  });
  const config = loadConfig({
    SPARK_REMOTE: fake.remote,
    LOG_LEVEL: 'silent',
    ANONYMOUS: 'true',
    READY_CACHE_MS: '60000',
  });
  app = await buildApp(config, { registry: new DatasetRegistry({ datasets: {} }) });
});
after(async () => {
  await app.close();
  await fake.close();
});

describe('readiness probe', () => {
  it('lets concurrent callers share one Spark call, then answers from it for READY_CACHE_MS', async () => {
    const answers = Array.from({ length: 50 }, () => app.inject('/readyz'));
    while (release === undefined) await sleep(10);
    assert.equal(probes, 1, 'one probe for fifty callers');
    release();
    for (const answer of await Promise.all(answers)) {
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(answer.json(), { status: 'ready', sparkVersion: '4.2.0' });
    }
    // Within READY_CACHE_MS the settled probe answers.
    for (let i = 0; i < 20; i++) assert.equal((await app.inject('/readyz')).statusCode, 200);
    assert.equal(probes, 1, 'no probe for 20 more callers');
  });
});

describe('SharedProbe', () => {
  it('shares a failure as it shares a success, then tries again', async () => {
    let calls = 0;
    const probe = new SharedProbe(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve('4.2.0');
    }, 0);
    const first = await Promise.allSettled([probe.get(), probe.get(), probe.get()]);
    assert.deepEqual(
      first.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.equal(calls, 1);
    await sleep(1);
    assert.equal(await probe.get(), '4.2.0');
    assert.equal(calls, 2);
  });

  it('answers from a settled probe until it is older than the period', async () => {
    let calls = 0;
    const probe = new SharedProbe(() => Promise.resolve(String(++calls)), 30);
    for (let i = 0; i < 10; i++) assert.equal(await probe.get(), '1');
    await sleep(40);
    assert.equal(await probe.get(), '2');
    assert.equal(calls, 2);
  });
});
