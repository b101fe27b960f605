import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateResultBytes, ResultBudget, resultBudget } from '../../../src/service/result-budget.js';

const never = new AbortController().signal;

/** Whether a promise has settled, after everything already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the result budget', () => {
  it('admits heavy results while their estimates fit, and the next when one ends', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    const first = await budget.admit(60, never);
    const second = budget.admit(60, never);
    assert.equal(await settled(second), false);
    assert.equal(budget.inUse, 60);
    assert.equal(budget.waiting, 1);
    first();
    assert.equal(await settled(second), true);
    assert.equal(budget.inUse, 60);
    (await second)();
    assert.equal(budget.inUse, 0);
  });

  it('lets light results through at once, however full it is', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    await budget.admit(100, never);
    const light = budget.admit(10, never);
    assert.equal(await settled(light), true);
    assert.equal(budget.inUse, 100);
  });

  it('runs a result heavier than the whole budget alone', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    const huge = await budget.admit(5_000, never);
    assert.equal(budget.inUse, 100);
    const small = budget.admit(20, never);
    assert.equal(await settled(small), false);
    huge();
    assert.equal(await settled(small), true);
    const alone = budget.admit(5_000, never);
    assert.equal(await settled(alone), false, 'waits for the running one');
    (await small)();
    assert.equal(await settled(alone), true);
  });

  it('admits in arrival order: a lighter one does not pass a heavier one waiting before it', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    const first = await budget.admit(50, never);
    const heavy = budget.admit(80, never);
    const lighter = budget.admit(40, never);
    assert.equal(await settled(lighter), false);
    first();
    assert.equal(await settled(heavy), true);
    assert.equal(await settled(lighter), false);
    (await heavy)();
    assert.equal(await settled(lighter), true);
  });

  it('forgets a waiter whose signal aborts, failing it with the reason, and wakes the next', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    const running = await budget.admit(70, never);
    const leaving = new AbortController();
    const left = budget.admit(90, leaving.signal);
    const next = budget.admit(30, never);
    leaving.abort(new Error('client gone'));
    await assert.rejects(left, /client gone/);
    assert.equal(await settled(next), true);
    assert.equal(budget.waiting, 0);
    running();
    (await next)();
    assert.equal(budget.inUse, 0);
  });

  it('gives back once, however often it is told', async () => {
    const budget = new ResultBudget({ maxBytes: 100, lightBytes: 10 });
    const admitted = await budget.admit(60, never);
    const other = await budget.admit(40, never);
    admitted();
    admitted();
    assert.equal(budget.inUse, 40);
    other();
    assert.equal(budget.inUse, 0);
  });

  it('is off at 0, and counts results above a sixteenth of its size as heavy', async () => {
    assert.equal(resultBudget(0), undefined);
    const budget = resultBudget(1_600);
    assert.ok(budget !== undefined);
    await budget.admit(100, never);
    assert.equal(budget.inUse, 0);
    await budget.admit(101, never);
    assert.equal(budget.inUse, 101);
  });
});

describe('estimateResultBytes', () => {
  it('weighs rows by the widths of their column types, text and nesting by a guess', () => {
    const longs = [
      { name: 'a', type: 'bigint', nullable: false },
      { name: 'b', type: 'bigint', nullable: true },
    ];
    const text = [
      { name: 'a', type: 'bigint', nullable: false },
      { name: 'b', type: 'string', nullable: true },
    ];
    const nested = [
      { name: 'a', type: 'bigint', nullable: false },
      { name: 'b', type: 'array<string>', nullable: true },
    ];
    assert.equal(estimateResultBytes(longs, 0), 0);
    assert.equal(estimateResultBytes(longs, 2_000), 2 * estimateResultBytes(longs, 1_000));
    assert.ok(estimateResultBytes(longs, 1) < estimateResultBytes(text, 1));
    assert.ok(estimateResultBytes(text, 1) < estimateResultBytes(nested, 1));
  });
});
