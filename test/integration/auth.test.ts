/**
 * Who may run what, against Spark: API keys and JWTs, scopes, datasets per tenant, row filters
 * bound to claims, one tenant's sessions never another's, rate and concurrency limits.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { call, serve, type Served } from '../helpers/http.js';
import { sessionUsers } from '../helpers/spark-ui.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'spark-data-api';
const KEYS = {
  acmeEu: 'acme-eu-key',
  acmeUsApac: 'acme-us-apac-key',
  acmeNoClaim: 'acme-no-claim-key',
  acmeNoScope: 'acme-no-scope-key',
  globex: 'globex-key',
};
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

const registry = new DatasetRegistry({
  setup: {
    configs: { 'spark.sql.shuffle.partitions': '4' },
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW sales AS
       SELECT id, element_at(array('EU', 'US', 'APAC'), CAST(id % 3 + 1 AS INT)) AS region, id * 2 AS amount
       FROM range(0, 3000, 1, 2)`,
    ],
  },
  datasets: {
    sales: {
      description: 'sales, seen by region',
      table: 'sales',
      rowFilters: [{ column: 'region', claim: 'region' }],
      defaultLimit: 10_000,
      maxLimit: 10_000,
    },
    everything: { description: 'all sales', table: 'sales', tenants: ['globex'] },
  },
});

let served: Served;
let authFile: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-data-api-auth-'));
  authFile = join(dir, 'auth.yaml');
  const key = (name: string, tenant: string, scopes: string[], claims?: object) =>
    `  - { name: ${name}, sha256: ${hash(KEYS[name as keyof typeof KEYS])}, tenant: ${tenant}, ` +
    `scopes: [${scopes.join(', ')}]${claims === undefined ? '' : `, claims: ${JSON.stringify(claims)}`} }`;
  writeFileSync(
    authFile,
    [
      'apiKeys:',
      key('acmeEu', 'acme', ['datasets:read'], { region: 'EU' }),
      key('acmeUsApac', 'acme', ['datasets:read'], { region: ['US', 'APAC'] }),
      key('acmeNoClaim', 'acme', ['datasets:read']),
      key('acmeNoScope', 'acme', []),
      key('globex', 'globex', ['datasets:read', 'sql:execute'], { region: 'US' }),
      'jwt:',
      `  secret: ${SECRET}`,
      `  issuer: ${ISSUER}`,
      `  audience: ${AUDIENCE}`,
      '  clockSkewSeconds: 5',
    ].join('\n'),
  );
  served = await serve(
    {
      AUTH_FILE: authFile,
      ANONYMOUS: 'false',
      RAW_SQL: 'true',
      RATE_LIMIT_MAX: '40',
      TENANT_POOL_MAX: '2',
      // This file's own refusals all come from one address; the throttle has a test of its own.
      AUTH_FAILURES_MAX: '100000',
    },
    registry,
  );
});
after(() => served.close());

const asKey = (key: string) => ({ 'x-api-key': key });
const asBearer = (token: string) => ({ authorization: `Bearer ${token}` });

function jwt(claims: Record<string, unknown>, options: { expiresIn?: string; secret?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('someone')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const ROUTES: [string, string, unknown?][] = [
  ['GET', '/v1/datasets'],
  ['GET', '/v1/datasets/sales'],
  ['GET', '/v1/datasets/sales/rows?limit=1'],
  ['POST', '/v1/datasets/sales/query', { limit: 1 }],
  ['POST', '/v1/sql', { sql: 'SELECT 1 AS one' }],
  ['POST', '/graphql', { query: '{ datasets { name } }' }],
  ['GET', '/graphql/schema.graphql'],
];

async function request(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): ReturnType<typeof call> {
  return call(method, `${served.url}${path}`, { ...(body === undefined ? {} : { body }), headers });
}

/** A problem+json answer, or for GraphQL a GraphQL error with the catalogue's code. */
function problem(answer: Awaited<ReturnType<typeof call>>, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text());
  const body = answer.json() as { code?: string; errors?: { extensions: { code: string } }[] };
  if (body.errors !== undefined) {
    assert.equal(body.errors[0]?.extensions.code, code);
    return;
  }
  assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
  assert.equal(body.code, code);
}

