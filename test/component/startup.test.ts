import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';

describe('start-up', () => {
  it('describes many datasets through few sessions without piling listeners on one signal', async () => {
    const fake = await FakeConnectServer.start([{ name: 'x', kind: 'integer' }]);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const datasets = Object.fromEntries(
      Array.from({ length: 24 }, (_v, k) => [
        `d${k}`,
        { description: `dataset ${k}`, sql: `SELECT ${k} AS x` },
      ]),
    );
    try {
      // One session: every description but one waits for it, under the same start-up deadline.
      const app = await buildApp(
        loadConfig({ SPARK_REMOTE: fake.remote, LOG_LEVEL: 'silent', ANONYMOUS: 'true', POOL_MAX: '1' }),
        { registry: new DatasetRegistry({ datasets }) },
      );
      try {
        const answer = await app.inject({
          method: 'POST',
          url: '/graphql',
          payload: { query: '{ d23 { x } }' },
        });
        assert.equal(answer.statusCode, 200, answer.body);
        // Warnings are emitted on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(
          warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
          [],
        );
      } finally {
        await app.close();
      }
    } finally {
      process.off('warning', onWarning);
      await fake.close();
    }
  });

  it('starts when Spark takes longer to describe the datasets than Fastify lets a start-up hook run', async () => {
    // Spark answers its version but never the datasets' columns.
    const fake = await FakeConnectServer.start([], {
      analyze: (request) =>
        request.analyze.case === 'sparkVersion'
          ? Promise.resolve({ case: 'sparkVersion', value: { version: '4.2.0' } as never })
          : new Promise(() => undefined),
    });
    try {
      const app = await buildApp(
        loadConfig({ SPARK_REMOTE: fake.remote, LOG_LEVEL: 'silent', ANONYMOUS: 'true' }),
        { registry: new DatasetRegistry({ datasets: { d: { description: 'd', sql: 'SELECT 1 AS x' } } }) },
      );
      try {
        // The generic schema meanwhile: its fields answer, the dataset's typed field is not there yet.
        const answer = await app.inject({
          method: 'POST',
          url: '/graphql',
          payload: { query: '{ d { x } }' },
        });
        assert.equal(answer.statusCode, 400, answer.body);
        const { errors } = answer.json<{ errors: { message: string }[] }>();
        assert.deepEqual(
          errors.map((e) => e.message),
          ['Cannot query field "d" on type "Query".'],
        );
      } finally {
        await app.close();
      }
    } finally {
      await fake.close();
    }
  });
});
