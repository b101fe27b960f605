/**
 * Failed attempts are throttled per client address before credentials are looked at; the
 * per-principal rate limit counts requests refused for a missing scope too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { closedPort } from '../helpers/closed-port.js';

const KEYS = { reader: 'reader-key', other: 'other-key' };
const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const registry = new DatasetRegistry({ datasets: { events: { description: 'events', table: 'events' } } });

let authFile: string;
const apps: FastifyInstance[] = [];

async function app(env: Record<string, string>): Promise<FastifyInstance> {
  const built = await buildApp(
    loadConfig({
      SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'silent',
      AUTH_FILE: authFile,
      ...env,
    }),
    { registry },
  );
  apps.push(built);
  return built;
}

before(() => {
  authFile = join(mkdtempSync(join(tmpdir(), 'spark-data-api-throttle-')), 'auth.yaml');
  writeFileSync(
    authFile,
    [
      'apiKeys:',
      `  - { name: reader, sha256: ${hash(KEYS.reader)}, tenant: acme, scopes: [datasets:read] }`,
      `  - { name: other, sha256: ${hash(KEYS.other)}, tenant: globex, scopes: [datasets:read] }`,
    ].join('\n'),
  );
});
after(() => Promise.all(apps.map((a) => a.close())));

const get = (target: FastifyInstance, url: string, address: string, key?: string) =>
  target.inject({
    url,
    remoteAddress: address,
    headers: key === undefined ? {} : { 'x-api-key': key },
  });

function code(answer: LightMyRequestResponse): string {
  return `${answer.statusCode} ${answer.json<{ code: string }>().code}`;
}

describe('failed attempts from one address', () => {
  it('get 429 with Retry-After once AUTH_FAILURES_MAX is reached, before credentials are checked', async () => {
    const service = await app({ AUTH_FAILURES_MAX: '5', RATE_LIMIT_MAX: '1000' });
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await get(service, '/v1/datasets', '10.0.0.1', `guess-${i}`));
    assert.deepEqual(answers.slice(0, 5).map(code), Array<string>(5).fill('401 UNAUTHORIZED'));
    assert.deepEqual(answers.slice(5).map(code), Array<string>(35).fill('429 RATE_LIMITED'));
    for (const answer of answers.slice(5)) {
      assert.ok(Number(answer.headers['retry-after']) > 0);
      assert.equal(answer.headers['www-authenticate'], undefined, 'the key was never looked at');
    }
    // While the address is throttled, even a good key from it waits: guessing learns nothing.
    assert.equal(code(await get(service, '/v1/datasets', '10.0.0.1', KEYS.reader)), '429 RATE_LIMITED');
    // Other addresses and other principals are not held back by it.
    assert.equal((await get(service, '/v1/datasets', '10.0.0.2', KEYS.other)).statusCode, 200);
    assert.equal((await get(service, '/v1/datasets', '10.0.0.3', KEYS.reader)).statusCode, 200);
    // Probes stay open to the throttled address.
    assert.equal((await get(service, '/healthz', '10.0.0.1')).statusCode, 200);
  });

  it('count 403s too: a principal probing what its scopes do not allow', async () => {
    const service = await app({ AUTH_FAILURES_MAX: '3', RATE_LIMIT_MAX: '1000' });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(code(await get(service, '/metrics', '10.0.1.1', KEYS.reader)));
    assert.deepEqual(codes, [
      ...Array<string>(3).fill('403 FORBIDDEN'),
      ...Array<string>(3).fill('429 RATE_LIMITED'),
    ]);
  });

  it('read the address from X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const direct = await app({ AUTH_FAILURES_MAX: '2' });
    const proxied = await app({ AUTH_FAILURES_MAX: '2', TRUST_PROXY: '10.9.9.9' });
    for (const service of [direct, proxied]) {
      for (let i = 0; i < 2; i++) {
        await service.inject({
          url: '/v1/datasets',
          remoteAddress: '10.9.9.9',
          headers: { 'x-forwarded-for': '192.0.2.1', 'x-api-key': 'guess' },
        });
      }
    }
    const from = (service: FastifyInstance, client: string) =>
      service.inject({
        url: '/v1/datasets',
        remoteAddress: '10.9.9.9',
        headers: { 'x-forwarded-for': client, 'x-api-key': KEYS.reader },
      });
    // Without trust, every client behind the proxy is one address, throttled together.
    assert.equal((await from(direct, '192.0.2.2')).statusCode, 429);
    // With it, only the client that failed is.
    assert.equal((await from(proxied, '192.0.2.2')).statusCode, 200);
    assert.equal((await from(proxied, '192.0.2.1')).statusCode, 429);
  });
});

describe('the per-principal rate limit', () => {
  it('counts requests refused for a missing scope', async () => {
    const service = await app({ AUTH_FAILURES_MAX: '1000', RATE_LIMIT_MAX: '3' });
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const answer = await service.inject({
        method: 'POST',
        url: '/v1/sql',
        remoteAddress: `10.0.2.${i}`,
        headers: { 'x-api-key': KEYS.reader },
        payload: { sql: 'SELECT 1' },
      });
      codes.push(code(answer));
    }
    assert.deepEqual(codes, [
      ...Array<string>(3).fill('403 FORBIDDEN'),
      ...Array<string>(2).fill('429 RATE_LIMITED'),
    ]);
  });
});
