/**
 * What callers are told of Spark's errors, against Spark: the error class, SQLSTATE and what
 * Spark said when it is harmless, never the analysed plan, a dataset's SQL, setup views or row
 * filter values; the service's log keeps Spark's whole message.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { loggerOptions } from '../../src/observability/logging.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const REGION = 'ZONE7731';
const KEY = 'error-details-key';
/** Text of the datasets' definitions and setup that no caller may see. */
const INTERNALS = ['hidden_sales', 'internal_margin', '424242', REGION, 'Range (0', 'SubqueryAlias'];
/** Text that only a plan dump or a SQL excerpt has. */
const PLAN = /GlobalLimit|LocalLimit|Project \[|Filter \(|'Filter|\+- |== SQL|\^\^\^/;

const registry = new DatasetRegistry({
  setup: {
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW hidden_sales AS
       SELECT id, IF(id % 2 = 0, '${REGION}', 'OTHER') AS region, concat('x', id) AS code,
         id * 3 AS internal_margin
       FROM range(0, 100)`,
    ],
  },
  datasets: {
    broken: {
      description: 'a template that no longer resolves, with a row filter',
      sql: 'SELECT id, region, no_such_column FROM hidden_sales WHERE internal_margin > 424242',
      rowFilters: [{ column: 'region', claim: 'region' }],
    },
    casts: {
      description: 'a template whose cast fails on the data, with a row filter',
      sql: 'SELECT id, region, CAST(code AS INT) AS code_int FROM hidden_sales WHERE internal_margin < 424242',
      rowFilters: [{ column: 'region', claim: 'region' }],
    },
    divides: {
      description: 'a template that divides by zero',
      sql: 'SELECT id, region, 10 / (id - id) AS ratio FROM hidden_sales WHERE internal_margin < 424242',
      rowFilters: [{ column: 'region', claim: 'region' }],
    },
    numbered: {
      description: 'a row filter on a numeric column, bound to a text claim',
      sql: 'SELECT id, internal_margin FROM hidden_sales',
      rowFilters: [{ column: 'internal_margin', claim: 'region' }],
    },
  },
});

let app: FastifyInstance;
const logged: string[] = [];

before(async () => {
  const authFile = join(mkdtempSync(join(tmpdir(), 'spark-data-api-errors-')), 'auth.yaml');
  const sha = createHash('sha256').update(KEY).digest('hex');
  writeFileSync(
    authFile,
    `apiKeys:\n  - { name: k, sha256: ${sha}, tenant: acme, scopes: [datasets:read, sql:execute], claims: { region: ${REGION} } }\n`,
  );
  const config = loadConfig({
    SPARK_REMOTE: sparkRemote(),
    LOG_LEVEL: 'info',
    AUTH_FILE: authFile,
    RAW_SQL: 'true',
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(...chunk.toString('utf8').split('\n'));
      done();
    },
  });
  app = await buildApp(config, { registry }, { logger: { ...loggerOptions(config), stream } });
});
after(() => app.close());

async function ask(method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await app.inject({
    method,
    url,
    headers: { 'x-api-key': KEY },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.body, json: response.json<Record<string, unknown>>() };
}

function tellsNothingInternal(body: string): void {
  assert.doesNotMatch(body, PLAN, body);
  for (const secret of INTERNALS) assert.ok(!body.includes(secret), `${secret} in ${body}`);
}

describe('Spark errors told to callers', () => {
  it('a dataset whose template fails: the error class and SQLSTATE, no plan, SQL or row filter', async () => {
    for (const url of ['/v1/datasets/broken/rows?limit=1', '/v1/datasets/broken']) {
      const answer = await ask('GET', url);
      assert.equal(answer.status, 400, answer.body);
      assert.equal(answer.json['code'], 'SPARK_QUERY_ERROR');
      assert.equal(answer.json['errorClass'], 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
      assert.equal(answer.json['sqlState'], '42703');
      assert.match(String(answer.json['detail']), /UNRESOLVED_COLUMN/);
      tellsNothingInternal(answer.body);
    }
  });

  it('a row-filtered dataset whose data fails a cast: no value, plan or SQL excerpt', async () => {
    const answer = await ask('POST', '/v1/datasets/casts/query', { limit: 5 });
    assert.equal(answer.status, 422, answer.body);
    assert.equal(answer.json['errorClass'], 'CAST_INVALID_INPUT');
    assert.equal(answer.json['sqlState'], '22018');
    assert.doesNotMatch(answer.body, /'x\d+'/);
    tellsNothingInternal(answer.body);
  });

  it('a harmless first line is told as Spark said it, without its SQL excerpt', async () => {
    const answer = await ask('GET', '/v1/datasets/divides/rows?limit=5');
    assert.equal(answer.status, 422, answer.body);
    assert.equal(answer.json['errorClass'], 'DIVIDE_BY_ZERO');
    assert.match(String(answer.json['detail']), /^\[DIVIDE_BY_ZERO\] Division by zero\. Use `try_divide`/);
    tellsNothingInternal(answer.body);
  });

  it('a row filter whose claim does not fit its column: 403 that names neither', async () => {
    const answer = await ask('GET', '/v1/datasets/numbered/rows?limit=5');
    assert.equal(answer.status, 403, answer.body);
    assert.equal(answer.json['code'], 'FORBIDDEN');
    tellsNothingInternal(answer.body);
  });

  it('raw SQL: Spark’s first line and where in the SQL, no plan or setup views', async () => {
    const answer = await ask('POST', '/v1/sql', { sql: 'SELECT nope FROM hidden_sales' });
    assert.equal(answer.status, 400, answer.body);
    assert.equal(answer.json['errorClass'], 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
    assert.equal(answer.json['pointer'], '/sql');
    assert.match(String(answer.json['detail']), /`nope` cannot be resolved.*line 1, position 7 of the SQL/);
    assert.doesNotMatch(answer.body, PLAN);
    assert.ok(!answer.body.includes('Range (0') && !answer.body.includes('View ('), answer.body);
    const syntax = await ask('POST', '/v1/sql', { sql: 'SELEC 1' });
    const ready = await ask('GET', '/readyz');
    if (String(ready.json['sparkVersion']).startsWith('4.0.')) {
      // Spark 4.0 runs a command while analysing it: what does not start as a query is refused
      // before Spark sees it (see raw-sql.test.ts).
      assert.equal(syntax.status, 403, syntax.body);
      assert.equal(syntax.json['code'], 'SQL_UNCHECKABLE');
      assert.match(String(syntax.json['detail']), /does not start as one/);
    } else {
      assert.equal(syntax.status, 400, syntax.body);
      assert.match(String(syntax.json['detail']), /Syntax error at or near 'SELEC'\. \(line 1, position 0/);
    }
    assert.doesNotMatch(syntax.body, PLAN);
  });

  it('through GraphQL: the same codes and the same restraint', async () => {
    const answer = await ask('POST', '/graphql', {
      query:
        '{ a: query(dataset: "broken", limit: 1) { rowCount } b: query(dataset: "casts", limit: 5) { rowCount } }',
    });
    const errors = answer.json['errors'] as {
      message: string;
      extensions: { code: string; errorClass: string };
    }[];
    assert.deepEqual(errors.map((e) => [e.extensions.code, e.extensions.errorClass]).sort(), [
      ['SPARK_DATA_ERROR', 'CAST_INVALID_INPUT'],
      ['SPARK_QUERY_ERROR', 'UNRESOLVED_COLUMN.WITH_SUGGESTION'],
    ]);
    tellsNothingInternal(answer.body);
  });

  it('the log keeps Spark’s whole message', () => {
    const lines = logged.filter((l) => l !== '').map((l) => JSON.parse(l) as { msg: string });
    const refusals = lines
      .filter((l) => l.msg === 'Spark refused the query' || l.msg === 'Spark refused a field')
      .map((l) => JSON.stringify(l));
    assert.ok(refusals.some((l) => l.includes('no_such_column') && /GlobalLimit/.test(l)));
    assert.ok(refusals.some((l) => l.includes('CAST_INVALID_INPUT') && l.includes('== SQL')));
    assert.ok(refusals.some((l) => l.includes('Spark refused a field')));
  });
});
