import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { needsRenewal, parseSparkDuration, renewalTiming } from '../../../src/spark/renewal.js';

describe('renewal timing', () => {
  it("renews a session 5 minutes before Spark's default hour and checks every minute", () => {
    assert.deepEqual(renewalTiming(60 * 60_000), { renewAfterIdleMs: 55 * 60_000, checkEveryMs: 60_000 });
  });

  it('renews after three quarters of a short timeout and checks often enough', () => {
    assert.deepEqual(renewalTiming(8_000), { renewAfterIdleMs: 6_000, checkEveryMs: 1_000 });
  });

  it('always renews before expiry, with at least one check between renewal point and expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 7 * 24 * 3_600_000 }), (timeout) => {
        const { renewAfterIdleMs, checkEveryMs } = renewalTiming(timeout);
        assert.ok(renewAfterIdleMs < timeout);
        assert.ok(
          renewAfterIdleMs + checkEveryMs < timeout,
          `${renewAfterIdleMs}+${checkEveryMs} >= ${timeout}`,
        );
        assert.ok(checkEveryMs > 0);
      }),
    );
  });

  it('asks for renewal once a session has been idle past the renewal point', () => {
    const timing = renewalTiming(8_000);
    assert.equal(needsRenewal(10_000, 15_999, timing), false);
    assert.equal(needsRenewal(10_000, 16_000, timing), true);
  });
});

describe('parseSparkDuration', () => {
  it('reads the units Spark writes and a bare number in the default unit', () => {
    assert.equal(parseSparkDuration('3600000ms'), 3_600_000);
    assert.equal(parseSparkDuration('30s'), 30_000);
    assert.equal(parseSparkDuration('60m'), 3_600_000);
    assert.equal(parseSparkDuration('1h'), 3_600_000);
    assert.equal(parseSparkDuration('1500'), 1500);
    assert.equal(parseSparkDuration('2', 's'), 2000);
  });

  it('gives nothing for what is not a duration, including Spark’s -1 for “never”', () => {
    assert.equal(parseSparkDuration('-1'), undefined);
    assert.equal(parseSparkDuration('soon'), undefined);
    assert.equal(parseSparkDuration('5 fortnights'), undefined);
  });
});
