/**
 * Raw SQL against Spark: what it may not do unless the operator allows it (read files, call
 * Java, run programs), and that nothing it changes in a session reaches the next callers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { call, serve, type Served } from '../helpers/http.js';
import { isSpark40 } from '../helpers/spark-release.js';

const registry = new DatasetRegistry({
  setup: {
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW events AS
       SELECT id AS event_id, element_at(array('EU', 'US'), CAST(id % 2 + 1 AS INT)) AS region
       FROM range(0, 1000, 1, 2)`,
    ],
  },
  datasets: {
    events: { description: 'events', table: 'events' },
    // Fails under the service's ANSI setting; a session set otherwise would answer null.
    strict: { description: 'a cast ANSI refuses', sql: "SELECT CAST('x' AS INT) AS v" },
  },
});

let served: Served;
let open: Served;
/**
 * Spark 4.0 runs a command while analysing it, so the service checks only queries there and
 * refuses every other statement it would have to check (SQL_UNCHECKABLE).
 */
let queriesOnly: boolean;
const isQuery = (text: string) => /^\s*(?:SELECT|WITH|VALUES|TABLE)\b/i.test(text);
/** The code a checked statement the policy refuses gets on this Spark. */
const refusalCode = (text: string) => (queriesOnly && !isQuery(text) ? 'SQL_UNCHECKABLE' : 'SQL_NOT_ALLOWED');
before(async () => {
  // One session for everyone: a session that went back to the pool would serve the next read.
  served = await serve(
    { RAW_SQL: 'true', POOL_MIN: '1', POOL_MAX: '1', AUTH_FAILURES_MAX: '1000' },
    registry,
  );
  open = await serve(
    {
      RAW_SQL: 'true',
      RAW_SQL_ALLOW_FILES: 'true',
      RAW_SQL_ALLOW_REFLECTION: 'true',
      POOL_MIN: '1',
      POOL_MAX: '1',
    },
    registry,
  );
  queriesOnly = await isSpark40(served);
});
after(async () => {
  await served.close();
  await open.close();
});

const sql = (target: Served, text: string) =>
  call('POST', `${target.url}/v1/sql?format=json`, { body: { sql: text } });

const FILES: string[] = [
  'SELECT * FROM text.`/etc/hostname`',
  'SELECT * FROM parquet.`/tmp`',
  "CREATE OR REPLACE TEMP VIEW host USING text OPTIONS (path '/etc/hostname')",
  "CREATE TABLE host_file USING text LOCATION '/etc/hostname'",
  "CREATE TABLE host_opts USING text OPTIONS (path '/etc/hostname')",
  'CACHE TABLE host_cache AS SELECT * FROM text.`/etc/hostname`',
  "ADD FILE '/etc/hostname'",
  "INSERT OVERWRITE DIRECTORY '/tmp/spark-data-api-out' USING text SELECT 'x'",
];
const REFLECTION: string[] = [
  "SELECT reflect('java.lang.System', 'getProperty', 'user.home') AS home",
  "SELECT java_method('java.lang.System', 'getProperty', 'user.name') AS who",
  "SELECT try_reflect('java.lang.System', 'getenv', 'PATH') AS path",
  "SELECT TRANSFORM(id) USING 'cat /etc/hostname' AS (line) FROM range(1)",
  "CREATE TEMPORARY FUNCTION peek AS 'org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection'",
  "ADD JAR '/opt/spark/jars/spark-core_2.13-4.2.0.jar'",
  // Reflection hidden in a view of the statement's own.
  "CREATE OR REPLACE TEMP VIEW sneaky AS SELECT java_method('java.lang.System', 'getProperty', 'user.name') AS who",
];

