import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { closedPort } from '../helpers/closed-port.js';
import { appWithoutSpark } from '../helpers/offline-app.js';

/** The service with Spark unreachable: everything that must be answered without it. */
let app: FastifyInstance;
before(async () => {
  app = await appWithoutSpark();
});
after(() => app.close());

function problem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json<Record<string, unknown>>();
  assert.equal(body['code'], code);
  assert.equal(body['status'], status);
  assert.equal(body['type'], `urn:spark-data-api:error:${code.toLowerCase()}`);
  assert.equal(typeof body['detail'], 'string');
  return body;
}

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    payload: payload as string,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('HTTP errors answered without Spark', () => {
  it('lists the datasets without asking Spark', async () => {
    const response = await app.inject('/v1/datasets');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      response.json<{ datasets: { name: string }[] }>().datasets.map((d) => d.name),
      ['events', 'daily_revenue'],
    );
  });

  it('DATASET_NOT_FOUND names the known datasets', async () => {
    const body = problem(await app.inject('/v1/datasets/nope/rows'), 404, 'DATASET_NOT_FOUND');
    assert.deepEqual(body['allowed'], ['events', 'daily_revenue']);
  });

  it('REQUEST_INVALID for a bad dataset name, a bad body, an unknown property, a bad operator', async () => {
    problem(await app.inject('/v1/datasets/Not-A-Name'), 400, 'REQUEST_INVALID');
    problem(await post('/v1/datasets/events/query', '{"limit": '), 400, 'REQUEST_INVALID');
    const unknown = problem(await post('/v1/datasets/events/query', { wher: {} }), 400, 'REQUEST_INVALID');
    assert.match(String(unknown['detail']), /unknown property "wher"/);
    const op = problem(
      await post('/v1/datasets/events/query', { where: { op: 'zz', column: 'a' } }),
      400,
      'REQUEST_INVALID',
    );
    assert.equal(op['pointer'], '/where');
    const missing = problem(
      await post('/v1/datasets/events/query', { where: { op: 'eq', column: 'a' } }),
      400,
      'REQUEST_INVALID',
    );
    assert.match(String(missing['detail']), /\/where: must have required property 'value'/);
    problem(await app.inject('/v1/datasets/events/rows?limit=-1'), 400, 'REQUEST_INVALID');
    problem(await app.inject('/v1/datasets/events/rows?filter[region][near]=x'), 400, 'REQUEST_INVALID');
  });

  it('NOT_ACCEPTABLE lists the formats offered', async () => {
    const byParam = problem(await app.inject('/v1/datasets/events/rows?format=xml'), 400, 'REQUEST_INVALID');
    assert.match(String(byParam['detail']), /format/);
    const byAccept = problem(
      await app.inject({ url: '/v1/datasets/events/rows', headers: { accept: 'image/png' } }),
      406,
      'NOT_ACCEPTABLE',
    );
    assert.deepEqual(byAccept['allowed'], [
      'application/x-ndjson',
      'application/json',
      'text/csv',
      'application/vnd.apache.arrow.stream',
    ]);
  });

  it('RESULT_TOO_LARGE when a request asks for more than the server sends', async () => {
    problem(await app.inject('/v1/datasets/events/rows?maxRows=999999999'), 413, 'RESULT_TOO_LARGE');
    problem(await app.inject('/v1/datasets/events/rows?format=json&maxRows=20000'), 413, 'RESULT_TOO_LARGE');
  });

  it('REQUEST_TOO_LARGE and UNSUPPORTED_MEDIA_TYPE for the body', async () => {
    problem(
      await post(
        '/v1/datasets/events/query',
        JSON.stringify({ where: { op: 'eq', column: 'x', value: 'y'.repeat(2_000_000) } }),
      ),
      413,
      'REQUEST_TOO_LARGE',
    );
    problem(
      await post('/v1/datasets/events/query', 'limit=1', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('SQL_DISABLED unless the server enables raw SQL', async () => {
    problem(await post('/v1/sql', { sql: 'SELECT 1' }), 403, 'SQL_DISABLED');
  });

  it('SPARK_UNAVAILABLE with Retry-After when Spark cannot be reached', async () => {
    const response = await app.inject('/v1/datasets/events/rows');
    const body = problem(response, 503, 'SPARK_UNAVAILABLE');
    assert.equal(response.headers['retry-after'], String(body['retryAfter']));
    problem(await app.inject('/v1/datasets/events'), 503, 'SPARK_UNAVAILABLE');
  });

  it('NOT_FOUND for unknown routes', async () => {
    problem(await app.inject('/v2/anything'), 404, 'NOT_FOUND');
  });

  it('METHOD_NOT_ALLOWED with an Allow header for a known path asked with another method', async () => {
    for (const [method, url, allow] of [
      ['TRACE', '/v1/datasets', 'GET, HEAD'],
      ['DELETE', '/v1/datasets/events/query?limit=1', 'POST'],
      ['PUT', '/v1/datasets/events/rows', 'GET, HEAD'],
      ['OPTIONS', '/healthz', 'GET, HEAD'],
    ] as const) {
      const response = await app.inject({ method, url });
      const body = problem(response, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(response.headers['allow'], allow);
      assert.deepEqual(body['allowed'], allow.split(', '));
    }
    problem(await app.inject({ method: 'TRACE', url: '/v2/anything' }), 404, 'NOT_FOUND');
  });

  it('URI_TOO_LONG and REQUEST_INVALID for a URL the router cannot read', async () => {
    problem(await app.inject(`/v1/datasets/${'a'.repeat(200)}`), 414, 'URI_TOO_LONG');
    const bad = problem(await app.inject('/v1/datasets/%FF'), 400, 'REQUEST_INVALID');
    assert.match(String(bad['detail']), /not a valid url/);
  });

  it('REQUEST_INVALID saying what is wrong for a body that nests too deep or could reach a prototype', async () => {
    const deep = problem(
      await post(
        '/v1/datasets/events/query',
        `{"where":${'{"op":"not","filter":'.repeat(328)}{}${'}'.repeat(329)}`,
      ),
      400,
      'REQUEST_INVALID',
    );
    assert.match(String(deep['detail']), /nests deeper than 64 levels/);
    const proto = problem(
      await post('/v1/sql', '{"sql":"SELECT 1","params":{"__proto__":1}}'),
      400,
      'REQUEST_INVALID',
    );
    assert.match(String(proto['detail']), /"__proto__" key/);
    const empty = problem(await post('/v1/datasets/events/query', ' '), 400, 'REQUEST_INVALID');
    assert.match(String(empty['detail']), /empty/);
  });

  it('serves openapi.yaml and the API page', async () => {
    const yaml = await app.inject('/openapi.yaml');
    assert.equal(yaml.statusCode, 200);
    // The server's own document (openapi.yaml as this server runs it), not the committed file.
    assert.match(yaml.body, /^openapi: 3\.1\.0\n/);
    assert.equal((await app.inject('/docs/')).statusCode, 200);
  });
});

/** One raw HTTP/1.1 exchange: what Node's parser refuses never reaches inject(). */
async function exchange(
  port: number,
  request: string,
): Promise<{ status: number; head: string; body: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.end(request);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body };
}

describe('requests Node refuses before routing', () => {
  it('answer problem+json: HEADERS_TOO_LARGE, and REQUEST_INVALID for what is not HTTP', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answers = [
      [431, 'HEADERS_TOO_LARGE', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      [431, 'HEADERS_TOO_LARGE', `GET /healthz?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      [400, 'REQUEST_INVALID', 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
      [400, 'REQUEST_INVALID', 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n'],
    ] as const;
    for (const [status, code, request] of answers) {
      const answer = await exchange(port, request);
      assert.equal(answer.status, status, answer.head);
      assert.match(answer.head, /content-type: application\/problem\+json/i);
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      assert.equal(body['code'], code);
      assert.equal(body['status'], status);
    }
  });
});

describe('an unexpected failure', () => {
  class BrokenRegistry extends DatasetRegistry {
    override list(): never {
      throw new Error('secret detail of a bug at /srv/app/internal.ts:42');
    }
  }
  /** The service with a bug, and the lines it logs. */
  async function brokenApp(): Promise<{ broken: FastifyInstance; logged: Record<string, unknown>[] }> {
    const logged: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) };
    const broken = await buildApp(
      loadConfig({ SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`, ANONYMOUS: 'true' }),
      { registry: new BrokenRegistry({ datasets: {} }) },
      { logger: { level: 'error', stream } },
    );
    return { broken, logged };
  }
  const bugLogged = (logged: Record<string, unknown>[]) =>
    logged.some(
      (line) => line['level'] === 50 && /secret detail of a bug/.test(JSON.stringify(line['err'] ?? '')),
    );

  it('is a 500 INTERNAL that says nothing about it, and is logged', async () => {
    const { broken, logged } = await brokenApp();
    try {
      const body = problem(await broken.inject('/v1/datasets'), 500, 'INTERNAL');
      assert.equal(body['detail'], 'Internal error');
      assert.doesNotMatch(JSON.stringify(body), /secret|internal\.ts/);
      assert.ok(bugLogged(logged));
    } finally {
      await broken.close();
    }
  });

  it('in a GraphQL field too', async () => {
    const { broken, logged } = await brokenApp();
    try {
      const response = await broken.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: '{ datasets { name } }' },
      });
      const [error] = response.json<{ errors: { message: string; extensions: { code: string } }[] }>().errors;
      assert.equal(error?.extensions.code, 'INTERNAL');
      assert.doesNotMatch(response.body, /secret|internal\.ts/);
      assert.ok(bugLogged(logged), JSON.stringify(logged));
    } finally {
      await broken.close();
    }
  });
});

describe('overload', () => {
  it('is a 503 OVERLOADED with Retry-After while the event loop lags, and probes still answer', async () => {
    const busy = await buildApp(
      loadConfig({
        SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
        LOG_LEVEL: 'silent',
        ANONYMOUS: 'true',
        OVERLOAD_EVENT_LOOP_DELAY_MS: '50',
      }),
    );
    try {
      // Keep the event loop lagging (busy 80 ms of every 100) while the sampler watches it.
      const lag = setInterval(() => {
        const until = Date.now() + 80;
        while (Date.now() < until) {
          // busy
        }
      }, 20);
      let answer;
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        answer = await busy.inject('/v1/datasets');
      } finally {
        clearInterval(lag);
      }
      problem(answer, 503, 'OVERLOADED');
      assert.ok(Number(answer.headers['retry-after']) > 0);
      assert.equal((await busy.inject('/healthz')).statusCode, 200);
    } finally {
      await busy.close();
    }
  });
});
