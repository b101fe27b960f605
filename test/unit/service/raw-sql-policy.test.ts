import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathReadRefusal, planRefusal, textRefusal } from '../../../src/service/raw-sql-policy.js';

const strict = { allowFiles: false, allowReflection: false };
/** Analysed plans as Spark 4.2 explains them. */
const PLANS = {
  pathRead: 'Project [value#3567]\n+- Relation [value#3567] text\n',
  catalogTable: 'Project [id#1L]\n+- Relation spark_catalog.default.t[id#1L] parquet\n',
  viewOverPath: 'CreateTempViewUsing [tableIdent:`f` replace:true provider:text Map(path -> /etc/hostname)\n',
  reflection:
    'Project [java_method(java.lang.System, getProperty, user.name, true) AS x#3574]\n+- OneRowRelation\n',
  transform: 'ScriptTransformation cat /etc/hostname, [x#3571], ScriptInputOutputSchema(List(),List())\n',
  query:
    'Aggregate [region#1], [region#1, count(1) AS n#2L]\n+- SubqueryAlias events\n   +- LocalRelation [region#1]\n',
  view: 'CreateViewCommand `events`, SELECT 1 AS x, false, true, LocalTempView, UNSUPPORTED, true\n',
};

describe('raw SQL policy', () => {
  it('refuses EXECUTE IMMEDIATE however it is spelled', () => {
    for (const sql of [
      "EXECUTE IMMEDIATE 'SELECT 1'",
      "execute\n\timmediate 'x'",
      "/* a */ EXECUTE/* b */IMMEDIATE 'x'",
      "EXECUTE -- c\n IMMEDIATE 'x'",
      "EXPLAIN EXECUTE IMMEDIATE 'x'",
    ]) {
      assert.notEqual(textRefusal(sql), undefined, sql);
    }
    assert.equal(textRefusal("SELECT 'execute' AS a, 'immediately' AS b"), undefined);
  });

  it('finds path reads and code in the analysed plan, not catalog tables or plain queries', () => {
    assert.equal(planRefusal(PLANS.pathRead, strict)?.setting, 'RAW_SQL_ALLOW_FILES');
    assert.equal(planRefusal(PLANS.viewOverPath, strict)?.setting, 'RAW_SQL_ALLOW_FILES');
    assert.equal(planRefusal(PLANS.reflection, strict)?.setting, 'RAW_SQL_ALLOW_REFLECTION');
    assert.equal(planRefusal(PLANS.transform, strict)?.setting, 'RAW_SQL_ALLOW_REFLECTION');
    for (const plan of [PLANS.catalogTable, PLANS.query, PLANS.view])
      assert.equal(planRefusal(plan, strict), undefined);
  });

  it('lets through what the operator allows', () => {
    assert.equal(planRefusal(PLANS.pathRead, { allowFiles: true, allowReflection: false }), undefined);
    assert.equal(planRefusal(PLANS.reflection, { allowFiles: false, allowReflection: true }), undefined);
    assert.notEqual(planRefusal(PLANS.reflection, { allowFiles: true, allowReflection: false }), undefined);
  });

  it('tells a path read from a missing table when Spark cannot run SQL on files', () => {
    assert.notEqual(pathReadRefusal('TABLE_OR_VIEW_NOT_FOUND', '`text`.`/etc/hostname`'), undefined);
    assert.notEqual(pathReadRefusal('TABLE_OR_VIEW_NOT_FOUND', '`parquet`.`s3a://bucket/x`'), undefined);
    assert.equal(pathReadRefusal('TABLE_OR_VIEW_NOT_FOUND', '`sales`.`orders`'), undefined);
    assert.equal(pathReadRefusal('TABLE_OR_VIEW_NOT_FOUND', '`nowhere`'), undefined);
    assert.equal(pathReadRefusal('UNRESOLVED_COLUMN', '`text`.`/etc/hostname`'), undefined);
  });
});
