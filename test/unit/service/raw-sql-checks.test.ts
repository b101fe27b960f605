/**
 * Which plan the raw SQL check asks Spark to explain: the statement itself on a Spark that
 * analyses without running (4.1 and newer), and on Spark 4.0 (which runs a command while
 * analysing it) only a query, as a subquery, with everything else refused before Spark sees it.
 * That Spark really behaves so is shown by test/integration/raw-sql.test.ts on each release.
 */
import { status } from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan } from '../../../src/gen/spark/connect/base_pb.js';
import { rootPlan, sqlRelation } from '../../../src/plan/sql.js';
import { asSubquery, vetPlan } from '../../../src/service/raw-sql.js';
import { SparkError } from '../../../src/spark/errors.js';
import type { SparkSession } from '../../../src/spark/session.js';

const strict = { allowFiles: false, allowReflection: false };
const QUERY_PLAN = 'Project [a#1]\n+- OneRowRelation\n';

/** A session of Spark `version` that records what it is asked to explain. */
function session(version: string, explainError?: Error) {
  const explained: Plan[] = [];
  const fake = {
    sparkVersion: () => Promise.resolve(version),
    setConfigs: () => Promise.resolve(),
    explain: (plan: Plan) => {
      explained.push(plan);
      return explainError === undefined ? Promise.resolve(QUERY_PLAN) : Promise.reject(explainError);
    },
  };
  return { session: fake as unknown as SparkSession, explained };
}

const planOf = (text: string) => rootPlan(sqlRelation(text));
function vet(version: string, sql: string, explainError?: Error) {
  const s = session(version, explainError);
  const plans = { sql, plan: planOf(sql), asQuery: planOf(asSubquery(sql)) };
  return {
    run: vetPlan(s.session, plans, strict, new AbortController().signal),
    plans,
    explained: s.explained,
  };
}

const uncheckable = (err: unknown) => {
  assert.equal((err as { code?: string }).code, 'SQL_UNCHECKABLE', String(err));
  return true;
};

describe('raw SQL checks by Spark release', () => {
  for (const version of ['4.1.2', '4.2.0', '4.10.0', '5.0.0']) {
    it(`explains the statement itself on Spark ${version}, commands included`, async () => {
      for (const sql of ['SELECT 1 AS a', 'SHOW TABLES', 'CREATE TEMP VIEW v AS SELECT 1']) {
        const { run, plans, explained } = vet(version, sql);
        await run;
        assert.deepEqual(explained, [plans.plan], sql);
      }
    });
  }

  for (const version of ['4.0.1', '4.0.0-preview2', '3.5.3', 'unknown']) {
    it(`explains only queries, as a subquery, on Spark ${version}`, async () => {
      for (const sql of [
        'SELECT 1 AS a',
        'select 1 as a;',
        '  -- a comment\n/* and /* a nested */ one */ WITH t AS (SELECT 1 AS a) SELECT a FROM t',
        'VALUES (1), (2) -- last line comment',
        'TABLE events',
        'FROM events SELECT region',
        '(SELECT 1)',
      ]) {
        const { run, plans, explained } = vet(version, sql);
        await run;
        assert.deepEqual(explained, [plans.asQuery], sql);
      }
    });

    it(`refuses everything else on Spark ${version} without asking Spark`, async () => {
      for (const sql of [
        'SHOW TABLES',
        'CLEAR CACHE',
        'DROP TABLE t',
        "INSERT OVERWRITE DIRECTORY '/tmp/x' USING text SELECT 'x'",
        'SET spark.sql.ansi.enabled=false',
        // A comment that, read without nesting, would end before SELECT.
        '/* /* */ SELECT */ DROP TABLE t',
        '/* never closed SELECT 1',
        '-- only a comment',
        '',
      ]) {
        const { run, explained } = vet(version, sql);
        await assert.rejects(run, uncheckable, sql);
        assert.deepEqual(explained, [], sql);
      }
    });
  }

  it('refuses on Spark 4.0 a statement that starts as a query but is not one as a subquery', async () => {
    const parse = new SparkError('[PARSE_SYNTAX_ERROR] Syntax error at or near INSERT', {
      grpcCode: status.INVALID_ARGUMENT,
      errorClass: 'PARSE_SYNTAX_ERROR',
      sqlState: '42601',
    });
    const sql = 'WITH t AS (SELECT 1 AS a) INSERT INTO u SELECT a FROM t';
    const { run, plans, explained } = vet('4.0.1', sql, parse);
    await assert.rejects(run, (err) => {
      uncheckable(err);
      assert.match((err as Error).message, /PARSE_SYNTAX_ERROR/);
      return true;
    });
    assert.deepEqual(explained, [plans.asQuery]);
  });

  it('passes on Spark 4.0 what Spark says of a query other than a parse error', async () => {
    const missing = new SparkError('[TABLE_OR_VIEW_NOT_FOUND] nope', {
      grpcCode: status.INVALID_ARGUMENT,
      errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
      sqlState: '42P01',
    });
    const { run, plans, explained } = vet('4.0.1', 'SELECT * FROM nope', missing);
    await assert.rejects(run, missing);
    // Spark's error is about the statement as sent (its lines and positions), not the subquery.
    assert.deepEqual(explained, [plans.asQuery, plans.plan]);
  });

  it('gives up on Spark 4.0 when the subquery check fails other than by Spark’s verdict', async () => {
    const cut = new SparkError('connection reset', { grpcCode: status.UNAVAILABLE });
    const { run, plans, explained } = vet('4.0.1', 'SELECT 1', cut);
    await assert.rejects(run, cut);
    assert.deepEqual(explained, [plans.asQuery]);
  });

  it('makes the subquery of the statement without its trailing semicolons, closing after a line comment', () => {
    assert.equal(asSubquery('SELECT 1 ; \n'), 'SELECT * FROM (\nSELECT 1\n) AS checked_statement');
    assert.equal(asSubquery('SELECT 1 -- c'), 'SELECT * FROM (\nSELECT 1 -- c\n) AS checked_statement');
  });
});
