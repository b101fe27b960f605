/**
 * Upstream authentication: a Spark Connect server started with `spark.connect.authenticate.token`
 * refuses calls without `Authorization: Bearer <token>`. The service reaches it in plaintext and
 * through a TLS terminator (Spark itself speaks plaintext gRPC), and when Spark refuses its
 * credentials it says so clearly, without ever showing the token.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { parseConnectionString } from '../../src/spark/connection-string.js';
import { SparkError } from '../../src/spark/errors.js';
import {
  SPARK_CONNECT_PORT,
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../../containers/spark-connect-container.js';
import { assertMatchesContract } from '../helpers/contract.js';
import { collectSql } from '../helpers/spark.js';
import { makeTestCertificates, TlsProxy, type TestCertificates } from '../helpers/tls-proxy.js';

const TOKEN = `sda-token-${randomBytes(16).toString('hex')}`;
const WRONG_TOKEN = `sda-wrong-${randomBytes(16).toString('hex')}`;

let container: StartedSparkConnectContainer;
let certificates: TestCertificates;
let proxy: TlsProxy;
/** Straight to Spark's port, without TLS. */
let plaintext: string;
/** Through the TLS terminator. */
let overTls: string;

before(async () => {
  certificates = makeTestCertificates();
  container = await new SparkConnectContainer()
    .withSparkConf('spark.connect.authenticate.token', TOKEN)
    .start();
  proxy = await TlsProxy.start(
    { host: container.getHost(), port: container.getMappedPort(SPARK_CONNECT_PORT) },
    certificates,
  );
  plaintext = `sc://${container.getHost()}:${container.getMappedPort(SPARK_CONNECT_PORT)}/;use_ssl=false`;
  overTls = `sc://localhost:${proxy.port}/;use_ssl=true`;
});

after(async () => {
  await proxy.close();
  await container.stop();
  certificates.remove();
});

const withToken = (remote: string, token: string) => `${remote};token=${encodeURIComponent(token)}`;

/** A client that trusts the test CA. */
function client(remote: string, options: { trustCa?: boolean } = {}): SparkConnectClient {
  return new SparkConnectClient(
    parseConnectionString(remote),
    options.trustCa === false ? {} : { caCertificates: certificates.caPem },
  );
}

async function sumOfRange(spark: SparkConnectClient): Promise<unknown> {
  const session = spark.newSession();
  try {
    const { rows } = await collectSql(session, 'SELECT sum(id) AS total FROM range(1000)');
    return rows[0]?.['total'];
  } finally {
    await session.release().catch(() => undefined);
  }
}

function assertNoToken(text: string, where: string): void {
  for (const token of [TOKEN, WRONG_TOKEN]) {
    assert.ok(!text.includes(token), `${where} contains a token`);
  }
}

/** Spark's refusal as the client reports it: typed, final, and without the token. */
function assertRefused(err: unknown, sparkMessage: string): true {
  assert.ok(err instanceof SparkError, `expected a SparkError, got ${inspect(err)}`);
  assert.equal(err.grpcCode, GrpcStatus.UNAUTHENTICATED);
  assert.equal(err.credentialsRefused, true);
  assert.equal(err.retryable, false);
  assert.equal(err.message, sparkMessage);
  assertNoToken(inspect(err, { depth: 10 }), 'the error');
  return true;
}

