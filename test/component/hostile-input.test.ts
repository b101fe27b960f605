import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { ERROR_CODES } from '../../src/errors/catalogue.js';
import { SCALAR_TYPES } from '../../src/query/scalar-types.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';
import {
  deepFilter,
  filterTree,
  hugeNumber,
  hugeNumberText,
  likePattern,
  oddKey,
} from '../helpers/hostile.js';

/**
 * Hostile input through every route of the whole app, against a fake Connect server (what
 * passes validation runs and returns no rows): never a 5xx, and every refusal a catalogue
 * problem. What Spark itself does with what passes is tested against real Spark.
 */
let fake: FakeConnectServer;
let app: FastifyInstance;

const registry = new DatasetRegistry({
  datasets: {
    events: { description: 'Events.', table: 'events', maxLimit: 2_147_483_647 },
    probe: {
      description: 'Typed parameters.',
      sql: 'SELECT :n AS n, :d AS d, :top AS top, :since AS since, :s AS s',
      parameters: {
        n: { type: 'long', min: '-9007199254740993', max: '9007199254740993' },
        d: { type: 'decimal', min: '0.10000000000000000001', max: '99999999999999999999.5' },
        top: { type: 'int', min: 1, max: 100 },
        since: { type: 'timestamp' },
        s: { type: 'string' },
      },
    },
  },
});

before(async () => {
  fake = await FakeConnectServer.start([
    { name: 'event_id', kind: 'long' },
    { name: 'event_type', kind: 'string' },
    { name: 'region', kind: 'string' },
    { name: 'ts', kind: 'timestamp' },
    { name: 'revenue', kind: 'decimal' },
    { name: 'user_id', kind: 'long' },
  ]);
  app = await buildApp(
    // The rate limit stays out of the way: every request must reach the code it is aimed at.
    loadConfig({
      SPARK_REMOTE: fake.remote,
      LOG_LEVEL: 'silent',
      ANONYMOUS: 'true',
      RAW_SQL: 'true',
      RATE_LIMIT_MAX: '1000000',
    }),
    { registry },
  );
});
after(async () => {
  await app.close();
  await fake.close();
});

/** No 5xx; a refusal is problem+json with a code of the catalogue (and not the rate limit's). */
function answered(response: LightMyRequestResponse, what: unknown): void {
  const context = `${response.statusCode} ${response.body.slice(0, 300)} for ${JSON.stringify(what).slice(0, 300)}`;
  assert.ok(response.statusCode < 500 && response.statusCode !== 429, context);
  if (response.statusCode >= 400) {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, context);
    assert.ok(ERROR_CODES.has(response.json<{ code: string }>().code), context);
  }
}

/** No GraphQL error with a 5xx status, whether the document ran or not. */
function answeredGraphql(response: LightMyRequestResponse, what: unknown): void {
  const context = `${response.statusCode} ${response.body.slice(0, 300)} for ${JSON.stringify(what).slice(0, 300)}`;
  assert.ok(response.statusCode < 500 && response.statusCode !== 429, context);
  const { errors = [] } = response.json<{ errors?: { extensions?: { status?: number; code?: string } }[] }>();
  for (const error of errors) {
    assert.ok((error.extensions?.status ?? 400) < 500, context);
    assert.ok(ERROR_CODES.has(error.extensions?.code ?? ''), context);
  }
}

const postJson = (url: string, payload: string) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });

const RUNS = { numRuns: 150 };

describe('hostile query strings', () => {
  const OPS = ['eq', 'ne', 'lt', 'gte', 'in', 'not_in', 'like', 'ilike', 'is_null', 'near', ''];
  const entry = fc.oneof(
    fc.tuple(fc.constantFrom('limit', 'offset', 'maxRows'), hugeNumberText),
    fc.tuple(
      fc.constant('select'),
      fc.array(oddKey, { maxLength: 40 }).map((a) => a.join(',')),
    ),
    fc.tuple(
      fc.constant('orderBy'),
      fc.array(oddKey, { maxLength: 40 }).map((a) => a.join(',')),
    ),
    fc.tuple(
      oddKey.map((k) => `params[${k}]`),
      hugeNumberText,
    ),
    fc
      .tuple(
        fc.oneof(fc.constantFrom('region', 'event_id', 'ts', 'revenue'), oddKey),
        fc.constantFrom(...OPS),
      )
      .chain(([column, op]) =>
        fc.tuple(
          fc.constant(op === '' ? `filter[${column}]` : `filter[${column}][${op}]`),
          fc.oneof(likePattern, hugeNumberText, fc.constant('true')),
        ),
      ),
  );

  it('rows of a table and of a SQL dataset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('events', 'probe'),
        fc.array(entry, { maxLength: 8 }),
        async (name, entries) => {
          const query = new URLSearchParams(entries).toString();
          answered(await app.inject(`/v1/datasets/${name}/rows?${query}`), query);
        },
      ),
      RUNS,
    );
  });
});

