import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { closedPort } from '../helpers/closed-port.js';

/** What GraphQL refuses before anything runs: answered with Spark unreachable. */
let app: FastifyInstance;
let withGraphiql: FastifyInstance;

before(async () => {
  const env = {
    SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
    LOG_LEVEL: 'silent',
    ANONYMOUS: 'true',
    GRAPHQL_MAX_DEPTH: '2',
    GRAPHQL_MAX_COMPLEXITY: '50',
    GRAPHQL_MAX_FIELDS: '20',
    GRAPHQL_MAX_ALIASES: '4',
  };
  app = await buildApp(loadConfig(env));
  withGraphiql = await buildApp(loadConfig({ ...env, GRAPHIQL: 'true' }));
});
after(async () => {
  await app.close();
  await withGraphiql.close();
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(payload: unknown): Promise<Answer> {
  const response = await app.inject({ method: 'POST', url: '/graphql', payload: payload as object });
  return { status: response.statusCode, body: response.json() };
}

function refused(answer: Answer, pattern: RegExp): void {
  assert.equal(answer.status, 400, JSON.stringify(answer.body));
  assert.equal(answer.body.data ?? null, null);
  const [error] = answer.body.errors ?? [];
  assert.ok(error !== undefined);
  assert.match(error.message, pattern);
  assert.equal(error.extensions?.['code'], 'REQUEST_INVALID');
}

describe('GraphQL documents refused before they run', () => {
  it('a syntax error, saying where', async () => {
    refused(await post({ query: '{ datasets { name ' }), /Syntax Error/);
  });

  it('an unknown field', async () => {
    refused(await post({ query: '{ datasetz { name } }' }), /Cannot query field "datasetz"/);
  });

  it('a value of the wrong type', async () => {
    refused(
      await post({ query: '{ query(dataset: "events", limit: "ten") { rowCount } }' }),
      /Int cannot represent non-integer value: "ten"/,
    );
  });

  it('a document nested deeper than the limit', async () => {
    refused(await post({ query: '{ datasets { columns { name } } }' }), /depth/i);
    // Introspection is bounded by its own rule, not by this limit.
    const introspection = await post({ query: '{ __schema { types { fields { name } } } }' });
    assert.equal(introspection.status, 200, JSON.stringify(introspection.body));
    const shallow = await post({ query: '{ datasets { name } }' });
    assert.notEqual(shallow.status, 400, 'two levels are allowed');
  });

  it('a document more complex than the limit: each dataset query costs 10', async () => {
    const fields = Array.from({ length: 6 }, (_, i) => `q${i}: query(dataset: "events") { rowCount }`);
    refused(
      await post({ query: `{ ${fields.slice(0, 4).join(' ')} ${fields.slice(4).join(' ')} }` }),
      /complexity is \d+; at most 50/,
    );
  });

  it('a document with more fields than the limit', async () => {
    const names = Array.from({ length: 22 }, () => 'name').join(' ');
    refused(await post({ query: `{ datasets { ${names} } }` }), /selects 2\d fields; at most 20/);
  });

  it('a document with more aliases than the limit', async () => {
    const aliased = Array.from({ length: 5 }, (_, i) => `n${i}: name`).join(' ');
    refused(await post({ query: `{ datasets { ${aliased} } }` }), /5 aliases; at most 4/);
  });

  it('a body that is not a GraphQL request', async () => {
    const response = await app.inject({ method: 'POST', url: '/graphql', payload: { nope: 1 } });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, response.body);
  });
});

describe('GraphQL persisted queries and GraphiQL', () => {
  it('runs a query by its hash once the server has seen it (automatic persisted queries)', async () => {
    const query = '{ __typename dataset(name: "nope") { name } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await post({ extensions });
    assert.match(JSON.stringify(unknown.body), /PersistedQueryNotFound|PERSISTED_QUERY_NOT_FOUND/);
    const registered = await post({ query, extensions });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const byHash = await post({ extensions });
    assert.equal(byHash.status, 200);
    assert.deepEqual(byHash.body, registered.body);
    assert.deepEqual(byHash.body.data, { __typename: 'Query', dataset: null });
  });

  it('serves GraphiQL only when enabled', async () => {
    assert.equal((await app.inject('/graphiql')).statusCode, 404);
    const page = await withGraphiql.inject('/graphiql');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /graphiql/i);
  });

  it('serves the generic schema while Spark cannot describe the datasets', async () => {
    const sdl = await app.inject('/graphql/schema.graphql');
    assert.equal(sdl.statusCode, 200);
    assert.match(sdl.body, /type Query/);
    assert.doesNotMatch(sdl.body, /EventsRow/);
  });
});
