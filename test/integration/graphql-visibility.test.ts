/**
 * Each caller's GraphQL schema holds only the datasets it may use, against Spark: introspection,
 * `__type`, the SDL, validation messages and 404 lists never name another tenant's datasets or
 * columns, and `dataset(name)` refuses another tenant's dataset as REST does.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { call, serve, type Served } from '../helpers/http.js';

const KEYS = {
  acme: 'acme-visibility-key',
  globex: 'globex-visibility-key',
  narrow: 'narrow-visibility-key',
};
const registry = new DatasetRegistry({
  datasets: {
    acme_sales: {
      description: 'acme only',
      sql: 'SELECT id, id * 2 AS acme_margin FROM range(0, 10)',
      tenants: ['acme'],
    },
    globex_orders: {
      description: 'globex only',
      sql: 'SELECT id, id * 3 AS globex_margin FROM range(0, 10)',
      tenants: ['globex'],
    },
    shared_events: { description: 'everyone', sql: 'SELECT id, id % 2 AS parity FROM range(0, 10)' },
  },
});
/** What acme must never learn, and what globex must never learn. */
const SECRETS = {
  acme: ['globex_orders', 'GlobexOrders', 'globex_margin'],
  globex: ['acme_sales', 'AcmeSales', 'acme_margin'],
  narrow: ['globex_orders', 'GlobexOrders', 'globex_margin', 'acme_sales', 'AcmeSales', 'acme_margin'],
};
type Who = keyof typeof KEYS;

let served: Served;
before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'spark-data-api-visibility-')), 'auth.yaml');
  const sha = (key: string) => createHash('sha256').update(key).digest('hex');
  writeFileSync(
    file,
    [
      'apiKeys:',
      `  - { name: acme, sha256: ${sha(KEYS.acme)}, tenant: acme, scopes: [datasets:read] }`,
      `  - { name: globex, sha256: ${sha(KEYS.globex)}, tenant: globex, scopes: [datasets:read] }`,
      `  - { name: narrow, sha256: ${sha(KEYS.narrow)}, tenant: acme, scopes: [datasets:read], datasets: [shared_events] }`,
    ].join('\n'),
  );
  served = await serve({ AUTH_FILE: file, ANONYMOUS: 'false', AUTH_FAILURES_MAX: '100000' }, registry);
  // The typed fields appear once Spark has described the datasets.
  for (let i = 0; i < 120; i++) {
    const sdl = await call('GET', `${served.url}/graphql/schema.graphql`, {
      headers: { 'x-api-key': KEYS.acme },
    });
    if (sdl.text().includes('acme_sales(')) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});
after(() => served.close());

const graphql = (who: Who, query: string) =>
  call('POST', `${served.url}/graphql`, { body: { query }, headers: { 'x-api-key': KEYS[who] } });

function learnsNothingOfOthers(who: Who, text: string): void {
  for (const secret of SECRETS[who])
    assert.ok(!text.includes(secret), `${who} learns ${secret}: ${text.slice(0, 300)}`);
}

const INTROSPECTION = `{ __schema { queryType { fields { name } } types { name fields { name } inputFields { name } enumValues { name } } } }`;

