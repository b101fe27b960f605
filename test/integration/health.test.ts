import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { sparkRemote } from '../helpers/spark-remote.js';

describe('readiness against Spark', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp(loadConfig({ SPARK_REMOTE: sparkRemote(), LOG_LEVEL: 'silent', ANONYMOUS: 'true' }));
  });
  after(() => app.close());

  it('is ready when Spark answers, and reports its version', async () => {
    const response = await app.inject('/readyz');
    assert.equal(response.statusCode, 200);
    const body = response.json<{ status: string; sparkVersion: string }>();
    assert.equal(body.status, 'ready');
    assert.match(body.sparkVersion, /^4\.\d+\.\d+/);
  });
});