describe('raw SQL that reads files or runs code', () => {
  for (const text of FILES) {
    it(`refuses ${text}`, async () => {
      const answer = await sql(served, text);
      assert.equal(answer.status, 403, answer.text());
      const problem = answer.json() as { code: string; pointer: string; detail: string };
      assert.equal(problem.code, refusalCode(text));
      assert.equal(problem.pointer, '/sql');
      assert.match(
        problem.detail,
        queriesOnly && !isQuery(text) ? /Spark 4\.1 or newer/ : /RAW_SQL_ALLOW_FILES/,
      );
    });
  }

  it('ran none of the statements it refused', async () => {
    const tables = await sql(open, "SHOW TABLES LIKE 'host_*'");
    assert.equal(tables.status, 200, tables.text());
    assert.deepEqual((tables.json() as { rows: unknown[] }).rows, []);
    const written = await sql(open, 'SELECT * FROM text.`/tmp/spark-data-api-out`');
    assert.equal(written.status, 400, written.text());
    assert.equal((written.json() as { errorClass: string }).errorClass, 'PATH_NOT_FOUND');
  });
  for (const text of REFLECTION) {
    it(`refuses ${text}`, async () => {
      const answer = await sql(served, text);
      assert.equal(answer.status, 403, answer.text());
      const problem = answer.json() as { code: string; detail: string };
      assert.equal(problem.code, refusalCode(text));
      if (problem.code === 'SQL_NOT_ALLOWED') assert.match(problem.detail, /RAW_SQL_ALLOW_REFLECTION/);
    });
  }

  it('refuses EXECUTE IMMEDIATE, which Spark would run while analysing, and SQL scripts', async () => {
    for (const text of [
      "EXECUTE IMMEDIATE 'SELECT ref' || 'lect(''java.lang.System'', ''getProperty'', ''user.home'')'",
      "/* hi */ execute\n  immediate 'CREATE TABLE made_by_execute_immediate (a INT)'",
      "EXPLAIN EXECUTE IMMEDIATE 'SELECT 1'",
    ]) {
      const answer = await sql(served, text);
      assert.equal(answer.status, 403, answer.text());
      assert.equal((answer.json() as { code: string }).code, 'SQL_NOT_ALLOWED');
    }
    const tables = await sql(open, "SHOW TABLES LIKE 'made_by_*'");
    assert.deepEqual((tables.json() as { rows: unknown[] }).rows, [], 'nothing ran');
    const script = await sql(
      served,
      "BEGIN SELECT reflect('java.lang.System', 'getProperty', 'user.home'); END",
    );
    if (queriesOnly) {
      assert.equal(script.status, 403, script.text());
      assert.equal((script.json() as { code: string }).code, 'SQL_UNCHECKABLE');
    } else {
      assert.equal(script.status, 400, script.text());
      assert.equal((script.json() as { errorClass: string }).errorClass, 'UNSUPPORTED_FEATURE.SQL_SCRIPTING');
    }
  });

  it('runs them when the operator allows it', async () => {
    const host = await sql(open, 'SELECT * FROM text.`/etc/hostname`');
    assert.equal(host.status, 200, host.text());
    assert.equal((host.json() as { rowCount: number }).rowCount, 1);
    const who = await sql(open, "SELECT java_method('java.lang.System', 'getProperty', 'user.name') AS who");
    assert.equal(who.status, 200, who.text());
  });

  it('reads the catalog’s own tables, which are files too', async () => {
    const table = `raw_sql_catalog_${Date.now()}`;
    assert.equal((await sql(open, `CREATE TABLE ${table} USING parquet AS SELECT 7 AS a`)).status, 200);
    try {
      const answer = await sql(served, `SELECT a FROM ${table}`);
      assert.equal(answer.status, 200, answer.text());
      assert.deepEqual((answer.json() as { rows: unknown[] }).rows, [{ a: 7 }]);
    } finally {
      // On Spark 4.0 only queries can be checked: the service refuses the DROP, and nothing ran.
      const drop = await sql(served, `DROP TABLE ${table}`);
      if (queriesOnly) {
        assert.equal(drop.status, 403, drop.text());
        assert.equal((drop.json() as { code: string }).code, 'SQL_UNCHECKABLE');
        assert.equal((await sql(served, `SELECT a FROM ${table}`)).status, 200, 'the table is still there');
        assert.equal((await sql(open, `DROP TABLE ${table}`)).status, 200);
      } else {
        assert.equal(drop.status, 200, drop.text());
      }
    }
  });

  it('still runs ordinary statements: queries with parameters, views, settings, catalog listings', async () => {
    const answer = await call('POST', `${served.url}/v1/sql?format=json`, {
      body: {
        sql: 'SELECT region, count(*) AS n FROM events WHERE event_id < :top GROUP BY region ORDER BY region',
        params: { top: 10 },
      },
    });
    assert.equal(answer.status, 200, answer.text());
    assert.deepEqual((answer.json() as { rows: unknown[] }).rows, [
      { region: 'EU', n: '5' },
      { region: 'US', n: '5' },
    ]);
    for (const text of [
      'CREATE OR REPLACE TEMP VIEW mine AS SELECT 1 AS one',
      'SET spark.sql.shuffle.partitions=3',
      'SHOW TABLES',
    ]) {
      const ran = await sql(served, text);
      assert.equal(ran.status, queriesOnly ? 403 : 200, `${text}: ${ran.text()}`);
    }
    // Queries in every form Spark has, with a trailing semicolon and a last line comment.
    for (const text of [
      'WITH t AS (SELECT 1 AS a) SELECT a FROM t;',
      'VALUES (1), (2) -- two rows',
      'TABLE events',
    ]) {
      const ran = await sql(served, text);
      assert.equal(ran.status, 200, `${text}: ${ran.text()}`);
    }
  });
});

describe('sessions that ran raw SQL', () => {
  it('never serve anyone again: a replaced temporary view does not reach the next reads', async () => {
    // Where only queries are checked (Spark 4.0), on the service that runs statements unchecked.
    const target = queriesOnly ? open : served;
    const retiredBefore = target.app.queries.pool.stats().retired;
    const poison = await sql(
      target,
      "CREATE OR REPLACE TEMP VIEW events AS SELECT -1L AS event_id, 'POISONED' AS region",
    );
    assert.equal(poison.status, 200, poison.text());
    const setting = await sql(target, 'SET spark.sql.ansi.enabled=false');
    assert.equal(setting.status, 200, setting.text());
    for (let read = 0; read < 8; read++) {
      const answer = await call('POST', `${target.url}/v1/datasets/events/query?format=json`, {
        body: { groupBy: ['region'], aggregates: [{ fn: 'count', as: 'n' }], orderBy: ['region'] },
      });
      assert.equal(answer.status, 200, answer.text());
      assert.deepEqual(
        (answer.json() as { rows: unknown[] }).rows,
        [
          { region: 'EU', n: '500' },
          { region: 'US', n: '500' },
        ],
        `read ${read + 1}`,
      );
      // The session's settings are the service's again: ANSI refuses the cast.
      const ansi = await call('GET', `${target.url}/v1/datasets/strict/rows?format=json`);
      assert.equal(ansi.status, 422, `read ${read + 1}: ${ansi.text()}`);
    }
    assert.ok(target.app.queries.pool.stats().retired >= retiredBefore + 2);
  });
});