describe('the Spark client against a server that requires a token', () => {
  it('runs queries with the right token in plaintext (use_ssl=false)', async () => {
    const spark = client(withToken(plaintext, TOKEN));
    try {
      assert.equal(await sumOfRange(spark), 499500n);
    } finally {
      spark.close();
    }
  });

  it('runs queries with the right token over TLS (use_ssl=true), HTTP/2 agreed by ALPN', async () => {
    const before = proxy.connections.length;
    const spark = client(withToken(overTls, TOKEN));
    try {
      assert.equal(await sumOfRange(spark), 499500n);
    } finally {
      spark.close();
    }
    const seen = proxy.connections.slice(before);
    assert.ok(seen.length > 0, 'the client connected through the TLS proxy');
    for (const connection of seen) {
      assert.equal(connection.alpnProtocol, 'h2');
      assert.match(connection.tlsVersion ?? '', /^TLSv1\.[23]$/);
    }
  });

  it('verifies the TLS certificate: without the CA, the proxy’s certificate is refused', async () => {
    const spark = client(withToken(overTls, TOKEN), { trustCa: false });
    try {
      await assert.rejects(spark.newSession().sparkVersion(), (err: unknown) => {
        assert.ok(err instanceof SparkError);
        assert.equal(err.grpcCode, GrpcStatus.UNAVAILABLE);
        assert.match(err.message, /certificate/i);
        assertNoToken(inspect(err, { depth: 10 }), 'the error');
        return true;
      });
    } finally {
      spark.close();
    }
  });

  for (const [name, remote] of [
    ['in plaintext', () => plaintext],
    ['over TLS', () => overTls],
  ] as const) {
    it(`without a token ${name}: UNAUTHENTICATED, "No authentication token provided"`, async () => {
      const spark = client(remote());
      try {
        await assert.rejects(spark.newSession().sparkVersion(), (err) =>
          assertRefused(err, 'No authentication token provided'),
        );
        await assert.rejects(sumOfRange(spark), (err) =>
          assertRefused(err, 'No authentication token provided'),
        );
      } finally {
        spark.close();
      }
    });

    it(`with a wrong token ${name}: UNAUTHENTICATED, "Invalid authentication token"`, async () => {
      const spark = client(withToken(remote(), WRONG_TOKEN));
      try {
        await assert.rejects(spark.newSession().sparkVersion(), (err) =>
          assertRefused(err, 'Invalid authentication token'),
        );
        await assert.rejects(sumOfRange(spark), (err) => assertRefused(err, 'Invalid authentication token'));
      } finally {
        spark.close();
      }
    });
  }
});

const registry = new DatasetRegistry({
  setup: {
    configs: {},
    statements: ['CREATE OR REPLACE TEMPORARY VIEW auth_numbers AS SELECT id FROM range(100)'],
  },
  datasets: { numbers: { description: 'A hundred numbers.', table: 'auth_numbers' } },
});

interface Service {
  readonly app: FastifyInstance;
  /** Everything the service logged, at debug level. */
  logs(): string;
}

/** The service as production builds it, from environment variables, its log captured. */
async function startService(env: Record<string, string>): Promise<Service> {
  const config = loadConfig({
    LOG_LEVEL: 'debug',
    RAW_SQL: 'true',
    POOL_MIN: '1',
    POOL_MAX: '2',
    READY_TIMEOUT_MS: '10000',
    ANONYMOUS: 'true',
    ...env,
  });
  assertNoToken(config.sparkRemote, 'the connection string for logs');
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await buildApp(config, { registry }, { logger: { level: config.logLevel, stream } });
  return { app, logs: () => lines.join('') };
}

/** Checks the answer against openapi.yaml and returns it. */
function documented(response: LightMyRequestResponse, method: string, path: string): LightMyRequestResponse {
  assertMatchesContract(method, path, {
    status: response.statusCode,
    contentType: response.headers['content-type'] as string | undefined,
    body: response.body,
  });
  return response;
}

