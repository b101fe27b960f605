import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimeUnit, Timestamp } from 'apache-arrow';
import { formatDate, formatTimestamp } from '../../../src/arrow/temporal.js';
import { dateText, temporalText } from '../../../src/encode/temporal-text.js';
import { column } from './fixtures.js';

describe('fast temporal text', () => {
  it('formats every date of years 0001 to 9999 as formatDate does', () => {
    for (let days = -719_162; days <= 2_932_896; days += 1) {
      const expected = formatDate(days);
      if (dateText(days) !== expected) assert.equal(dateText(days), expected, `day ${days}`);
    }
    assert.equal(dateText(-719_163), formatDate(-719_163));
    assert.equal(dateText(2_932_897), formatDate(2_932_897));
  });

  it('formats runs of timestamps within and across days as formatTimestamp does', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
        fc.array(fc.bigInt({ min: -90_000_000_000n, max: 90_000_000_000n }), { maxLength: 50 }),
        fc.boolean(),
        (start, steps, instant) => {
          let micros = start;
          const values = steps.map((step) => (micros += step));
          const type = new Timestamp(TimeUnit.MICROSECOND, instant ? 'UTC' : null);
          const text = temporalText(column(type, BigInt64Array.from(values), values.length))!;
          values.forEach((m, i) => {
            assert.equal(text(i), formatTimestamp(m, instant));
          });
        },
      ),
    );
  });
});