describe('what each caller’s GraphQL schema shows', () => {
  it('introspection: only the caller’s datasets, their types and columns', async () => {
    const seen: Record<string, string[]> = {};
    for (const who of ['acme', 'globex', 'narrow'] as const) {
      const answer = await graphql(who, INTROSPECTION);
      assert.equal(answer.status, 200, answer.text());
      learnsNothingOfOthers(who, answer.text());
      const body = answer.json() as { data: { __schema: { queryType: { fields: { name: string }[] } } } };
      seen[who] = body.data.__schema.queryType.fields.map((f) => f.name).filter((n) => n.includes('_'));
    }
    assert.deepEqual(seen['acme']?.sort(), [
      'acme_sales',
      'acme_salesAggregate',
      'shared_events',
      'shared_eventsAggregate',
    ]);
    assert.deepEqual(seen['globex']?.sort(), [
      'globex_orders',
      'globex_ordersAggregate',
      'shared_events',
      'shared_eventsAggregate',
    ]);
    assert.deepEqual(seen['narrow']?.sort(), ['shared_events', 'shared_eventsAggregate']);
  });

  it('__type: another tenant’s types do not exist for the caller', async () => {
    const probe =
      '{ row: __type(name: "GlobexOrdersRow") { name fields { name } } where: __type(name: "GlobexOrdersWhere") { name } }';
    const acme = (await graphql('acme', probe)).json() as { data: Record<string, unknown> };
    assert.deepEqual(acme.data, { row: null, where: null });
    const globex = (await graphql('globex', probe)).json() as {
      data: { row: { fields: { name: string }[] } };
    };
    assert.deepEqual(
      globex.data.row.fields.map((f) => f.name),
      ['id', 'globex_margin'],
    );
  });

  it('the SDL at /graphql/schema.graphql is the caller’s own', async () => {
    for (const who of ['acme', 'globex', 'narrow'] as const) {
      const sdl = await call('GET', `${served.url}/graphql/schema.graphql`, {
        headers: { 'x-api-key': KEYS[who] },
      });
      assert.equal(sdl.status, 200);
      learnsNothingOfOthers(who, sdl.text());
      assert.ok(sdl.text().includes('shared_events('));
    }
    const acme = await call('GET', `${served.url}/graphql/schema.graphql`, {
      headers: { 'x-api-key': KEYS.acme },
    });
    assert.ok(acme.text().includes('acme_margin'));
  });

  it('validation messages suggest only the caller’s own fields', async () => {
    for (const query of [
      '{ globex_orders { id } }',
      '{ globex_order { id } }',
      '{ acme_sales { globex_margn } }',
    ]) {
      const answer = await graphql('acme', query);
      assert.equal(answer.status, 400, answer.text());
      const errors = (answer.json() as { errors: { message: string; extensions: { code: string } }[] })
        .errors;
      assert.equal(errors[0]?.extensions.code, 'REQUEST_INVALID');
      // The caller's own words come back; nothing else of globex's.
      for (const e of errors) assert.doesNotMatch(e.message, /globex_orders"\?|GlobexOrders|globex_margin"/);
    }
    const typo = (await graphql('acme', '{ acme_sale { id } }')).json() as { errors: { message: string }[] };
    assert.match(typo.errors[0]?.message ?? '', /Did you mean "acme_sales"/);
  });

  it('runs the caller’s typed fields', async () => {
    const answer = await graphql(
      'acme',
      '{ acme_sales(limit: 2, orderBy: [{ id: asc }]) { id acme_margin } }',
    );
    assert.deepEqual((answer.json() as { data: unknown }).data, {
      acme_sales: [
        { id: '0', acme_margin: '0' },
        { id: '1', acme_margin: '2' },
      ],
    });
  });

  it('a document valid for one caller, sent again and again, stays invalid for another', async () => {
    const query = '{ acme_sales(limit: 1) { id } }';
    for (let i = 0; i < 3; i++) {
      assert.equal((await graphql('acme', query)).status, 200);
      for (const who of ['globex', 'narrow'] as const) {
        const answer = await graphql(who, query);
        assert.equal(answer.status, 400, answer.text());
        const errors = (answer.json() as { errors: { message: string }[] }).errors;
        assert.match(errors[0]?.message ?? '', /Cannot query field "acme_sales"/);
      }
    }
  });
});

describe('datasets another caller may use', () => {
  it('dataset(name) refuses it as REST does (403), and datasets lists only the caller’s', async () => {
    const answer = await graphql('acme', '{ dataset(name: "globex_orders") { name columns { name } } }');
    const body = answer.json() as { data: { dataset: null }; errors: { extensions: { code: string } }[] };
    assert.equal(body.data.dataset, null);
    assert.equal(body.errors[0]?.extensions.code, 'FORBIDDEN');
    // The name the caller sent comes back; nothing else of the dataset does.
    learnsNothingOfOthers('acme', answer.text().replaceAll('globex_orders', ''));
    const rest = await call('GET', `${served.url}/v1/datasets/globex_orders`, {
      headers: { 'x-api-key': KEYS.acme },
    });
    assert.equal(rest.status, 403);
    const list = (await graphql('narrow', '{ datasets { name } }')).json() as {
      data: { datasets: { name: string }[] };
    };
    assert.deepEqual(
      list.data.datasets.map((d) => d.name),
      ['shared_events'],
    );
    const narrow = (await graphql('narrow', '{ dataset(name: "acme_sales") { name } }')).json() as {
      errors: { extensions: { code: string } }[];
    };
    assert.equal(narrow.errors[0]?.extensions.code, 'FORBIDDEN');
  });

  it('a 404 lists only the caller’s datasets, over REST and GraphQL', async () => {
    for (const [who, mine] of [
      ['acme', ['acme_sales', 'shared_events']],
      ['globex', ['globex_orders', 'shared_events']],
      ['narrow', ['shared_events']],
    ] as const) {
      const rest = await call('GET', `${served.url}/v1/datasets/nope/rows`, {
        headers: { 'x-api-key': KEYS[who] },
      });
      assert.equal(rest.status, 404);
      assert.deepEqual((rest.json() as { allowed: string[] }).allowed, mine);
      const gql = await graphql(who, '{ query(dataset: "nope") { rowCount } }');
      const error = (gql.json() as { errors: { extensions: { code: string; allowed: string[] } }[] })
        .errors[0];
      assert.equal(error?.extensions.code, 'DATASET_NOT_FOUND');
      assert.deepEqual(error.extensions.allowed, mine);
      learnsNothingOfOthers(who, rest.text() + gql.text());
    }
  });
});