describe('the service against a server that requires a token', () => {
  for (const [name, env] of [
    ['in plaintext', () => ({ SPARK_REMOTE: withToken(plaintext, TOKEN) })],
    [
      'over TLS, trusting SPARK_TLS_CA_FILE',
      () => ({ SPARK_REMOTE: withToken(overTls, TOKEN), SPARK_TLS_CA_FILE: certificates.caFile }),
    ],
  ] as const) {
    it(`with the right token ${name}: ready, and serves queries`, async () => {
      const service = await startService(env());
      try {
        const ready = documented(await service.app.inject('/readyz'), 'GET', '/readyz');
        assert.equal(ready.statusCode, 200, ready.body);
        assert.equal(ready.json<{ status: string }>().status, 'ready');

        const rows = documented(
          await service.app.inject('/v1/datasets/numbers/rows?orderBy=-id&limit=3&format=json'),
          'GET',
          '/v1/datasets/{name}/rows',
        );
        assert.equal(rows.statusCode, 200, rows.body);
        assert.deepEqual(rows.json<{ rows: unknown }>().rows, [{ id: '99' }, { id: '98' }, { id: '97' }]);

        const sql = documented(
          await service.app.inject({
            method: 'POST',
            url: '/v1/sql?format=json',
            payload: { sql: 'SELECT :n * 2 AS twice', params: { n: 21 } },
          }),
          'POST',
          '/v1/sql',
        );
        assert.equal(sql.statusCode, 200, sql.body);
        assert.deepEqual(sql.json<{ rows: unknown }>().rows, [{ twice: 42 }]);
      } finally {
        await service.app.close();
      }
      assertNoToken(service.logs(), 'the log');
    });
  }

  for (const [name, env, sparkMessage] of [
    ['no token, in plaintext', () => ({ SPARK_REMOTE: plaintext }), 'No authentication token provided'],
    [
      'a wrong token, over TLS',
      () => ({ SPARK_REMOTE: withToken(overTls, WRONG_TOKEN), SPARK_TLS_CA_FILE: certificates.caFile }),
      'Invalid authentication token',
    ],
  ] as const) {
    it(`with ${name}: not ready, and every query answers 502 SPARK_AUTH_FAILED`, async () => {
      const service = await startService(env());
      const bodies: string[] = [];
      try {
        const ready = documented(await service.app.inject('/readyz'), 'GET', '/readyz');
        bodies.push(ready.body);
        assert.equal(ready.statusCode, 503, ready.body);
        assert.deepEqual(ready.json(), {
          type: 'urn:spark-data-api:error:spark_unavailable',
          title: 'Service Unavailable',
          status: 503,
          code: 'SPARK_UNAVAILABLE',
          detail:
            "Spark is not available: it refused the service's credentials (check the token in SPARK_REMOTE)",
        });

        const requests = [
          ['GET', '/v1/datasets/numbers', '/v1/datasets/{name}', undefined],
          ['GET', '/v1/datasets/numbers/rows?limit=3', '/v1/datasets/{name}/rows', undefined],
          ['POST', '/v1/datasets/numbers/query', '/v1/datasets/{name}/query', { limit: 3 }],
          ['POST', '/v1/sql', '/v1/sql', { sql: 'SELECT 1 AS one' }],
          // Asked again: the answer stays the same, it does not turn into "retry later".
          ['GET', '/v1/datasets/numbers/rows?limit=3', '/v1/datasets/{name}/rows', undefined],
        ] as const;
        for (const [method, url, path, payload] of requests) {
          const response = documented(
            await service.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) }),
            method,
            path,
          );
          bodies.push(response.body);
          assert.equal(response.statusCode, 502, `${method} ${url}: ${response.body}`);
          assert.equal(response.headers['retry-after'], undefined, 'no invitation to retry');
          assert.deepEqual(response.json(), {
            type: 'urn:spark-data-api:error:spark_auth_failed',
            title: 'Bad Gateway',
            status: 502,
            code: 'SPARK_AUTH_FAILED',
            detail: `Spark refused the service's credentials: ${sparkMessage}`,
          });
        }
      } finally {
        await service.app.close();
      }
      const logs = service.logs();
      // The failures were logged (so the log was captured), the token never.
      assert.match(logs, new RegExp(sparkMessage));
      assert.match(logs, /"request failed"/);
      assertNoToken(logs, 'the log');
      assertNoToken(bodies.join('\n'), 'an answer');
    });
  }
});
