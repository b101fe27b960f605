import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { TypedValue } from '../../src/query/scalar-types.js';
import { collectSql, connect } from '../helpers/spark.js';

const client = connect();
after(() => {
  client.close();
});

const HOSTILE = `it's a "quote", a \\ backslash, \\' and '; DROP TABLE t; -- \u00e9\u4e2d\u{1F600}`;

/** Each value, the exact value Spark must give back, and the type Spark must see. */
const CASES: [string, TypedValue, unknown, string][] = [
  ['int', { type: 'int', value: -2147483648 }, -2147483648, 'int'],
  ['bigint beyond 2^53', { type: 'long', value: '9007199254740993' }, 9007199254740993n, 'bigint'],
  ['bigint minimum', { type: 'long', value: -(2n ** 63n) }, -(2n ** 63n), 'bigint'],
  ['double', { type: 'double', value: 0.1 }, 0.1, 'double'],
  ['double extreme', { type: 'double', value: -1.7976931348623157e308 }, -1.7976931348623157e308, 'double'],
  [
    'decimal(38,10)',
    { type: 'decimal', value: '-1234567890123456789012345678.0123456789', precision: 38, scale: 10 },
    '-1234567890123456789012345678.0123456789',
    'decimal(38,10)',
  ],
  ['string with quotes and backslashes', { type: 'string', value: HOSTILE }, HOSTILE, 'string'],
  ['boolean', { type: 'boolean', value: false }, false, 'boolean'],
  ['date', { type: 'date', value: '2024-02-29' }, '2024-02-29', 'date'],
  [
    'timestamp',
    { type: 'timestamp', value: '2024-03-10T02:30:00.123456+05:30' },
    '2024-03-09T21:00:00.123456Z',
    'timestamp',
  ],
  [
    'timestamp_ntz',
    { type: 'timestamp_ntz', value: '1969-07-20T20:17:40.5' },
    '1969-07-20T20:17:40.5',
    'timestamp_ntz',
  ],
  ['typed null', { type: 'null', of: 'int' }, null, 'int'],
  ['untyped null', { type: 'null' }, null, 'void'],
  [
    'binary',
    { type: 'binary', value: new Uint8Array([0, 39, 92, 255, 10]) },
    new Uint8Array([0, 39, 92, 255, 10]),
    'binary',
  ],
];

describe('parameterized SQL against Spark', () => {
  for (const style of ['named', 'positional'] as const) {
    it(`binds every literal type as ${style} arguments and gets each back exactly`, async () => {
      const session = client.newSession();
      const marker = (k: number) => (style === 'named' ? `:p${k}` : '?');
      const columns = CASES.map((_c, k) => `${marker(k)} AS v${k}`).join(', ');
      const values = CASES.map(([, value]) => value);
      const args =
        style === 'named'
          ? { named: Object.fromEntries(values.map((v, k) => [`p${k}`, v])) }
          : { positional: values };
      const { rows } = await collectSql(session, `SELECT ${columns}`, args);
      assert.equal(rows.length, 1);
      CASES.forEach(([name, , expected], k) => {
        assert.deepEqual(rows[0]?.[`v${k}`], expected, name);
      });
      // Spark's own view of the types: typeof() of each marker, bound the same way.
      const types = await collectSql(
        session,
        `SELECT ${CASES.map((_c, k) => `typeof(${marker(k)}) AS t${k}`).join(', ')}`,
        args,
      );
      CASES.forEach(([name, , , type], k) => {
        assert.equal(types.rows[0]?.[`t${k}`], type, name);
      });
    });
  }

  it('treats a hostile string as a value, never as SQL', async () => {
    const session = client.newSession();
    const { rows } = await collectSql(
      session,
      'SELECT count(*) AS n FROM range(5) WHERE concat(id, "") = :v',
      {
        named: { v: { type: 'string', value: "0' OR '1'='1" } },
      },
    );
    assert.deepEqual(rows, [{ n: 0n }]);
  });
});
