import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Decimal,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Struct,
  Uint64,
  Utf8,
  vectorFromArray,
  type RecordBatch,
  type Schema,
} from 'apache-arrow';
import { jsonAnswer, type JsonAnswer } from '../../../src/encode/json-answer.js';
import { jsonStringBytes } from '../../../src/encode/json-size.js';
import { encodeJson, type JsonDocumentOptions } from '../../../src/encode/json.js';
import {
  allTypesColumns,
  batchOf,
  column,
  decimalWords,
  drain,
  from,
  mapType,
  schemaOf,
} from './fixtures.js';

/** The reference: `encodeJson`'s document read back by `JSON.parse`, and its size. */
async function reference(schema: Schema, batches: RecordBatch[], options: JsonDocumentOptions) {
  const bytes = await drain(encodeJson(schema, from(...batches), options));
  return { ...(JSON.parse(bytes.toString('utf8')) as object), bytes: bytes.byteLength };
}

async function answer(schema: Schema, batches: RecordBatch[], options: JsonDocumentOptions) {
  return jsonAnswer(schema, from(...batches), options);
}

/** Answer and reference are equal: deepStrictEqual tells -0 from 0 and checks prototypes. */
async function same(schema: Schema, batches: RecordBatch[], options: JsonDocumentOptions = {}) {
  const actual: JsonAnswer = await answer(schema, batches, options);
  assert.deepStrictEqual({ ...actual }, await reference(schema, batches, options));
  return actual;
}

const allTypes = () => batchOf(allTypesColumns());

describe('JSON answer as values', () => {
  it('equals JSON.parse of the JSON encoder for every column type, with longs as strings or numbers', async () => {
    const batch = allTypes();
    const plain = await same(batch.schema, [batch]);
    assert.equal(plain.rowCount, 4);
    assert.ok(Object.is(plain.rows[3]?.['dbl'], -0), 'negative zero');
    await same(batch.schema, [batch], { numbers: true });
  });

  it('equals it for sliced batches, whose chunks have offsets', async () => {
    const batch = allTypes();
    for (const [start, end] of [
      [1, 3],
      [2, 4],
      [3, 4],
    ] as const) {
      const slice = batch.slice(start, end);
      await same(slice.schema, [slice]);
      await same(slice.schema, [slice], { numbers: true });
    }
  });

  it('cuts where the encoder cuts, at every maxRows and maxBytes, across batches', async () => {
    const batch = allTypes();
    const batches = [batch.slice(0, 1), batch.slice(1, 1), batch.slice(1, 3), batch.slice(3, 4)];
    const whole = await same(batch.schema, batches);
    for (let maxRows = 0; maxRows <= 5; maxRows++) await same(batch.schema, batches, { maxRows });
    const rowsBytes = whole.bytes - (await same(batch.schema, [], {})).bytes;
    for (let maxBytes = 0; maxBytes <= rowsBytes + 1; maxBytes += 7) {
      await same(batch.schema, batches, { maxBytes });
      await same(batch.schema, batches, { maxBytes, maxRows: 2, numbers: true });
    }
    for (const maxBytes of [rowsBytes - 1, rowsBytes, rowsBytes + 1]) {
      await same(batch.schema, batches, { maxBytes });
    }
  });

  it('closes the batches when a limit cuts, and reads nothing more', async () => {
    let closed = false;
    const batch = allTypes();
    // eslint-disable-next-line @typescript-eslint/require-await
    async function* source() {
      try {
        yield batch;
        yield batch;
      } finally {
        closed = true;
      }
    }
    const cut = await jsonAnswer(batch.schema, source(), { maxRows: 2 });
    assert.equal(cut.rowCount, 2);
    assert.equal(cut.truncated, true);
    assert.ok(closed);
  });

  it('keeps the keys JSON.parse keeps: duplicate map keys, __proto__, duplicate column names', async () => {
    const stringMap = mapType(new Utf8(), new Int32());
    const struct = new Struct([new Field('__proto__', new Int32(), true), new Field('b', new Int32(), true)]);
    const batch = batchOf([
      [
        'm',
        vectorFromArray(
          [
            new Map([
              ['a', 1],
              ['b', 2],
            ]),
            new Map([['__proto__', 3]]),
          ],
          stringMap,
        ).data[0]!,
      ],
      ['s', vectorFromArray([{ __proto__: 1, b: 2 }, null], struct).data[0]!],
      ['__proto__', column(new Int32(), Int32Array.of(1, 2), 2)],
      ['__proto__', column(new Int64(), BigInt64Array.of(3n, 4n), 2)],
    ]);
    await same(schemaOf(batch), [batch]);
  });

  it('equals the encoder on random strings, column names, doubles, floats, longs and decimals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary' }),
        fc.array(fc.option(fc.string({ unit: 'binary' })), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double(), { minLength: 8, maxLength: 8 }),
        fc.array(fc.float(), { minLength: 8, maxLength: 8 }),
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), {
          minLength: 8,
          maxLength: 8,
        }),
        fc.boolean(),
        async (name, strings, doubles, floats, longs, decimals, numbers) => {
          const n = strings.length;
          const batch = batchOf([
            [name || 'x', vectorFromArray(strings, new Utf8()).data[0]!],
            ['d', column(new Float64(), Float64Array.from(doubles.slice(0, n)), n)],
            ['f', column(new Float32(), Float32Array.from(floats.slice(0, n)), n)],
            ['l', column(new Int64(), BigInt64Array.from(longs.slice(0, n)), n)],
            [
              'u',
              column(
                new Uint64(),
                BigUint64Array.from(longs.slice(0, n).map((v) => BigInt.asUintN(64, v))),
                n,
              ),
            ],
            ['c', column(new Decimal(3, 38, 128), decimalWords(decimals.slice(0, n)), n)],
            [
              'a',
              vectorFromArray(
                strings.map((s) => (s === null ? null : [s, null])),
                new List(new Field('element', new Utf8(), true)),
              ).data[0]!,
            ],
          ]);
          await same(schemaOf(batch), [batch], { numbers });
        },
      ),
    );
  });
});

describe('JSON string size', () => {
  it('is the UTF-8 size of JSON.stringify, lone surrogates and control characters included', () => {
    const special = [
      '',
      '"',
      '\\',
      '\u0000\u0008\u0009\u000a\u000b\u000c\u000d\u001f\u007f',
      '\ud800',
      '\udc00x',
      '😀\ud83d',
    ];
    for (const s of special)
      assert.equal(jsonStringBytes(s), Buffer.byteLength(JSON.stringify(s)), JSON.stringify(s));
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (a, b) => {
          assert.equal(jsonStringBytes(a), Buffer.byteLength(JSON.stringify(a)));
          assert.equal(jsonStringBytes(b), Buffer.byteLength(JSON.stringify(b)));
        },
      ),
    );
  });
});
