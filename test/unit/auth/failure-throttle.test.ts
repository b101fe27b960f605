/** Failed attempts counted per address: refused after `max` in a window, forgotten beyond `maxAddresses`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureThrottle } from '../../../src/auth/failure-throttle.js';

describe('FailureThrottle', () => {
  it('refuses an address after max failures until its window ends, and no other address', () => {
    const throttle = new FailureThrottle({ max: 3, windowMs: 10_000 });
    for (let i = 0; i < 2; i++) throttle.failed('10.0.0.1', 1_000);
    assert.equal(throttle.retryAfter('10.0.0.1', 1_000), undefined);
    throttle.failed('10.0.0.1', 2_000);
    assert.equal(throttle.retryAfter('10.0.0.1', 2_000), 9, 'the window began at the first failure');
    assert.equal(throttle.retryAfter('10.0.0.1', 10_999), 1);
    assert.equal(throttle.retryAfter('10.0.0.2', 2_000), undefined);
    assert.equal(throttle.retryAfter('10.0.0.1', 11_000), undefined, 'the window has ended');
    throttle.failed('10.0.0.1', 11_000);
    assert.equal(throttle.retryAfter('10.0.0.1', 11_000), undefined, 'a new window counts from one');
  });

  it('forgets the least recently seen address beyond maxAddresses', () => {
    const throttle = new FailureThrottle({ max: 1, windowMs: 10_000, maxAddresses: 2 });
    throttle.failed('a', 0);
    throttle.failed('b', 0);
    assert.equal(throttle.retryAfter('a', 1), 10, 'a is now the most recently seen');
    throttle.failed('c', 0);
    assert.equal(throttle.retryAfter('b', 1), undefined, 'b was forgotten');
    assert.equal(throttle.retryAfter('a', 1), 10);
    assert.equal(throttle.retryAfter('c', 1), 10);
  });

  it('takes memory for the addresses it holds, not for as many as it may hold', () => {
    const before = process.memoryUsage();
    const throttle = new FailureThrottle({ max: 3, windowMs: 1_000, maxAddresses: 10_000_000 });
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // Room for ten million addresses made ahead of time would be some 200 MB.
    assert.ok(grown < 16 * 1024 ** 2, `an empty throttle took ${grown} bytes`);
    assert.equal(throttle.retryAfter('10.0.0.1'), undefined);
  });
});
