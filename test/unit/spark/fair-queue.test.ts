/**
 * The fair queue in front of the session pool: a share per principal, and turns that come free
 * handed to the waiting principals in rotation rather than to whoever came first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue, type Turn } from '../../../src/spark/fair-queue.js';
import { PoolClosedError, PoolExhaustedError, PrincipalBusyError } from '../../../src/spark/pool-errors.js';

const LONG = 600_000;

/** Requests entered one after the other, with the order in which they got their turns. */
function recorder(queue: FairQueue) {
  const granted: string[] = [];
  const turns: Turn[] = [];
  const enter = (principal: string, label = principal, signal?: AbortSignal) =>
    queue.enter(principal, signal).then((turn) => {
      granted.push(label);
      turns.push(turn);
      return turn;
    });
  return { granted, turns, enter };
}

/** Lets promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FairQueue', () => {
  it('grants turns at once while sessions are free and the principal is under its share', async () => {
    const queue = new FairQueue({ capacity: 3, perPrincipal: 2, timeoutMs: LONG });
    const { granted, enter } = recorder(queue);
    await enter('a');
    await enter('a');
    await enter('b');
    assert.deepEqual(granted, ['a', 'a', 'b']);
    assert.equal(queue.waiting, 0);
    assert.deepEqual(queue.waits, { principal_cap: 0, pool_full: 0 });
  });

  it('keeps a principal at its share waiting while another takes a free session', async () => {
    const queue = new FairQueue({ capacity: 4, perPrincipal: 2, timeoutMs: LONG });
    const { granted, turns, enter } = recorder(queue);
    await enter('a', 'a1');
    await enter('a', 'a2');
    const third = enter('a', 'a3');
    await settle();
    assert.deepEqual(granted, ['a1', 'a2']);
    assert.equal(queue.waiting, 1);
    // Two sessions are free, and the other principal gets one at once.
    await enter('b', 'b1');
    assert.deepEqual(granted, ['a1', 'a2', 'b1']);
    assert.equal(queue.heldBy('a'), 2);
    // Another principal's session coming free does not let it exceed its share…
    turns[2]!.release();
    await settle();
    assert.equal(queue.waiting, 1);
    // …one of its own does.
    turns[0]!.release();
    await third;
    assert.deepEqual(granted, ['a1', 'a2', 'b1', 'a3']);
    assert.deepEqual(queue.waits, { principal_cap: 1, pool_full: 0 });
  });

  it('serves waiting principals in turn, not in the order their requests came', async () => {
    const queue = new FairQueue({ capacity: 2, perPrincipal: 2, timeoutMs: LONG });
    const { granted, turns, enter } = recorder(queue);
    await enter('a', 'a0');
    await enter('a', 'a0');
    const waiting = [
      ...[1, 2, 3, 4, 5].map((n) => enter('a', `a${n}`)),
      enter('b', 'b1'),
      enter('c', 'c1'),
      enter('b', 'b2'),
    ];
    await settle();
    assert.equal(queue.waiting, 8);
    // A share of every session is no share: all of them waited for a full pool.
    assert.deepEqual(queue.waits, { principal_cap: 0, pool_full: 8 });
    // One session at a time comes free.
    for (let served = 0; served < waiting.length; served++) {
      turns[served]!.release();
      await settle();
    }
    await Promise.all(waiting);
    assert.deepEqual(granted.slice(2), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
  });

  it('never grants more turns than its capacity, nor more than the share to one principal', async () => {
    const queue = new FairQueue({ capacity: 3, perPrincipal: 2, timeoutMs: LONG });
    const { turns, enter } = recorder(queue);
    const all = ['a', 'b', 'a', 'b', 'a', 'c', 'a', 'c'].map((p) => enter(p));
    let most = 0;
    for (let done = 0; done < all.length; done++) {
      await settle();
      const held = ['a', 'b', 'c'].map((p) => queue.heldBy(p));
      assert.ok(Math.max(...held) <= 2, `held ${held.join(', ')}`);
      most = Math.max(
        most,
        held.reduce((x, y) => x + y),
      );
      assert.ok(most <= 3);
      turns[done]!.release();
    }
    await Promise.all(all);
    assert.equal(most, 3);
    assert.equal(queue.waiting, 0);
  });

  it('frees a turn once however often it is released', async () => {
    const queue = new FairQueue({ capacity: 1, perPrincipal: 1, timeoutMs: LONG });
    const { granted, turns, enter } = recorder(queue);
    await enter('a', 'a1');
    const b = enter('b', 'b1');
    const c = enter('c', 'c1');
    turns[0]!.release();
    turns[0]!.release();
    await b;
    await settle();
    assert.deepEqual(granted, ['a1', 'b1']);
    turns[1]!.release();
    await c;
  });

  it('lets a waiter leave when its caller gives up, with the caller’s reason', async () => {
    const queue = new FairQueue({ capacity: 1, perPrincipal: 1, timeoutMs: LONG });
    const { granted, turns, enter } = recorder(queue);
    await enter('a');
    const gone = new AbortController();
    const leaving = enter('b', 'b', gone.signal);
    const staying = enter('c');
    gone.abort(new Error('client gone'));
    await assert.rejects(leaving, /client gone/);
    assert.equal(queue.waiting, 1);
    turns[0]!.release();
    await staying;
    assert.deepEqual(granted, ['a', 'c']);
    await assert.rejects(enter('d', 'd', gone.signal), /client gone/);
  });

  it('tells a principal waiting at its share from one waiting for a full pool when the wait ends', async () => {
    const queue = new FairQueue({ capacity: 2, perPrincipal: 1, timeoutMs: 5 });
    await queue.enter('a');
    await assert.rejects(queue.enter('a'), (err: unknown) => {
      assert.ok(err instanceof PrincipalBusyError, String(err));
      assert.equal(err.running, 1);
      return true;
    });
    await queue.enter('b');
    await assert.rejects(queue.enter('c'), PoolExhaustedError);
    assert.equal(queue.waiting, 0);
    assert.deepEqual(queue.waits, { principal_cap: 1, pool_full: 1 });
  });

  it('says the pool is full, not the principal at its share, when the share is every session', async () => {
    const queue = new FairQueue({ capacity: 2, perPrincipal: 2, timeoutMs: 5 });
    await queue.enter('a');
    await queue.enter('a');
    await assert.rejects(queue.enter('a'), PoolExhaustedError);
    assert.deepEqual(queue.waits, { principal_cap: 0, pool_full: 1 });
  });

  it('refuses those waiting and those coming once closed', async () => {
    const queue = new FairQueue({ capacity: 1, perPrincipal: 1, timeoutMs: LONG });
    const first = await queue.enter('a');
    const waiting = queue.enter('b');
    queue.close(new PoolClosedError('closing'));
    await assert.rejects(waiting, PoolClosedError);
    await assert.rejects(queue.enter('c'), PoolClosedError);
    first.release();
    assert.equal(queue.waiting, 0);
  });

  it('gives every principal at least one session, and none more than there are', async () => {
    const none = new FairQueue({ capacity: 2, perPrincipal: 0, timeoutMs: LONG });
    await none.enter('a');
    assert.equal(none.heldBy('a'), 1);
    const more = new FairQueue({ capacity: 2, perPrincipal: 5, timeoutMs: LONG });
    await more.enter('a');
    await more.enter('a');
    assert.equal(more.heldBy('a'), 2);
  });
});
