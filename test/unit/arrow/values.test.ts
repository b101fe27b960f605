import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Bool,
  Date_,
  DateUnit,
  Decimal,
  Field,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
  Int32,
} from 'apache-arrow';
import { ArrowDecodeError, decodePayload } from '../../../src/arrow/decode.js';
import { batchRows } from '../../helpers/arrow-results.js';

/** Validity bitmap with the given rows null. */
function validity(length: number, nulls: number[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  for (const i of nulls) bits[i >> 3]! &= ~(1 << (i & 7));
  return bits;
}

function decimalWords(values: bigint[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    const u = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
  });
  return words;
}

function ipcRoundTrip(batch: RecordBatch) {
  return decodePayload({ data: tableToIPC(new Table([batch]), 'stream'), rowCount: BigInt(batch.numRows) });
}

describe('exact Arrow values', () => {
  it('reads longs, decimals, dates and timestamps without loss, and nulls as null', () => {
    const n = 3;
    const fields = [
      new Field('l', new Int64(), true),
      new Field('d', new Decimal(4, 38, 128), true),
      new Field('day', new Date_(DateUnit.DAY), false),
      new Field('ts', new Timestamp(TimeUnit.MICROSECOND, 'UTC'), false),
      new Field('ntz', new Timestamp(TimeUnit.MICROSECOND), false),
      new Field('b', new Bool(), false),
    ];
    const children = [
      makeData({
        type: new Int64(),
        length: n,
        nullCount: 1,
        nullBitmap: validity(n, [2]),
        data: new BigInt64Array([2n ** 62n + 1n, -(2n ** 63n), 0n]),
      }),
      makeData({
        type: new Decimal(4, 38, 128),
        length: n,
        nullCount: 1,
        nullBitmap: validity(n, [1]),
        data: decimalWords([-12345n, 0n, 10n ** 37n]),
      }),
      makeData({ type: new Date_(DateUnit.DAY), length: n, data: new Int32Array([0, -1, 19782]) }),
      makeData({
        type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'),
        length: n,
        data: new BigInt64Array([1n, -1n, 1_700_000_000_123_456n]),
      }),
      makeData({
        type: new Timestamp(TimeUnit.MICROSECOND),
        length: n,
        data: new BigInt64Array([0n, 500_000n, -86_400_000_000n]),
      }),
      makeData({ type: new Bool(), length: n, data: new Uint8Array([0b101]) }),
    ];
    const schema = new Schema(fields);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children }));
    const { batches } = ipcRoundTrip(batch);
    assert.deepEqual(batchRows(batches[0]!), [
      {
        l: 2n ** 62n + 1n,
        d: '-1.2345',
        day: '1970-01-01',
        ts: '1970-01-01T00:00:00.000001Z',
        ntz: '1970-01-01T00:00:00',
        b: true,
      },
      {
        l: -(2n ** 63n),
        d: null,
        day: '1969-12-31',
        ts: '1969-12-31T23:59:59.999999Z',
        ntz: '1970-01-01T00:00:00.5',
        b: false,
      },
      {
        l: null,
        d: `1${'0'.repeat(33)}.0000`,
        day: '2024-02-29',
        ts: '2023-11-14T22:13:20.123456Z',
        ntz: '1969-12-31T00:00:00',
        b: true,
      },
    ]);
  });

  it('reads nested lists and structs', () => {
    const items = vectorFromArray([[1, 2], [], [3]], new List(new Field('item', new Int32(), true)));
    const names = vectorFromArray(['a', 'b', 'é'], new Utf8());
    const structType = new Struct([new Field('name', new Utf8()), new Field('items', items.type)]);
    const struct = makeData({ type: structType, length: 3, children: [names.data[0]!, items.data[0]!] });
    const schema = new Schema([new Field('s', structType)]);
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 3, children: [struct] }),
    );
    assert.deepEqual(batchRows(ipcRoundTrip(batch).batches[0]!), [
      { s: { name: 'a', items: [1, 2] } },
      { s: { name: 'b', items: [] } },
      { s: { name: 'é', items: [3] } },
    ]);
  });

  it('reads sliced batches: value buffers are already sliced, validity still counts from the offset', () => {
    const ids = vectorFromArray([1n, 2n, 3n, 4n], new Int64());
    const names = vectorFromArray(['a', 'bb', null, 'dddd'], new Utf8());
    const fields = [new Field('id', new Int64()), new Field('name', new Utf8(), true)];
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: 4, children: [ids.data[0]!, names.data[0]!] }),
    );
    assert.deepEqual(batchRows(batch.slice(1, 3)), [
      { id: 2n, name: 'bb' },
      { id: 3n, name: null },
    ]);
  });

  it('refuses a payload whose row count differs from what Spark announced', () => {
    const table = new Table({ x: vectorFromArray([1, 2], new Int32()) });
    assert.throws(
      () => decodePayload({ data: tableToIPC(table, 'stream'), rowCount: 3n }),
      (err: unknown) => err instanceof ArrowDecodeError && /has 2 rows, Spark announced 3/.test(err.message),
    );
  });
});
