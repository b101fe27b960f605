import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('health and errors without Spark', () => {
  let app: FastifyInstance;
  before(async () => {
    const config = loadConfig({
      SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'silent',
      READY_TIMEOUT_MS: '2000',
      ANONYMOUS: 'true',
    });
    app = await buildApp(config);
  });
  after(() => app.close());

  it('answers /healthz while Spark is down', async () => {
    const response = await app.inject('/healthz');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  it('reports not ready with a 503 problem when Spark cannot be reached', async () => {
    const response = await app.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(response.json(), {
      type: 'urn:spark-data-api:error:spark_unavailable',
      title: 'Service Unavailable',
      status: 503,
      code: 'SPARK_UNAVAILABLE',
      detail: 'Spark is not available: unreachable',
    });
  });

  it('answers an unknown route with a 404 problem naming it', async () => {
    const response = await app.inject('/v1/nothing-here');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ code: string }>().code, 'NOT_FOUND');
    assert.match(response.json<{ detail: string }>().detail, /GET \/v1\/nothing-here/);
  });
});

describe('configuration', () => {
  it('refuses a malformed connection string at start, saying what to fix', () => {
    assert.throws(() => loadConfig({ SPARK_REMOTE: 'http://spark:15002' }), /must start with 'sc:\/\/'/);
  });

  it('refuses a port that is not a number', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
  });
});
