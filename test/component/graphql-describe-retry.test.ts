/**
 * While Spark cannot describe the datasets, GraphQL serves the generic schema and tries again in
 * the background, waiting twice as long after each failure, so a Spark down for hours is not
 * asked, nor logged about, every few seconds.
 */
import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { appWithoutSparkLogging } from '../helpers/offline-app.js';

let app: FastifyInstance;
const lines: Record<string, unknown>[] = [];

before(async () => {
  app = await appWithoutSparkLogging('warn', lines);
  await app.ready();
});
after(() => app.close());

describe('describing the datasets for GraphQL while Spark is unreachable', () => {
  it('tries again after 5 s, then after 10 s, and says it waits 20 s next', async () => {
    const retries = () =>
      lines.filter((l) => String(l['msg']).startsWith('GraphQL: datasets not described yet'));
    for (let i = 0; i < 600 && retries().length < 2; i++) await setTimeout(100);
    assert.deepEqual(
      retries().map((l) => l['retryInMs']),
      [10_000, 20_000],
    );
    const sdl = await app.inject({ url: '/graphql/schema.graphql' });
    assert.equal(sdl.statusCode, 200);
    assert.match(sdl.body, /datasets: \[Dataset!\]!/);
  });
});
