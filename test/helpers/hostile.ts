import fc from 'fast-check';
import type { Filter } from '../../src/query/spec.js';

/**
 * Inputs at the edges, for property tests of every route: huge numbers, deep and wide
 * condition trees, long LIKE patterns and keys objects must not treat specially.
 */

/** Numbers at and past every edge: 32-bit, 2^53, 64-bit, float and double ranges. */
export const hugeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    1e10,
    1e30,
    1e300,
    -1e300,
    3.5e38,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    -0,
  ),
);

/** Numbers as text, as query strings and exact JSON values carry them. */
export const hugeNumberText: fc.Arbitrary<string> = fc.oneof(
  hugeNumber.map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom(
    '9223372036854775808',
    '1e400',
    '-Infinity',
    'Infinity',
    '-0',
    '0x10',
    '1_000',
    ' 1',
    '1'.repeat(400),
    '0.' + '0'.repeat(60) + '1',
  ),
);

/** Keys an object should never treat specially. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'a.b',
    'a`b',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 257, maxLength: 2_000 }),
);

/** LIKE patterns: wildcards, escapes and wide characters, up to and past the wildcard cap. */
export const likePattern: fc.Arbitrary<string> = fc
  .array(fc.constantFrom('%', '_', '\\', 'a', 'é', '😀', '%_'), { maxLength: 400 })
  .map((parts) => parts.join(''));

/** Columns of the conditions generated: those of the unit fixture and of the demo dataset. */
const COLUMNS = ['id', 'n', 'x', 'amount', 'name', 'ts', 'day', 'event_id', 'region', 'revenue', 'user_id'];
const TEXT_COLUMNS = ['name', 'region', 'event_type'];

const leafFilter: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({
    op: fc.constantFrom('eq', 'ne', 'lt', 'gte'),
    column: fc.oneof(fc.constantFrom(...COLUMNS), oddKey),
    value: fc.oneof(hugeNumber, hugeNumberText, fc.string(), fc.boolean()),
  }) as fc.Arbitrary<Filter>,
  fc.record({
    op: fc.constantFrom('in', 'not_in'),
    column: fc.constantFrom(...COLUMNS),
    values: fc.array(fc.oneof(hugeNumber, hugeNumberText), { maxLength: 1_100 }),
  }) as fc.Arbitrary<Filter>,
  fc.record({
    op: fc.constantFrom('like', 'ilike'),
    column: fc.constantFrom(...TEXT_COLUMNS),
    pattern: likePattern,
  }) as fc.Arbitrary<Filter>,
);

/** Condition trees: deep, wide, or both. */
export const filterTree: fc.Arbitrary<Filter> = fc.letrec<{ tree: Filter }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafFilter,
    fc.record({ op: fc.constant('not'), filter: tie('tree') }) as fc.Arbitrary<Filter>,
    fc.record({
      op: fc.constantFrom('and', 'or'),
      filters: fc.array(tie('tree'), { minLength: 1, maxLength: 300 }),
    }) as fc.Arbitrary<Filter>,
  ),
})).tree;

/** A chain of `not`, `and` and `or` this deep around a condition. */
export const deepFilter: fc.Arbitrary<Filter> = fc
  .tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom('not', 'and', 'or'))
  .map(([depth, op]) => {
    let f: Filter = { op: 'eq', column: 'id', value: 1 };
    for (let k = 0; k < depth; k++) f = op === 'not' ? { op, filter: f } : { op, filters: [f] };
    return f;
  });
