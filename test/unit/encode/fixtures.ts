import {
  Binary,
  Bool,
  Date_,
  DateUnit,
  Decimal,
  Duration,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  IntervalYearMonth,
  List,
  Map_,
  Null,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  TimeMicrosecond,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { decodePayload, type ArrowPayload } from '../../../src/arrow/decode.js';
import { ipcStreamOf, schemaMessageOf } from '../../../src/encode/ipc-write.js';

/** Validity bitmap with the given rows null. */
export function validity(length: number, nulls: number[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  for (const i of nulls) bits[i >> 3]! &= ~(1 << (i & 7));
  return bits;
}

/** Decimal128 values as Arrow stores them: four little-endian 32-bit words each. */
export function decimalWords(values: bigint[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    const u = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
  });
  return words;
}

/** A column of values with the given rows null. */
export function column<T extends DataType>(
  type: T,
  values: T['TArray'],
  length: number,
  nulls: number[] = [],
): Data<T> {
  const props = {
    type,
    length,
    nullCount: nulls.length,
    nullBitmap: nulls.length > 0 ? validity(length, nulls) : null,
    data: values,
  };
  return makeData(props as never) as Data<T>;
}

/**
 * A record batch of named columns (names may repeat), read back from IPC as Spark's would be.
 * Like every batch apache-arrow decodes, its own `schema` gives a repeated name the last such
 * column's type; `schemaOf` is the stream's schema, as the service has it.
 */
export function batchOf(columns: [string, Data][]): RecordBatch {
  const data = ipcOf(columns);
  const [batch] = decodePayload(payloadOf(data)).batches;
  if (batch === undefined) throw new Error('no batch');
  return batch;
}

/** The schema of the stream a batch came from: each column's own name and type. */
export function schemaOf(batch: RecordBatch): Schema {
  return new Schema(batch.data.type.children);
}

/** One IPC stream (schema, one record batch, end-of-stream) of named columns; names may repeat. */
export function ipcOf(columns: [string, Data][]): Uint8Array {
  const fields = columns.map(([name, data]) => new Field(name, data.type, true));
  const length = columns[0]?.[1].length ?? 0;
  const batch = makeData({ type: new Struct(fields), length, children: columns.map(([, data]) => data) });
  return ipcStreamOf(schemaMessageOf(new Schema(fields)), [batch]);
}

/** A payload as `arrowPayloads()` yields it. */
export function payloadOf(data: Uint8Array): ArrowPayload {
  return { data, rowCount: BigInt([...RecordBatchReader.from(data)].reduce((n, b) => n + b.numRows, 0)) };
}

/** An async iterable of the given items, like the batches or payloads of an execution. */
// eslint-disable-next-line @typescript-eslint/require-await
export async function* from<T>(...items: T[]): AsyncGenerator<T, void, undefined> {
  yield* items;
}

/** Every chunk of an encoder, joined. */
export async function drain(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

export async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  return (await drain(chunks)).toString('utf8');
}

const N = 4;

/** Spark's map type: entries of a non-null key and a nullable value. */
export function mapType<K extends DataType, V extends DataType>(key: K, value: V): Map_<K, V> {
  const entries = new Struct([new Field('key', key, false), new Field('value', value, true)]);
  return new Map_(new Field('entries', entries) as never);
}

/**
 * Four rows of every type Spark sends, with nulls in every column, extremes and awkward text;
 * `ALL_TYPES_JSON` is what each row must read back as from JSON.
 */
export function allTypesColumns(): [string, Data][] {
  const struct = new Struct([
    new Field('name', new Utf8(), true),
    new Field('items', new List(new Field('element', new Int32(), true)), true),
  ]);
  const stringMap = mapType(new Utf8(), new Int32());
  const intMap = mapType(new Int32(), new Utf8());
  return [
    [
      'long',
      column(new Int64(), new BigInt64Array([2n ** 53n + 1n, -(2n ** 63n), 0n, 2n ** 63n - 1n]), N, [2]),
    ],
    ['dec', column(new Decimal(4, 38, 128), decimalWords([-123400n, 0n, 0n, 10n ** 37n + 5n]), N, [2])],
    ['small_dec', column(new Decimal(2, 5, 128), decimalWords([-1n, 99999n, -99999n, 0n]), N, [3])],
    ['dbl', column(new Float64(), new Float64Array([NaN, Infinity, -Infinity, -0]), N)],
    ['dbl2', column(new Float64(), new Float64Array([1.5, 1e21, 5e-324, 0]), N, [3])],
    ['flt', column(new Float32(), new Float32Array([0.1, 3.4028234663852886e38, NaN, 0]), N, [3])],
    ['i8', column(new Int8(), new Int8Array([-128, 127, 0, 0]), N, [2])],
    ['i16', column(new Int16(), new Int16Array([-32768, 32767, 0, 0]), N, [2])],
    ['i32', column(new Int32(), new Int32Array([-2147483648, 2147483647, 0, 0]), N, [2])],
    ['bool', vectorFromArray([true, false, null, true], new Bool()).data[0]!],
    [
      'ts',
      column(
        new Timestamp(TimeUnit.MICROSECOND, 'UTC'),
        new BigInt64Array([1n, -1_000_000_000_000_001n, 1_700_000_000_123_456n, -62_135_596_800_000_000n]),
        N,
      ),
    ],
    [
      'ntz',
      column(
        new Timestamp(TimeUnit.MICROSECOND),
        new BigInt64Array([0n, 500_000n, -86_400_000_000n, 0n]),
        N,
        [3],
      ),
    ],
    ['date', column(new Date_(DateUnit.DAY), new Int32Array([0, -1, 19782, -719162]), N)],
    [
      'time',
      column(new TimeMicrosecond(), new BigInt64Array([0n, 3_723_000_001n, 86_399_999_999n, 0n]), N, [3]),
    ],
    [
      'dti',
      column(new Duration(TimeUnit.MICROSECOND), new BigInt64Array([90_061_500_000n, -1n, 0n, 0n]), N, [3]),
    ],
    ['ymi', column(new IntervalYearMonth(), new Int32Array([14, -1, 0, 0]), N, [3])],
    [
      'bin',
      vectorFromArray([Uint8Array.of(0, 255), new Uint8Array(0), null, Uint8Array.of(104, 105)], new Binary())
        .data[0]!,
    ],
    [
      'str',
      vectorFromArray(['plain', 'q"b\\n\nt\tz\u0000', 'é ü 中 😀 \u2028\u2029', null], new Utf8()).data[0]!,
    ],
    ['ascii', vectorFromArray(['a"b', 'c\\d', '\u0001\u001f', ''], new Utf8()).data[0]!],
    [
      'struct',
      vectorFromArray(
        [{ name: 'a', items: [1, 2] }, { name: 'b', items: [] }, null, { name: null, items: null }],
        struct,
      ).data[0]!,
    ],
    [
      'smap',
      vectorFromArray(
        [
          new Map<string, number | null>([
            ['a', 1],
            ['b', null],
          ]),
          null,
          new Map(),
          new Map([['"q"', 2]]),
        ],
        stringMap,
      ).data[0]!,
    ],
    [
      'imap',
      vectorFromArray(
        [new Map([[1, 'x']]), new Map(), null, new Map<number, string | null>([[2, null]])],
        intMap,
      ).data[0]!,
    ],
    [
      'structs',
      vectorFromArray(
        [[{ a: 1 }], null, [], [null, { a: null }]],
        new List(new Field('element', new Struct([new Field('a', new Int32(), true)]), true)),
      ).data[0]!,
    ],
    [
      'longs',
      vectorFromArray(
        [[[1n], [2n ** 53n + 1n]], [], [null], null],
        new List(new Field('element', new List(new Field('element', new Int64(), true)), true)),
      ).data[0]!,
    ],
    ['nothing', makeData({ type: new Null(), length: N })],
  ];
}

export const ALL_TYPES_JSON: Record<string, unknown>[] = [
  {
    long: '9007199254740993',
    dec: '-12.3400',
    small_dec: '-0.01',
    dbl: 'NaN',
    dbl2: 1.5,
    flt: 0.1,
    i8: -128,
    i16: -32768,
    i32: -2147483648,
    bool: true,
    ts: '1970-01-01T00:00:00.000001Z',
    ntz: '1970-01-01T00:00:00',
    date: '1970-01-01',
    time: '00:00:00',
    dti: 'P1DT1H1M1.5S',
    ymi: 'P1Y2M',
    bin: 'AP8=',
    str: 'plain',
    ascii: 'a"b',
    struct: { name: 'a', items: [1, 2] },
    smap: { a: 1, b: null },
    imap: [[1, 'x']],
    structs: [{ a: 1 }],
    longs: [['1'], ['9007199254740993']],
    nothing: null,
  },
  {
    long: '-9223372036854775808',
    dec: '0.0000',
    small_dec: '999.99',
    dbl: 'Infinity',
    dbl2: 1e21,
    flt: 3.4028235e38,
    i8: 127,
    i16: 32767,
    i32: 2147483647,
    bool: false,
    ts: '1938-04-24T22:13:19.999999Z',
    ntz: '1970-01-01T00:00:00.5',
    date: '1969-12-31',
    time: '01:02:03.000001',
    dti: '-PT0.000001S',
    ymi: '-P1M',
    bin: '',
    str: 'q"b\\n\nt\tz\u0000',
    ascii: 'c\\d',
    struct: { name: 'b', items: [] },
    smap: null,
    imap: [],
    structs: null,
    longs: [],
    nothing: null,
  },
  {
    long: null,
    dec: null,
    small_dec: '-999.99',
    dbl: '-Infinity',
    dbl2: 5e-324,
    flt: 'NaN',
    i8: null,
    i16: null,
    i32: null,
    bool: null,
    ts: '2023-11-14T22:13:20.123456Z',
    ntz: '1969-12-31T00:00:00',
    date: '2024-02-29',
    time: '23:59:59.999999',
    dti: 'P0D',
    ymi: 'P0Y',
    bin: null,
    str: 'é ü 中 😀 \u2028\u2029',
    ascii: '\u0001\u001f',
    struct: null,
    smap: {},
    imap: null,
    structs: [],
    longs: [null],
    nothing: null,
  },
  {
    long: '9223372036854775807',
    dec: '1000000000000000000000000000000000.0005',
    small_dec: null,
    dbl: -0,
    dbl2: null,
    flt: null,
    i8: 0,
    i16: 0,
    i32: 0,
    bool: true,
    ts: '0001-01-01T00:00:00Z',
    ntz: null,
    date: '0001-01-01',
    time: null,
    dti: null,
    ymi: null,
    bin: 'aGk=',
    str: null,
    ascii: '',
    struct: { name: null, items: null },
    smap: { '"q"': 2 },
    imap: [[2, null]],
    structs: [null, { a: null }],
    longs: null,
    nothing: null,
  },
];