describe('hostile QuerySpec bodies', () => {
  const spec = fc.record(
    {
      params: fc.dictionary(oddKey, fc.oneof(hugeNumber, hugeNumberText)),
      select: fc.array(oddKey, { maxLength: 300 }),
      where: fc.oneof(filterTree, deepFilter),
      having: fc.oneof(filterTree, deepFilter),
      groupBy: fc.array(fc.oneof(fc.constant('region'), oddKey), { minLength: 1, maxLength: 3 }),
      aggregates: fc.array(
        fc.record({
          fn: fc.constantFrom('count', 'approx_percentile', 'sum'),
          column: fc.constantFrom('revenue', 'event_id'),
          percentile: hugeNumber,
          as: oddKey,
        }),
        { maxLength: 3 },
      ),
      limit: hugeNumber,
      offset: hugeNumber,
    },
    { requiredKeys: [] },
  );

  it('huge numbers, deep and wide trees, long patterns and odd keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('events', 'probe'), spec, async (name, body) => {
        const text = JSON.stringify(body);
        answered(await postJson(`/v1/datasets/${name}/query`, text), body);
      }),
      RUNS,
    );
  });

  it('bodies nesting deeper than any schema, and keys that could reach a prototype', async () => {
    for (const depth of [63, 64, 65, 328, 5_000, 100_000]) {
      answered(
        await postJson(
          '/v1/datasets/events/query',
          `{"where":${'{"op":"not","filter":'.repeat(depth)}{}${'}'.repeat(depth + 1)}`,
        ),
        depth,
      );
      answered(await postJson('/v1/datasets/events/query', `{"params":${'['.repeat(depth)}`), depth);
    }
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      for (const body of [`{"${key}":{}}`, `{"params":{"${key}":1}}`, `{"constructor":{"${key}":{}}}`]) {
        answered(await postJson('/v1/datasets/probe/query', body), body);
      }
    }
  });
});

describe('hostile GraphQL arguments', () => {
  /** A typed `where` from a QuerySpec filter tree: `_and`, `_or`, `_not` and `column: { _op: value }`. */
  const typedWhere = (f: unknown): unknown => {
    const filter = f as {
      op: string;
      column?: string;
      value?: unknown;
      values?: unknown;
      pattern?: string;
      filter?: unknown;
      filters?: unknown[];
    };
    switch (filter.op) {
      case 'and':
      case 'or':
        return { [`_${filter.op}`]: (filter.filters ?? []).map(typedWhere) };
      case 'not':
        return { _not: typedWhere(filter.filter) };
      case 'in':
      case 'not_in':
        return { [filter.column ?? 'region']: { [filter.op === 'in' ? '_in' : '_nin']: filter.values } };
      case 'like':
      case 'ilike':
        return { [filter.column ?? 'region']: { [`_${filter.op}`]: filter.pattern } };
      default:
        return {
          [filter.column ?? 'region']: { [filter.op === 'ne' ? '_neq' : `_${filter.op}`]: filter.value },
        };
    }
  };
  const graphql = (query: string, variables: unknown) =>
    postJson('/graphql', JSON.stringify({ query, variables }));

  it('typed fields: where, limit and offset', async () => {
    const query =
      'query($w: EventsWhere, $l: Int, $o: Int) { events(where: $w, limit: $l, offset: $o) { event_id } ' +
      'eventsAggregate(where: $w, limit: $l, offset: $o) { count } }';
    await fc.assert(
      fc.asyncProperty(fc.oneof(filterTree, deepFilter), hugeNumber, hugeNumber, async (f, l, o) => {
        const variables = { w: typedWhere(f), l, o };
        answeredGraphql(await graphql(query, variables), variables);
      }),
      RUNS,
    );
  });

  it('the generic query field: filters, params, limit and offset', async () => {
    const query =
      'query($w: FilterInput, $h: FilterInput, $p: JSON, $l: Int, $o: Int, $d: String!) { ' +
      'query(dataset: $d, where: $w, having: $h, params: $p, limit: $l, offset: $o, ' +
      'groupBy: [{column: "region"}], aggregates: [{fn: count, as: "c"}]) { rowCount } }';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('events', 'probe'),
        fc.oneof(filterTree, deepFilter),
        fc.oneof(filterTree, deepFilter),
        fc.dictionary(oddKey, fc.oneof(hugeNumber, hugeNumberText)),
        hugeNumber,
        hugeNumber,
        async (d, w, h, p, l, o) => {
          const variables = { d, w, h, p, l, o };
          answeredGraphql(await graphql(query, variables), variables);
        },
      ),
      RUNS,
    );
  });

  it('documents nesting deep or holding many tokens', async () => {
    for (const depth of [10, 64, 65, 400, 3_000, 50_000]) {
      const where = `${'{_not: '.repeat(depth)}{region: {_eq: "EU"}}${'}'.repeat(depth)}`;
      answeredGraphql(await graphql(`{ events(where: ${where}) { event_id } }`, undefined), depth);
      answeredGraphql(await graphql(`{ ${'a: events { '.repeat(depth)} }`, undefined), depth);
      const wide = `{_or: [${Array.from({ length: depth }, () => '{region: {_eq: "EU"}}').join(',')}]}`;
      answeredGraphql(await graphql(`{ events(where: ${wide}) { event_id } }`, undefined), depth);
    }
  });
});

describe('hostile raw SQL parameters', () => {
  const typedParameter = fc.record({
    type: fc.constantFrom(...SCALAR_TYPES, 'null'),
    value: fc.oneof(hugeNumber, hugeNumberText, fc.string(), fc.boolean(), likePattern),
  });
  const value = fc.oneof(hugeNumber, hugeNumberText, fc.boolean(), typedParameter);

  it('named and positional, typed or bare', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z_]\w{0,10}$/), oddKey), value),
        fc.array(value, { maxLength: 20 }),
        async (params, positional) => {
          for (const body of [
            { sql: 'SELECT :x', params },
            { sql: 'SELECT ?', positional },
          ]) {
            answered(await postJson('/v1/sql', JSON.stringify(body)), body);
          }
        },
      ),
      RUNS,
    );
  });
});
