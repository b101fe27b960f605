import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ExecutePlanResponse } from '../../src/gen/spark/connect/base_pb.js';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkError } from '../../src/spark/errors.js';
import type { Execution } from '../../src/spark/execute.js';
import type { SparkSession } from '../../src/spark/session.js';
import { connect } from '../helpers/spark.js';
import { jobsStillRunning } from '../helpers/spark-ui.js';

const client = connect();
after(() => {
  client.close();
});

/** Runs for hours on a small machine unless stopped. */
const LONG = rootPlan(sqlRelation('SELECT max(id) FROM range(0, 1000000000000)'));

/** A session that reports progress often, so a test sees its job start quickly. */
async function newSession(): Promise<SparkSession> {
  const session = client.newSession();
  await session.setConfigs({ 'spark.connect.progress.reportInterval': '100ms' });
  return session;
}

function jobRunning(response: ExecutePlanResponse): boolean {
  const type = response.responseType;
  return type.case === 'executionProgress' && type.value.stages.length > 0;
}

/**
 * Iterates an execution in the background until `ready` says so. Resolves then, with a promise
 * (boxed, so it isn't awaited here) of how the iteration ended.
 */
async function start(
  execution: Execution,
  ready: (response: ExecutePlanResponse) => boolean,
): Promise<{ ended: Promise<unknown> }> {
  const iterator = execution[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done === true || ready(next.value)) break;
  }
  const ended = (async () => {
    try {
      while ((await iterator.next()).done !== true);
      return 'completed';
    } catch (err) {
      return err;
    }
  })();
  return { ended };
}

describe('stopping Spark operations', () => {
  it('interrupts a long-running query by operation id: the operation fails and its job stops', async () => {
    const session = await newSession();
    const execution = session.execute(LONG);
    const { ended } = await start(execution, jobRunning);
    assert.deepEqual(await session.interrupt(execution.operationId), [execution.operationId]);
    const outcome = await ended;
    assert.ok(outcome instanceof SparkError, `expected the query to fail, got ${String(outcome)}`);
    assert.equal(outcome.errorClass, 'OPERATION_CANCELED');
    assert.equal(outcome.sqlState, 'HY008');
    assert.deepEqual(await jobsStillRunning(session.sessionId, 2_000), []);
  });

  it('interrupts by tag', async () => {
    const session = await newSession();
    const execution = session.execute(LONG, { tags: ['dashboard-42'] });
    const { ended } = await start(execution, jobRunning);
    assert.deepEqual(await session.interruptTag('dashboard-42'), [execution.operationId]);
    assert.equal(((await ended) as SparkError).errorClass, 'OPERATION_CANCELED');
    assert.deepEqual(await jobsStillRunning(session.sessionId, 2_000), []);
  });

  it('stops the Spark job when the caller aborts, even before the job has started', async () => {
    const session = await newSession();
    const controller = new AbortController();
    const execution = session.execute(LONG, { signal: controller.signal });
    // The first response arrives while Spark is still planning: no job yet.
    const { ended } = await start(execution, () => true);
    const reason = new Error('client went away');
    controller.abort(reason);
    assert.equal(await ended, reason);
    await execution.closed;
    assert.deepEqual(await jobsStillRunning(session.sessionId, 2_000), []);
    // The operation is gone too: nothing is left to interrupt.
    assert.deepEqual(await session.interrupt(execution.operationId), []);
  });
});
