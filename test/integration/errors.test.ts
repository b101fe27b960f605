import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { SparkConnectService } from '../../src/gen/spark/connect/base_pb.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkError } from '../../src/spark/errors.js';
import { collectSql, connect } from '../helpers/spark.js';

const client = connect();
after(() => {
  client.close();
});

function rejectsWith(promise: Promise<unknown>, check: (err: SparkError) => void): Promise<void> {
  return assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SparkError, `expected a SparkError, got ${String(err)}`);
    check(err);
    return true;
  });
}

describe('Spark errors', () => {
  it('turns invalid SQL into PARSE_SYNTAX_ERROR with its SQLSTATE', async () => {
    await rejectsWith(collectSql(client.newSession(), 'SELEC 1'), (err) => {
      assert.equal(err.errorClass, 'PARSE_SYNTAX_ERROR');
      assert.equal(err.sqlState, '42601');
      assert.match(err.message, /Syntax error at or near 'SELEC'/);
      assert.ok(
        err.exceptionClasses.some((c) => c.endsWith('ParseException')),
        err.exceptionClasses.join(),
      );
    });
  });

  it('turns an unknown table into TABLE_OR_VIEW_NOT_FOUND, from execution and from analysis', async () => {
    const session = client.newSession();
    const check = (err: SparkError) => {
      assert.equal(err.errorClass, 'TABLE_OR_VIEW_NOT_FOUND');
      assert.equal(err.sqlState, '42P01');
      assert.match(err.messageParameters['relationName'] ?? '', /no_such_table/);
    };
    await rejectsWith(collectSql(session, 'SELECT * FROM no_such_table'), check);
    await rejectsWith(session.schema(rootPlan(sqlRelation('SELECT * FROM no_such_table'))), check);
  });

  it('recovers details too long for gRPC metadata with FetchErrorDetails', async () => {
    const session = client.newSession();
    const column = 'c'.repeat(3000);
    const plan = rootPlan(sqlRelation(`SELECT \`${column}\` FROM range(1)`));
    // Straight from the wire, Spark leaves the class and parameters out (too long)...
    const raw = await session.transport
      .unary(
        SparkConnectService.method.analyzePlan,
        create(SparkConnectService.method.analyzePlan.input, {
          ...session.header(),
          analyze: { case: 'schema', value: { plan } },
        }),
      )
      .then(
        () => assert.fail('expected an error'),
        (err: unknown) => err as SparkError,
      );
    assert.equal(raw.detailsTruncated, true);
    assert.deepEqual(raw.messageParameters, {});
    // ...and the session's calls fetch them.
    await rejectsWith(session.schema(plan), (err) => {
      assert.match(err.errorClass ?? '', /^UNRESOLVED_COLUMN/);
      assert.equal(err.sqlState, '42703');
      assert.match(err.messageParameters['objectName'] ?? '', new RegExp(column));
      assert.equal(err.queryContexts[0]?.fragment, `\`${column}\``);
      assert.equal(err.detailsTruncated, false);
    });
  });
});
