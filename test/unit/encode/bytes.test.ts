import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Decimal,
  Float32,
  Float64,
  Int32,
  Int64,
  Timestamp,
  TimeUnit,
  Utf8,
  makeData,
  vectorFromArray,
  type RecordBatch,
} from 'apache-arrow';
import { formatDecimal, formatTimestamp } from '../../../src/arrow/temporal.js';
import { ByteSink } from '../../../src/encode/byte-sink.js';
import { floatWriter, writeInteger } from '../../../src/encode/column-bytes.js';
import { floatText } from '../../../src/encode/column-text.js';
import { csvTextCell, encodeCsv } from '../../../src/encode/csv.js';
import { encodeJson } from '../../../src/encode/json.js';
import { encodeNdjson } from '../../../src/encode/ndjson.js';
import { parseCsv } from '../../helpers/csv-parser.js';
import { batchOf, column, decimalWords, from, schemaOf, text } from './fixtures.js';

function integerText(value: number): string {
  const sink = new ByteSink(16);
  writeInteger(sink, value);
  return sink.take().toString('latin1');
}

async function ndjsonLines(batch: RecordBatch): Promise<string[]> {
  return (await text(encodeNdjson(from(batch)))).split('\n').slice(0, -1);
}

describe('JSON and CSV written as bytes', () => {
  it('writes every safe integer as String does, across the 32-bit and digit-count edges', () => {
    const edges = [0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), -1, -(2 ** 31)];
    for (let k = 1; k <= 16; k++) edges.push(10 ** k, 10 ** k - 1, -(10 ** k));
    for (const v of edges) assert.equal(integerText(v), String(v));
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), (v) => integerText(v) === String(v)),
    );
  });

  it('writes doubles that are whole numbers as String does, and floats by their own shortest text', async () => {
    const edges = [
      1,
      -1,
      7,
      2 ** 31,
      2 ** 32,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      2 ** 60,
      1e20,
      1e21,
      0.5,
    ];
    for (let k = 1; k <= 16; k++) edges.push(10 ** k, 10 ** k - 1, -(10 ** k));
    const check = async (values: number[]) => {
      const n = values.length;
      const batch = batchOf([['d', column(new Float64(), Float64Array.from(values), n)]]);
      const lines = (await ndjsonLines(batch)).map((line) => line.slice('{"d":'.length, -1));
      assert.deepEqual(lines, values.map(String));
      const rows = parseCsv(await text(encodeCsv(schemaOf(batch), from(batch))));
      assert.deepEqual(rows, [['d'], ...values.map((v) => [String(v)])]);
    };
    await check(edges);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map((v) => v * 1),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
          ),
          {
            minLength: 1,
          },
        ),
        async (values) => check(values.filter((v) => v !== 0)),
      ),
    );
    // A float holding 2^30 reads back from 1073741800 already; a double would need every digit.
    const floats = batchOf([['f', column(new Float32(), Float32Array.of(2 ** 30, 3), 2)]]);
    assert.deepEqual(await ndjsonLines(floats), ['{"f":1073741800}', '{"f":3}']);
  });

  it('writes every double, across windows and around nulls, as floatText does', async () => {
    const values = fc.oneof(
      fc.double(),
      fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 1e21, 1e-7, 123e-20),
      fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map((v) => v * 1),
    );
    const check = async (doubles: number[], nulls: number[]) => {
      const data = column(new Float64(), Float64Array.from(doubles), doubles.length, nulls);
      const batch = batchOf([['d', data]]);
      const expected = doubles.map((_, i) => (nulls.includes(i) ? 'null' : floatText(data, true)(i)));
      const lines = (await ndjsonLines(batch)).map((line) => line.slice('{"d":'.length, -1));
      assert.deepEqual(lines, expected);
      const cells = parseCsv(await text(encodeCsv(schemaOf(batch), from(batch)))).slice(1);
      const csvText = doubles.map((_, i) => (nulls.includes(i) ? null : floatText(data, false)(i)));
      assert.deepEqual(
        cells.map(([cell]) => cell),
        csvText,
      );
    };
    // Rows read out of order, as no encoder does today, still get their own text.
    const thirds = Float64Array.from({ length: 4200 }, (_, i) => i / 3);
    const sink = new ByteSink(1 << 16);
    const write = floatWriter(column(new Float64(), thirds, 4200), sink, true);
    for (const i of [0, 10, 9, 3, 2047, 4199, 2100, 2099, 5, 4]) {
      write(i);
      assert.equal(sink.take().toString('latin1'), String(i / 3));
    }
    // Longer than one window of values, so that rows come from several windows.
    const long = Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? -0 : i % 89 === 0 ? NaN : i / 7));
    await check(long, [0, 1, 2047, 2048, 2049, 4999]);
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(values, { minLength: 1, maxLength: 3000 })
          .chain((doubles) =>
            fc.tuple(
              fc.constant(doubles),
              fc.uniqueArray(fc.nat(doubles.length - 1), { maxLength: doubles.length }),
            ),
          ),
        async ([doubles, nulls]) => check(doubles, nulls),
      ),
      { numRuns: 50 },
    );
  });

  it('writes decimals near 2^53 at every scale as formatDecimal does', async () => {
    const near = [
      2n ** 53n - 1n,
      2n ** 53n,
      -(2n ** 53n),
      10n ** 15n - 1n,
      10n ** 15n,
      9_007_199_254_740_990n,
    ];
    for (let scale = 0; scale <= 38; scale++) {
      const batch = batchOf([['d', column(new Decimal(scale, 38, 128), decimalWords(near), near.length)]]);
      assert.deepEqual(
        (await ndjsonLines(batch)).map((line) => (JSON.parse(line) as { d: string }).d),
        near.map((v) => formatDecimal(v, scale)),
        `scale ${scale}`,
      );
    }
  });

  it('writes timestamps across midnight and with every length of fraction as formatTimestamp does', async () => {
    const micros = [-1n, 0n, 1n, 10n, 120n, 86_399_999_999n, 86_400_000_000n, 1_735_689_600_123_450n];
    for (const timezone of ['Etc/UTC', null]) {
      const type = new Timestamp(TimeUnit.MICROSECOND, timezone);
      const batch = batchOf([['t', column(type, new BigInt64Array(micros), micros.length)]]);
      assert.deepEqual(
        (await ndjsonLines(batch)).map((line) => (JSON.parse(line) as { t: string }).t),
        micros.map((v) => formatTimestamp(v, timezone !== null)),
      );
    }
  });

  it('copies plain strings and escapes a chunk that needs it, whatever else it holds', async () => {
    const plain = ['', 'a', 'grüße', '😀', 'x'.repeat(40)];
    const awkward = [...plain, 'say "hi"', 'back\\slash', 'tab\there', '\u0000', '\u2028'];
    for (const values of [plain, awkward]) {
      const batch = batchOf([['s', vectorFromArray(values, new Utf8()).data[0]!]]);
      assert.deepEqual(
        await ndjsonLines(batch),
        values.map((v) => `{"s":${JSON.stringify(v)}}`),
      );
    }
  });

  it('writes invalid UTF-8 from Arrow as U+FFFD, as decoding it would', async () => {
    const bytes = Uint8Array.from([0x61, 0xff, 0x62, 0xc3]);
    const data = makeData({
      type: new Utf8(),
      length: 2,
      valueOffsets: Int32Array.from([0, 2, 4]),
      data: bytes,
    });
    assert.deepEqual(await ndjsonLines(batchOf([['s', data]])), ['{"s":"a\uFFFD"}', '{"s":"b\uFFFD"}']);
  });

  it('writes a row far larger than a chunk whole, and the rows around it', async () => {
    const big = 'é'.repeat(300_000);
    const batch = batchOf([
      ['s', vectorFromArray(['before', big, 'after'], new Utf8()).data[0]!],
      ['n', column(new Int32(), Int32Array.from([1, 2, 3]), 3)],
    ]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeNdjson(from(batch))) chunks.push(chunk);
    assert.deepEqual(
      Buffer.concat(chunks).toString('utf8').split('\n').slice(0, -1),
      ['before', big, 'after'].map((s, i) => `{"s":${JSON.stringify(s)},"n":${i + 1}}`),
    );
  });

  it('leaves out the row that crosses maxBytes in a JSON document, and nothing before it', async () => {
    const batch = batchOf([['x', column(new Int64(), BigInt64Array.from([1n, 22n, 333n]), 3)]]);
    // {"x":"1"} is 9 bytes, ,{"x":"22"} 11: 20 fit, the third row's 12 more do not.
    const output = await text(encodeJson(schemaOf(batch), from(batch), { maxBytes: 31 }));
    assert.deepEqual(JSON.parse(output), {
      columns: [{ name: 'x', type: 'bigint' }],
      rows: [{ x: '1' }, { x: '22' }],
      rowCount: 2,
      truncated: true,
    });
  });

  it('writes CSV fields of longs, decimals and timestamps as their text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 1 }),
        fc.integer({ min: 0, max: 38 }),
        async (values, scale) => {
          const n = values.length;
          const micros = values.map((v) => v % 253_402_300_799_999_999n);
          const batch = batchOf([
            ['l', column(new Int64(), BigInt64Array.from(values), n)],
            ['d', column(new Decimal(scale, 38, 128), decimalWords(values), n)],
            ['t', column(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), BigInt64Array.from(micros), n)],
          ]);
          const rows = parseCsv(await text(encodeCsv(schemaOf(batch), from(batch))));
          assert.deepEqual(rows, [
            ['l', 'd', 't'],
            ...values.map((v, i) => [String(v), formatDecimal(v, scale), formatTimestamp(micros[i]!, true)]),
          ]);
        },
      ),
    );
  });

  it('copies plain CSV strings, quoting the empty one and defusing formulas', async () => {
    const values = ['', 'a', '=1', '-2', '@x', '\tx', '+y', 'grüße', '😀', null];
    const batch = batchOf([['s', vectorFromArray(values, new Utf8()).data[0]!]]);
    for (const escapeFormulas of [true, false]) {
      const output = await text(encodeCsv(schemaOf(batch), from(batch), { escapeFormulas }));
      const cell = (v: string) => (escapeFormulas ? csvTextCell(v) : v === '' ? '""' : v);
      assert.equal(output, ['s', ...values.map((v) => (v === null ? '' : cell(v)))].join('\r\n') + '\r\n');
    }
  });
});
