/**
 * A dataset Spark cannot describe (its table is not there yet): the others keep their typed
 * operations and GraphQL fields, and the missing one appears, and answers, once its table exists.
 */
import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { call, serve, type Served } from '../helpers/http.js';
import { collectSql, connect } from '../helpers/spark.js';

const TABLE = `openapi_later_${process.pid}`;
const client = connect();
let served: Served;

before(async () => {
  const registry = new DatasetRegistry({
    datasets: {
      numbers: { description: 'Numbers.', sql: 'SELECT id FROM range(0, 10)', maxLimit: 100 },
      later: { description: 'A table made later.', table: TABLE, maxLimit: 100 },
    },
  });
  served = await serve({ ANONYMOUS: 'true' }, registry);
});

after(async () => {
  await collectSql(client.newSession(), `DROP TABLE IF EXISTS ${TABLE}`);
  await served.close();
  client.close();
});

async function paths(): Promise<string[]> {
  const answer = await call('GET', `${served.url}/openapi.json`);
  assert.equal(answer.status, 200, answer.text());
  return Object.keys((answer.json() as { paths: Record<string, unknown> }).paths);
}

async function graphqlFields(): Promise<string[]> {
  const answer = await call('POST', `${served.url}/graphql`, {
    body: { query: '{ __schema { queryType { fields { name } } } }' },
  });
  assert.equal(answer.status, 200, answer.text());
  const data = answer.json() as { data: { __schema: { queryType: { fields: { name: string }[] } } } };
  return data.data.__schema.queryType.fields.map((f) => f.name);
}

describe('a dataset Spark cannot describe', () => {
  it('leaves it out of the OpenAPI document and the GraphQL schema until its table exists', async () => {
    const before = await paths();
    assert.ok(before.includes('/v1/datasets/numbers/rows'), before.join(' '));
    assert.ok(!before.includes('/v1/datasets/later/rows'), before.join(' '));
    assert.ok(before.includes('/v1/datasets/{name}/rows'), 'the generic operations stay');
    const fields = await graphqlFields();
    assert.ok(fields.includes('numbers') && !fields.includes('later'), fields.join(' '));

    // `datasets` lists both; only the columns of the one Spark cannot describe are missing.
    const listed = await call('POST', `${served.url}/graphql`, {
      body: { query: '{ datasets { name maxLimit } }' },
    });
    assert.deepEqual(listed.json(), {
      data: {
        datasets: [
          { name: 'numbers', maxLimit: 100 },
          { name: 'later', maxLimit: 100 },
        ],
      },
    });
    const described = await call('POST', `${served.url}/graphql`, {
      body: { query: '{ datasets { name columns { name type } } }' },
    });
    assert.equal(described.status, 200, described.text());
    const body = described.json() as {
      data: { datasets: { name: string; columns: unknown }[] };
      errors: { path: unknown[]; extensions: { code: string } }[];
    };
    assert.deepEqual(body.data.datasets, [
      { name: 'numbers', columns: [{ name: 'id', type: 'bigint' }] },
      { name: 'later', columns: null },
    ]);
    assert.deepEqual(
      body.errors.map((e) => e.path),
      [['datasets', 1, 'columns']],
    );

    await collectSql(client.newSession(), `CREATE TABLE ${TABLE} USING parquet AS SELECT 1 AS one`);
    const later = await paths();
    assert.ok(later.includes('/v1/datasets/numbers/rows'), later.join(' '));
    assert.ok(later.includes('/v1/datasets/later/rows'), later.join(' '));
    // The pooled session that failed to find the table before finds it now.
    const rows = await call('GET', `${served.url}/v1/datasets/later/rows?format=json`);
    assert.equal(rows.status, 200, rows.text());
    assert.deepEqual((rows.json() as { rows: unknown[] }).rows, [{ one: 1 }]);
    // GraphQL tries again every few seconds.
    let now = await graphqlFields();
    for (let tries = 0; !now.includes('later') && tries < 60; tries++) {
      await setTimeout(500);
      now = await graphqlFields();
    }
    assert.ok(now.includes('later') && now.includes('numbers'), now.join(' '));
  });
});
