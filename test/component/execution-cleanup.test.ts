/**
 * An execution stopped right after it was sent is stopped on the server too. Spark registers an
 * operation on another thread than the one that received its ExecutePlan, so a ReattachExecute
 * or Interrupt sent just after can find nothing; and it takes an operation whose thread has not
 * started yet for an orphan, forgetting it while its job goes on. Either way the operation would
 * run on, detached, holding Spark's cores.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { rootPlan, sqlRelation } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import { FakeConnectServer, type FakeEndless } from '../helpers/fake-connect.js';

const opened: { fake: FakeConnectServer; client: SparkConnectClient }[] = [];
after(async () => {
  for (const { fake, client } of opened) {
    client.close();
    await fake.close();
  }
});

async function server(endless: FakeEndless) {
  const fake = await FakeConnectServer.start([], { endless });
  const client = SparkConnectClient.connect(fake.remote);
  opened.push({ fake, client });
  return { fake, client };
}

const PLAN = rootPlan(sqlRelation('SELECT 1'));

/** Sends an execution and stops it as soon as the server has its ExecutePlan; settles when it is cleaned up. */
async function stopRightAfterSending(fake: FakeConnectServer, client: SparkConnectClient): Promise<string> {
  const stop = new AbortController();
  const execution = client.newSession().execute(PLAN, { signal: stop.signal });
  const first = execution[Symbol.asyncIterator]().next();
  while (fake.executeRequests.length === 0) await sleep(5);
  stop.abort(new Error('the client went away'));
  await assert.rejects(first, /the client went away/);
  await execution.closed;
  assert.equal(fake.executeRequests[0]?.operationId, execution.operationId);
  return execution.operationId;
}

describe('stopping an execution', () => {
  it('interrupts an operation the server registers only after the stop', async () => {
    const registerAfterMs = 400;
    const { fake, client } = await server({ registerAfterMs });
    const operationId = await stopRightAfterSending(fake, client);
    // Past the time the server takes to register it, the operation does not run.
    await sleep(registerAfterMs);
    assert.equal(fake.running.has(operationId), false);
  });

  it('does not follow an operation so soon that the server takes it for an orphan', async () => {
    const { fake, client } = await server({ registerAfterMs: 50, orphanWithinMs: 150 });
    const operationId = await stopRightAfterSending(fake, client);
    assert.equal(fake.running.has(operationId), false);
  });

  it('interrupts an operation that is already running', async () => {
    const { fake, client } = await server({ registerAfterMs: 0 });
    const stop = new AbortController();
    const execution = client.newSession().execute(PLAN, { signal: stop.signal });
    const progress = await execution[Symbol.asyncIterator]().next();
    assert.equal(progress.value?.responseType.case, 'executionProgress');
    assert.ok(fake.running.has(execution.operationId));
    stop.abort(new Error('the client went away'));
    await execution.closed;
    assert.equal(fake.running.has(execution.operationId), false);
  });
});
