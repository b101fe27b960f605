import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { arrowSchemaFields } from '../../src/arrow/spark-types.js';
import { formatDate, formatDecimal, formatTimestamp } from '../../src/arrow/temporal.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { structFields } from '../../src/spark/data-type.js';
import { collect, connect } from '../helpers/spark.js';
import { jobsStillRunning } from '../helpers/spark-ui.js';

const client = connect();
after(() => {
  client.close();
});

const ROWS = 100_000;
const MIXED = rootPlan(
  sqlRelation(`
    SELECT id,
           CAST(id AS INT) AS i,
           id * 0.5D AS half,
           CAST(id / 100 AS DECIMAL(20, 2)) AS cents,
           concat('row-', id) AS s,
           id % 2 = 0 AS even,
           date_add(DATE'2000-01-01', CAST(id % 10000 AS INT)) AS d,
           timestamp_micros(id * 1000001) AS ts,
           IF(id % 7 = 0, NULL, id) AS maybe
    FROM range(${ROWS})`),
);

describe('ExecutePlan against Spark', () => {
  it('returns every row of range(100000) with exact values of several types', async () => {
    const session = client.newSession();
    const { rows, batches } = await collect(session, MIXED);
    assert.equal(rows.length, ROWS);
    assert.ok(batches > 1, `expected the result in several Arrow batches, got ${batches}`);
    const epochDays2000 = Date.UTC(2000, 0, 1) / 86_400_000;
    for (let n = 0; n < ROWS; n++) {
      const id = BigInt(n);
      assert.deepEqual(rows[n], {
        id,
        i: n,
        half: n * 0.5,
        cents: formatDecimal(id, 2),
        s: `row-${n}`,
        even: n % 2 === 0,
        d: formatDate(epochDays2000 + (n % 10000)),
        ts: formatTimestamp(id * 1_000_001n, true),
        maybe: n % 7 === 0 ? null : id,
      });
    }
  });

  it('reports through AnalyzePlan the same schema the rows arrive with', async () => {
    const session = client.newSession();
    const analyzed = structFields(await session.schema(MIXED));
    const { schema } = await collect(session, rootPlan(sqlRelation(`${sqlOf(MIXED)} LIMIT 10`)));
    assert.deepEqual(arrowSchemaFields(schema), analyzed);
    assert.deepEqual(
      analyzed.map((f) => f.type),
      ['bigint', 'int', 'double', 'decimal(20,2)', 'string', 'boolean', 'date', 'timestamp', 'bigint'],
    );
  });

  it('returns the schema and no rows for an empty result', async () => {
    const session = client.newSession();
    const { schema, rows } = await collect(
      session,
      rootPlan(sqlRelation('SELECT id, id * 2 AS twice FROM range(10) WHERE id < 0')),
    );
    assert.equal(rows.length, 0);
    assert.deepEqual(
      arrowSchemaFields(schema).map((f) => f.name),
      ['id', 'twice'],
    );
  });

  it('uses a new operation id per execution and checks every response belongs to the session', async () => {
    const session = client.newSession();
    const plan = rootPlan(sqlRelation('SELECT 1 AS one'));
    const seen = new Set<string>();
    for (let k = 0; k < 3; k++) {
      const execution = session.execute(plan);
      for await (const response of execution) {
        assert.equal(response.operationId, execution.operationId);
        assert.equal(response.sessionId, session.sessionId);
        assert.equal(response.serverSideSessionId, session.serverSideSessionId);
      }
      seen.add(execution.operationId);
    }
    assert.equal(seen.size, 3);
    assert.match(session.serverSideSessionId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('stops the operation and its Spark job when the consumer stops early', async () => {
    const session = client.newSession();
    await session.setConfigs({ 'spark.connect.progress.reportInterval': '100ms' });
    const execution = session.execute(rootPlan(sqlRelation('SELECT max(id) FROM range(0, 1000000000000)')));
    // Leaves at the first response, while Spark is still planning the query.
    for await (const _response of execution) break;
    await execution.closed;
    assert.deepEqual(await jobsStillRunning(session.sessionId, 2_000), []);
    assert.deepEqual(await session.interrupt(execution.operationId), []);
  });
});

function sqlOf(plan: typeof MIXED): string {
  const root = plan.opType.case === 'root' ? plan.opType.value : undefined;
  if (root?.relType.case !== 'sql') throw new Error('not a SQL plan');
  return root.relType.value.query;
}
