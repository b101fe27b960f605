import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { ProgressTracker, type ProgressSnapshot } from '../../src/spark/progress.js';
import { collect, connect } from '../helpers/spark.js';

const client = connect();
after(() => {
  client.close();
});

describe('execution progress', () => {
  it('follows the stages and tasks of a join and aggregation, ending with all done', async () => {
    const session = client.newSession();
    await session.setConfigs({ 'spark.connect.progress.reportInterval': '100ms' });
    const progress = new ProgressTracker();
    const seen: ProgressSnapshot[] = [];
    progress.onChange(() => seen.push(progress.snapshot()));
    const plan = rootPlan(
      sqlRelation(
        'SELECT a.k, count(*) AS n FROM (SELECT id % 97 AS k FROM range(0, 20000000, 1, 8)) a ' +
          'JOIN (SELECT id % 97 AS k FROM range(0, 2000, 1, 4)) b ON a.k = b.k GROUP BY a.k ORDER BY a.k',
      ),
    );
    const result = await collect(session, plan, { progress });
    assert.equal(result.rows.length, 97);

    const last = progress.snapshot();
    assert.equal(last.done, true);
    assert.equal(last.tasksRunning, 0);
    assert.deepEqual([last.stagesDone, last.tasksDone], [last.stagesTotal, last.tasksTotal]);
    // Spark itself reported several stages done, each with all its tasks completed.
    const reportedDone = last.stages.filter((s) => s.done);
    assert.ok(reportedDone.length >= 2, `expected several stages done, got ${JSON.stringify(last.stages)}`);
    for (const stage of reportedDone) assert.equal(stage.numCompletedTasks, stage.numTasks);
    // On the way, the reports showed work partly done.
    const partial = seen.filter((s) => !s.done && s.tasksTotal > 0 && s.tasksDone < s.tasksTotal);
    assert.ok(partial.length > 0, 'expected a report with tasks still to do');
    const done = seen.map((s) => s.tasksDone);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
      'tasks done never go back',
    );
  });

  it('leaves the responses of the execution as they were', async () => {
    const session = client.newSession();
    const plan = rootPlan(sqlRelation('SELECT id FROM range(0, 1000, 1, 4)'));
    const progress = new ProgressTracker();
    const [tracked, plain] = [await collect(session, plan, { progress }), await collect(session, plan)];
    assert.deepEqual(tracked.rows, plain.rows);
    assert.equal(progress.snapshot().done, true);
  });
});