describe('authentication against Spark', () => {
  for (const [method, path, body] of ROUTES) {
    it(`${method} ${path}: 401 without credentials, with WWW-Authenticate`, async () => {
      const answer = await request(method, path, body);
      problem(answer, 401, 'UNAUTHORIZED');
      assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="spark-data-api"/);
    });
  }

  it('keeps the probes and the API description open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.yaml']) {
      assert.equal((await request('GET', path, undefined)).status, 200, path);
    }
  });

  it('refuses an unknown API key, and expired, forged and unsigned JWTs', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, tenant: 'acme', scope: 'datasets:read', exp: 9e9 }),
    ).toString('base64url')}.`;
    const cases: [string, Record<string, string>][] = [
      ['unknown key', asKey('not-a-key')],
      ['expired', asBearer(await jwt({ tenant: 'acme', scope: 'datasets:read' }, { expiresIn: '-1m' }))],
      ['forged', asBearer(await jwt({ tenant: 'acme', scope: 'datasets:read' }, { secret: 'x'.repeat(40) }))],
      ['alg none', asBearer(none)],
      [
        'wrong audience',
        asBearer(
          await new SignJWT({ tenant: 'acme' })
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer(ISSUER)
            .setAudience('another-service')
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(SECRET)),
        ),
      ],
    ];
    for (const [name, headers] of cases) {
      for (const [method, path, body] of [ROUTES[2]!, ROUTES[5]!]) {
        const answer = await request(method, path, body, headers);
        problem(answer, 401, 'UNAUTHORIZED');
        assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/, name);
      }
    }
  });

  it('accepts a valid JWT, its claims binding the row filter', async () => {
    const token = await jwt({ tenant: 'acme', scope: 'datasets:read', region: 'APAC' });
    const answer = await request('GET', '/v1/datasets/sales/rows?format=json', undefined, asBearer(token));
    assert.equal(answer.status, 200, answer.text());
    const rows = (answer.json() as { rows: { region: string }[] }).rows;
    assert.equal(rows.length, 1000);
    assert.ok(rows.every((r) => r.region === 'APAC'));
  });
});

describe('JWT claims of the wrong shape', () => {
  it('refuses a datasets claim that is a string instead of granting every dataset', async () => {
    const token = await jwt({ tenant: 'globex', scope: 'datasets:read', datasets: 'sales', region: 'US' });
    for (const path of ['/v1/datasets/everything/rows?limit=1', '/v1/datasets/sales/rows?limit=1']) {
      const answer = await request('GET', path, undefined, asBearer(token));
      problem(answer, 401, 'UNAUTHORIZED');
      assert.match((answer.json() as { detail: string }).detail, /datasets claim is malformed/);
      assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/);
    }
  });

  it('refuses a row-filter claim that is an object', async () => {
    const token = await jwt({ tenant: 'acme', scope: 'datasets:read', region: { in: ['EU'] } });
    const answer = await request('GET', '/v1/datasets/sales/rows?limit=1', undefined, asBearer(token));
    problem(answer, 401, 'UNAUTHORIZED');
    assert.match((answer.json() as { detail: string }).detail, /region claim is malformed/);
  });
});

describe('authorization against Spark', () => {
  it('answers 403 for a missing scope, on every route and through GraphQL', async () => {
    for (const [method, path, body] of ROUTES) {
      problem(await request(method, path, body, asKey(KEYS.acmeNoScope)), 403, 'FORBIDDEN');
    }
    problem(
      await request('POST', '/v1/sql', { sql: 'SELECT 1 AS one' }, asKey(KEYS.acmeEu)),
      403,
      'FORBIDDEN',
    );
  });

  it('answers 403 for another tenant’s dataset, and lists only the principal’s datasets', async () => {
    problem(
      await request('GET', '/v1/datasets/everything/rows', undefined, asKey(KEYS.acmeEu)),
      403,
      'FORBIDDEN',
    );
    // Another tenant's dataset has no typed field in the caller's schema; by name, it is refused.
    const typed = await request(
      'POST',
      '/graphql',
      { query: '{ everything(limit: 1) { id } }' },
      asKey(KEYS.acmeEu),
    );
    problem(typed, 400, 'REQUEST_INVALID');
    const graphql = await request(
      'POST',
      '/graphql',
      {
        query:
          '{ everything: query(dataset: "everything", limit: 1) { rowCount } sales(limit: 1) { region } }',
      },
      asKey(KEYS.acmeEu),
    );
    const body = graphql.json() as {
      data: Record<string, unknown>;
      errors: { path: string[]; extensions: { code: string } }[];
    };
    assert.equal(body.data['everything'], null);
    assert.deepEqual(body.data['sales'], [{ region: 'EU' }]);
    assert.equal(body.errors.find((e) => e.path[0] === 'everything')?.extensions.code, 'FORBIDDEN');
    const list = (await request('GET', '/v1/datasets', undefined, asKey(KEYS.acmeEu))).json() as {
      datasets: { name: string }[];
    };
    assert.deepEqual(
      list.datasets.map((d) => d.name),
      ['sales'],
    );
    const globex = (
      await request('GET', '/v1/datasets/everything/rows?format=json&limit=5', undefined, asKey(KEYS.globex))
    ).json() as { rows: unknown[] };
    assert.equal(globex.rows.length, 5, 'the tenant of the dataset reads it');
  });

  it('filters rows by the principal’s claims, as Spark computes them', async () => {
    const count = async (headers: Record<string, string>) => {
      const answer = await request(
        'POST',
        '/v1/datasets/sales/query?format=json',
        { groupBy: ['region'], aggregates: [{ fn: 'count', as: 'n' }], orderBy: ['region'] },
        headers,
      );
      assert.equal(answer.status, 200, answer.text());
      return (answer.json() as { rows: { region: string; n: string }[] }).rows;
    };
    assert.deepEqual(await count(asKey(KEYS.acmeEu)), [{ region: 'EU', n: '1000' }]);
    assert.deepEqual(await count(asKey(KEYS.acmeUsApac)), [
      { region: 'APAC', n: '1000' },
      { region: 'US', n: '1000' },
    ]);
    // A filter of the principal's own cannot widen what it sees.
    const widened = await request(
      'POST',
      '/v1/datasets/sales/query?format=json',
      { where: { op: 'eq', column: 'region', value: 'US' } },
      asKey(KEYS.acmeEu),
    );
    assert.deepEqual((widened.json() as { rows: unknown[] }).rows, []);
    problem(
      await request('GET', '/v1/datasets/sales/rows', undefined, asKey(KEYS.acmeNoClaim)),
      403,
      'FORBIDDEN',
    );
    const graphql = await request(
      'POST',
      '/graphql',
      { query: '{ salesAggregate(groupBy: [region]) { key { region } count } }' },
      asKey(KEYS.acmeUsApac),
    );
    assert.deepEqual(
      (graphql.json() as { data: { salesAggregate: { key: { region: string } }[] } }).data.salesAggregate
        .map((g) => g.key.region)
        .sort(),
      ['APAC', 'US'],
    );
  });

  it('never runs two tenants’ queries on one Spark session (the server’s job tags say whose session)', async () => {
    const spec = { aggregates: [{ fn: 'sum', column: 'amount', as: 's' }] };
    await Promise.all([
      request('POST', '/v1/datasets/sales/query', spec, asKey(KEYS.acmeEu)),
      request('POST', '/v1/datasets/sales/query', spec, asKey(KEYS.globex)),
      request('POST', '/v1/datasets/sales/query', spec, asKey(KEYS.acmeUsApac)),
    ]);
    const users = await sessionUsers();
    const acme = [...users].filter(([, u]) => u.has('acme')).map(([s]) => s);
    const globex = [...users].filter(([, u]) => u.has('globex')).map(([s]) => s);
    assert.ok(acme.length > 0 && globex.length > 0, 'both tenants ran jobs');
    for (const [session, who] of users)
      assert.equal(who.size, 1, `session ${session} served ${[...who].join(', ')}`);
    assert.deepEqual(
      acme.filter((s) => globex.includes(s)),
      [],
    );
    const stats = served.app.queries.tenants?.stats();
    assert.ok(stats?.['acme'] !== undefined && stats['globex'] !== undefined);
  });
});

describe('limits under load against Spark', () => {
  it('answers 429 with Retry-After past the rate limit, per principal, and keeps serving others', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => request('GET', '/v1/datasets', undefined, asKey(KEYS.acmeNoClaim))),
    );
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 15, `${limited.length} of 60 limited`);
    assert.ok(answers.every((a) => a.status === 200 || a.status === 429));
    for (const answer of limited) {
      problem(answer, 429, 'RATE_LIMITED');
      assert.ok(Number(answer.headers['retry-after']) > 0);
    }
    assert.equal((await request('GET', '/v1/datasets', undefined, asKey(KEYS.globex))).status, 200);
  });

  it('throttles failed attempts by client address: 429 after AUTH_FAILURES_MAX, other addresses served', async () => {
    const guarded = await serve(
      { AUTH_FILE: authFile, ANONYMOUS: 'false', AUTH_FAILURES_MAX: '10' },
      registry,
    );
    const from = (localAddress: string, key: string) =>
      new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
        const req = httpRequest(
          `${guarded.url}/v1/datasets`,
          { localAddress, headers: { 'x-api-key': key } },
          (res) => {
            res.resume();
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
            });
          },
        );
        req.on('error', reject).end();
      });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await from('127.0.0.1', `not-a-key-${i}`)).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(statuses.slice(10), Array(190).fill(429));
      const last = await from('127.0.0.1', 'not-a-key');
      assert.ok(Number(last.retryAfter) > 0);
      assert.equal((await from('127.0.0.2', KEYS.globex)).status, 200);
    } finally {
      await guarded.close();
    }
  });

  it('caps a tenant’s concurrent queries: beyond its sessions, 503 with Retry-After, never a crash', async () => {
    // A service that gives up waiting for a session after half a second.
    const busy = await serve(
      { AUTH_FILE: authFile, RAW_SQL: 'true', TENANT_POOL_MAX: '2', POOL_ACQUIRE_TIMEOUT_MS: '500' },
      registry,
    );
    try {
      const globex = (): { size: number; max: number } | undefined =>
        busy.app.queries.tenants?.stats()['globex'];
      const sql = (body: unknown) =>
        call('POST', `${busy.url}/v1/sql`, { body, headers: asKey(KEYS.globex) });
      const read = () =>
        call('GET', `${busy.url}/v1/datasets/everything/rows?limit=1`, { headers: asKey(KEYS.globex) });
      // Both of the tenant's sessions open first (their creation may outlast one wait); dataset
      // reads leave them in the pool, where raw SQL would close them after use.
      for (let attempt = 0; attempt < 40; attempt++) {
        const warm = await Promise.all([read(), read()]);
        if (warm.every((a) => a.status === 200) && globex()?.size === 2) break;
        await sleep(250);
      }
      assert.equal(globex()?.size, 2);
      const slow = { sql: 'SELECT count(*) AS n FROM range(0, 400000000, 1, 4)' };
      const answers = await Promise.all(Array.from({ length: 8 }, () => sql(slow)));
      const statuses = answers.map((a) => a.status);
      assert.ok(
        statuses.every((s) => s === 200 || s === 503),
        String(statuses),
      );
      assert.ok(statuses.filter((s) => s === 200).length >= 2, String(statuses));
      const refused = answers.filter((a) => a.status === 503);
      assert.ok(refused.length > 0, `no request was refused: ${String(statuses)}`);
      for (const answer of refused) {
        problem(answer, 503, 'SESSIONS_BUSY');
        assert.ok(Number(answer.headers['retry-after']) > 0);
      }
      assert.equal(globex()?.max, 2);
      assert.equal((await call('GET', `${busy.url}/healthz`)).status, 200);
    } finally {
      await busy.close();
    }
  });
});
