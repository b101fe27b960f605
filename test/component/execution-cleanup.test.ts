/**
 * An execution stopped right after it was sent is stopped on the server too. Spark registers an
 * operation on another thread than the one that received its ExecutePlan, so a ReattachExecute
 * or Interrupt sent just after can find nothing; an operation registered after them would run
 * on, detached, holding Spark's cores.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { FakeConnectServer } from '../helpers/fake-connect.js';

const REGISTER_AFTER_MS = 400;

let fake: FakeConnectServer;
let client: SparkConnectClient;

before(async () => {
  fake = await FakeConnectServer.start([], { endless: { registerAfterMs: REGISTER_AFTER_MS } });
  client = SparkConnectClient.connect(fake.remote);
});
after(async () => {
  client.close();
  await fake.close();
});

describe('stopping an execution', () => {
  it('interrupts an operation the server registers only after the stop', async () => {
    const stop = new AbortController();
    const execution = client.newSession().execute(rootPlan(sqlRelation('SELECT 1')), { signal: stop.signal });
    const first = execution[Symbol.asyncIterator]().next();
    while (fake.executeRequests.length === 0) await sleep(5);
    stop.abort(new Error('the client went away'));
    await assert.rejects(first, /the client went away/);
    await execution.closed;
    // Past the time the server takes to register it, the operation does not run.
    await sleep(REGISTER_AFTER_MS);
    assert.equal(fake.executeRequests[0]?.operationId, execution.operationId);
    assert.equal(fake.running.has(execution.operationId), false);
  });

  it('interrupts an operation that is already running', async () => {
    const stop = new AbortController();
    const execution = client.newSession().execute(rootPlan(sqlRelation('SELECT 1')), { signal: stop.signal });
    const iterator = execution[Symbol.asyncIterator]();
    const progress = await iterator.next();
    assert.equal(progress.value?.responseType.case, 'executionProgress');
    assert.ok(fake.running.has(execution.operationId));
    stop.abort(new Error('the client went away'));
    await execution.closed;
    assert.equal(fake.running.has(execution.operationId), false);
  });
});
