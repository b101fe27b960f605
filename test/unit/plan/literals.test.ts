import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDate, formatTimestamp } from '../../../src/arrow/temporal.js';
import { literal, typedLiteralExpression } from '../../../src/plan/literals.js';
import type { TypedValue } from '../../../src/query/scalar-types.js';
import { ValueError } from '../../../src/query/value-error.js';

function value(v: TypedValue): unknown {
  return literal(v).literalType.value;
}

function rejects(v: TypedValue, message: RegExp): void {
  assert.throws(
    () => literal(v),
    (err: unknown) => err instanceof ValueError && message.test(err.message),
  );
}

describe('literal', () => {
  it('maps each scalar type to its literal case', () => {
    const cases: [TypedValue, string][] = [
      [{ type: 'boolean', value: true }, 'boolean'],
      [{ type: 'byte', value: -128 }, 'byte'],
      [{ type: 'short', value: 32767 }, 'short'],
      [{ type: 'int', value: 7 }, 'integer'],
      [{ type: 'long', value: '1' }, 'long'],
      [{ type: 'float', value: 1.5 }, 'float'],
      [{ type: 'double', value: 1.5 }, 'double'],
      [{ type: 'decimal', value: '1.5' }, 'decimal'],
      [{ type: 'string', value: 'x' }, 'string'],
      [{ type: 'binary', value: new Uint8Array([1]) }, 'binary'],
      [{ type: 'date', value: '2024-01-01' }, 'date'],
      [{ type: 'timestamp', value: '2024-01-01T00:00:00Z' }, 'timestamp'],
      [{ type: 'timestamp_ntz', value: '2024-01-01T00:00:00' }, 'timestampNtz'],
      [{ type: 'null' }, 'null'],
    ];
    for (const [v, expected] of cases) assert.equal(literal(v).literalType.case, expected, v.type);
  });

  it('keeps 64-bit integers exact from strings and bigints, and refuses unsafe numbers', () => {
    assert.equal(value({ type: 'long', value: '9223372036854775807' }), 9223372036854775807n);
    assert.equal(value({ type: 'long', value: -(2n ** 63n) }), -(2n ** 63n));
    assert.equal(value({ type: 'long', value: 42 }), 42n);
    rejects({ type: 'long', value: 2 ** 60 }, /as a string for exactness/);
    rejects({ type: 'long', value: '9223372036854775808' }, /out of the range of long/);
    rejects({ type: 'long', value: '12.5' }, /64-bit integer/);
  });

  it('checks integer ranges per type', () => {
    rejects({ type: 'byte', value: 128 }, /-128 to 127/);
    rejects({ type: 'int', value: 2147483648 }, /-2147483648 to 2147483647/);
    rejects({ type: 'int', value: 1.5 }, /integer/);
  });

  it('infers decimal precision and scale, and checks explicit ones', () => {
    assert.deepEqual(value({ type: 'decimal', value: '-0012.340' }), {
      $typeName: 'spark.connect.Expression.Literal.Decimal',
      value: '-0012.340',
      precision: 5,
      scale: 3,
    });
    assert.equal((value({ type: 'decimal', value: '0.05' }) as { precision: number }).precision, 2);
    rejects({ type: 'decimal', value: '123.45', precision: 4, scale: 2 }, /does not fit decimal\(4,2\)/);
    rejects({ type: 'decimal', value: '1.234', scale: 2 }, /more than 2 decimal places/);
    rejects({ type: 'decimal', value: '1e5' }, /decimal number as a string/);
    rejects({ type: 'decimal', value: '1', precision: 39 }, /precision must be 1 to 38/);
  });

  it('casts a decimal with a declared precision to exactly that type in plans', () => {
    const expr = typedLiteralExpression({ type: 'decimal', value: '1.5', precision: 38, scale: 10 });
    if (expr.exprType.case !== 'cast') assert.fail(`expected a cast, got ${expr.exprType.case}`);
    assert.deepEqual(expr.exprType.value.castToType.value, {
      $typeName: 'spark.connect.DataType',
      kind: {
        case: 'decimal',
        value: {
          $typeName: 'spark.connect.DataType.Decimal',
          precision: 38,
          scale: 10,
          typeVariationReference: 0,
        },
      },
    });
    assert.equal(typedLiteralExpression({ type: 'decimal', value: '1.5' }).exprType.case, 'literal');
  });

  it('reads dates as days since the epoch and refuses impossible ones', () => {
    assert.equal(value({ type: 'date', value: '1970-01-01' }), 0);
    assert.equal(value({ type: 'date', value: '1969-12-31' }), -1);
    assert.equal(value({ type: 'date', value: '2024-02-29' }), 19782);
    rejects({ type: 'date', value: '2023-02-29' }, /not a valid date/);
    rejects({ type: 'date', value: '2024-1-5' }, /YYYY-MM-DD/);
  });

  it('reads timestamps as microseconds, applying the offset, to the microsecond', () => {
    assert.equal(value({ type: 'timestamp', value: '1970-01-01T00:00:00.000001Z' }), 1n);
    assert.equal(value({ type: 'timestamp', value: '1970-01-01T05:30:00+05:30' }), 0n);
    assert.equal(value({ type: 'timestamp', value: '1969-12-31T19:00:00-0500' }), 0n);
    assert.equal(value({ type: 'timestamp_ntz', value: '1970-01-02 00:00:00.5' }), 86_400_500_000n);
    rejects({ type: 'timestamp', value: '2024-01-01T00:00:00' }, /needs a time zone offset/);
    rejects({ type: 'timestamp_ntz', value: '2024-01-01T00:00:00Z' }, /must not have a time zone offset/);
    rejects({ type: 'timestamp', value: '2024-01-01T00:00:00.0000001Z' }, /more precise than microseconds/);
    rejects({ type: 'timestamp', value: '2024-01-01T24:00:00Z' }, /not a valid date-time/);
  });

  it('takes the offsets Java takes, -18:00 to +18:00', () => {
    assert.equal(value({ type: 'timestamp', value: '1970-01-01T18:00:00+18:00' }), 0n);
    assert.equal(value({ type: 'timestamp', value: '1969-12-31T06:00:00-1800' }), 0n);
    for (const offset of ['+99:99', '+18:01', '-18:30', '+12:60', '+1900']) {
      rejects(
        { type: 'timestamp', value: `2024-01-01T00:00:00${offset}` },
        /offsets go from -18:00 to \+18:00/,
      );
    }
  });

  it('refuses a float out of the 32-bit range, which protobuf cannot encode', () => {
    assert.equal(value({ type: 'float', value: 3.4028234663852886e38 }), 3.4028234663852886e38);
    assert.equal(value({ type: 'float', value: -1e-50 }), -1e-50);
    rejects({ type: 'float', value: 1e300 }, /out of the range of float/);
    rejects({ type: 'float', value: -3.5e38 }, /out of the range of float/);
    assert.equal(value({ type: 'double', value: 1e300 }), 1e300);
  });

  it('round-trips every instant of years 0001-9999 through its ISO text', () => {
    const micros = fc.bigInt(-62135596800000000n, 253402300799999999n);
    fc.assert(
      fc.property(micros, (m) => {
        assert.equal(value({ type: 'timestamp', value: formatTimestamp(m, true) }), m);
        assert.equal(value({ type: 'timestamp_ntz', value: formatTimestamp(m, false) }), m);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (days) => {
        assert.equal(value({ type: 'date', value: formatDate(days) }), days);
      }),
    );
  });

  it('checks values that came from JSON against their declared type', () => {
    rejects({ type: 'boolean', value: 'true' as unknown as boolean }, /true or false/);
    rejects({ type: 'double', value: '1' as unknown as number }, /number for double/);
    rejects({ type: 'string', value: 5 as unknown as string }, /expected a string/);
  });
});
