/** Every route's answers, good and bad, as openapi.yaml describes them. */
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { assertMatchesContract } from '../helpers/contract.js';
import { call, serve, type Served } from '../helpers/http.js';

const registry = new DatasetRegistry({
  setup: {
    statements: [
      "CREATE OR REPLACE TEMPORARY VIEW things AS SELECT id, concat('thing ', id) AS name FROM range(0, 100)",
    ],
  },
  datasets: {
    things: { description: 'things', table: 'things' },
    things_from: {
      description: 'things from an id on',
      sql: 'SELECT * FROM things WHERE id >= :from',
      parameters: { from: { type: 'long', required: true, description: 'first id' } },
    },
  },
});

let served: Served;
before(async () => {
  // The failure case below calls Java by reflection, which raw SQL may do only when allowed.
  served = await serve({ RAW_SQL: 'true', RAW_SQL_ALLOW_REFLECTION: 'true' }, registry);
});
after(() => served.close());

const cases: [string, string, string, { body?: unknown; headers?: Record<string, string> }?][] = [
  ['GET', '/healthz', '/healthz'],
  ['GET', '/readyz', '/readyz'],
  ['GET', '/openapi.yaml', '/openapi.yaml'],
  ['GET', '/v1/datasets', '/v1/datasets'],
  ['GET', '/v1/datasets/{name}', '/v1/datasets/things_from'],
  ['GET', '/v1/datasets/{name}', '/v1/datasets/nothing'],
  ['GET', '/v1/datasets/{name}', '/v1/datasets/Not-a-name'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?limit=3'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?limit=3&format=json'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?limit=3&format=csv'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?limit=3&format=arrow'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things_from/rows?params%5Bfrom%5D=98'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things_from/rows'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?filter%5Bnope%5D=1'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows', { headers: { accept: 'image/png' } }],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/things/rows?maxRows=999999999'],
  ['GET', '/v1/datasets/{name}/rows', '/v1/datasets/nothing/rows'],
  [
    'POST',
    '/v1/datasets/{name}/query',
    '/v1/datasets/things/query',
    { body: { where: { op: 'gt', column: 'id', value: 97 } } },
  ],
  [
    'POST',
    '/v1/datasets/{name}/query',
    '/v1/datasets/things/query?format=json',
    { body: { aggregates: [{ fn: 'count', as: 'n' }] } },
  ],
  ['POST', '/v1/datasets/{name}/query', '/v1/datasets/things/query', { body: { where: { op: 'zz' } } }],
  ['POST', '/v1/sql', '/v1/sql', { body: { sql: 'SELECT :a AS a', params: { a: 1 } } }],
  ['POST', '/v1/sql', '/v1/sql', { body: { sql: 'SELEC 1' } }],
  ['POST', '/v1/sql', '/v1/sql', { body: { sql: 'SELECT * FROM nowhere' } }],
  ['POST', '/v1/sql', '/v1/sql', { body: { sql: 'SELECT 1/0' } }],
  ['POST', '/v1/sql', '/v1/sql', { body: { sql: "SELECT reflect('java.lang.Integer', 'parseInt', 'x')" } }],
];

describe('answers match openapi.yaml', () => {
  for (const [method, path, url, options] of cases) {
    it(`${method} ${url}${options?.headers ? ` (${JSON.stringify(options.headers)})` : ''}`, async () => {
      const answer = await call(method, `${served.url}${url}`, options ?? {});
      assertMatchesContract(method, path, {
        status: answer.status,
        contentType: answer.headers['content-type'],
        body: answer.headers['content-type']?.includes('arrow') ? '' : answer.text(),
      });
    });
  }
});
