import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatDate,
  formatDayTimeInterval,
  formatDecimal,
  formatTimeOfDay,
  formatTimestamp,
  formatYearMonthInterval,
} from '../../../src/arrow/temporal.js';

describe('temporal and decimal text', () => {
  it('formats dates, including before the epoch and year 1', () => {
    assert.equal(formatDate(0), '1970-01-01');
    assert.equal(formatDate(-1), '1969-12-31');
    assert.equal(formatDate(-719162), '0001-01-01');
  });

  it('formats timestamps to the microsecond, Z for instants and no offset for local times', () => {
    assert.equal(formatTimestamp(0n, true), '1970-01-01T00:00:00Z');
    assert.equal(formatTimestamp(-1n, true), '1969-12-31T23:59:59.999999Z');
    assert.equal(formatTimestamp(1_500_000n, false), '1970-01-01T00:00:01.5');
    assert.equal(formatTimeOfDay(3_723_000_001n), '01:02:03.000001');
  });

  it('formats intervals as ISO-8601 durations', () => {
    assert.equal(formatDayTimeInterval(93_784_500_000n), 'P1DT2H3M4.5S');
    assert.equal(formatDayTimeInterval(-60_000_000n), '-PT1M');
    assert.equal(formatDayTimeInterval(0n), 'P0D');
    assert.equal(formatYearMonthInterval(14), 'P1Y2M');
    assert.equal(formatYearMonthInterval(-3), '-P3M');
    assert.equal(formatYearMonthInterval(0), 'P0Y');
  });

  it('formats decimals with exactly their scale', () => {
    assert.equal(formatDecimal(15n, 1), '1.5');
    assert.equal(formatDecimal(-5n, 3), '-0.005');
    assert.equal(formatDecimal(0n, 2), '0.00');
    assert.equal(formatDecimal(-(10n ** 37n), 0), `-1${'0'.repeat(37)}`);
  });
});
