import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withinDeadline } from '../../../src/service/deadline.js';

/** Waits until `signal` aborts, then fails with its reason, as an execution does. */
function until(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener(
      'abort',
      () => {
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

describe('query deadline', () => {
  it('is a QUERY_TIMEOUT once it has passed, its cause the failure it caused', async () => {
    await assert.rejects(withinDeadline(20, undefined, until), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'QUERY_TIMEOUT');
      assert.equal(err.message, 'The query did not finish within 20 ms');
      assert.equal((err.cause as Error).name, 'TimeoutError');
      return true;
    });
  });

  it('lets other failures through, the client leaving among them', async () => {
    const gone = new AbortController();
    const running = withinDeadline(10_000, gone.signal, until);
    gone.abort(new Error('the client closed the connection'));
    await assert.rejects(running, { message: 'the client closed the connection' });
    await assert.rejects(
      withinDeadline(10_000, undefined, () => Promise.reject(new Error('no'))),
      { message: 'no' },
    );
  });

  it('stops the clock when the work settles', async () => {
    let signal: AbortSignal | undefined;
    const value = await withinDeadline(20, undefined, (s) => {
      signal = s;
      return Promise.resolve(7);
    });
    assert.equal(value, 7);
    await sleep(40);
    assert.equal(signal?.aborted, false);
  });
});
