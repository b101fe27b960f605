import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Int32, Int64, Utf8, vectorFromArray } from 'apache-arrow';
import { jsonObjectWriter } from '../../../src/encode/json-values.js';
import { encodeNdjson, ndjsonLine } from '../../../src/encode/ndjson.js';
import { encodeStats } from '../../../src/encode/stats.js';
import { ALL_TYPES_JSON, allTypesColumns, batchOf, column, from, text } from './fixtures.js';

function lines(output: string): unknown[] {
  assert.ok(output.endsWith('\n'), 'every line ends with \\n');
  return output
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

describe('NDJSON', () => {
  it('writes one object per row with the JSON value rules for every Spark type', async () => {
    const output = await text(encodeNdjson(from(batchOf(allTypesColumns()))));
    assert.deepEqual(lines(output), ALL_TYPES_JSON);
  });

  it('reads columns of a sliced batch from their offsets', async () => {
    const batch = batchOf(allTypesColumns());
    for (const [begin, end] of [
      [1, 3],
      [3, 4],
      [2, 2],
    ] as const) {
      const output = await text(encodeNdjson(from(batch.slice(begin, end))));
      assert.deepEqual(output === '' ? [] : lines(output), ALL_TYPES_JSON.slice(begin, end));
    }
  });

  it('keeps column order and escapes U+2028, U+2029 and control characters validly', async () => {
    const output = await text(encodeNdjson(from(batchOf(allTypesColumns()))));
    const first = output.split('\n')[0]!;
    assert.match(first, /^\{"long":"9007199254740993","dec":"-12\.3400","small_dec":"-0\.01","dbl":"NaN",/);
    const bytes = Buffer.from(output.replaceAll('\n', ''));
    assert.ok(
      bytes.every((b) => b >= 0x20),
      'no raw control characters',
    );
    assert.equal(output.split('\n').length, 5);
  });

  it('writes longs and decimals as exact JSON numbers with `numbers`', async () => {
    const output = await text(encodeNdjson(from(batchOf(allTypesColumns())), { numbers: true }));
    const [first, second, , fourth] = output.split('\n');
    assert.match(first!, /^\{"long":9007199254740993,"dec":-12\.3400,"small_dec":-0\.01,"dbl":"NaN",/);
    assert.match(first!, /"longs":\[\[1\],\[9007199254740993\]\]/);
    assert.match(second!, /^\{"long":-9223372036854775808,"dec":0\.0000,/);
    assert.match(fourth!, /^\{"long":9223372036854775807,"dec":1000000000000000000000000000000000\.0005,/);
    for (const line of output.trimEnd().split('\n')) JSON.parse(line);
  });

  it('escapes column names and makes duplicates unique', async () => {
    const ints = (values: number[]) => column(new Int32(), Int32Array.from(values), values.length);
    const batch = batchOf([
      ['a', ints([1])],
      ['a', ints([2])],
      ['a_2', ints([3])],
      ['é "x"\n\u2028', ints([4])],
      ['a', ints([5])],
    ]);
    const output = await text(encodeNdjson(from(batch)));
    assert.equal(output, '{"a":1,"a_3":2,"a_2":3,"é \\"x\\"\\n\u2028":4,"a_4":5}\n');
    // apache-arrow cannot write an empty field name (it reads back as "null"); Spark can.
    assert.equal(jsonObjectWriter(['', ''], [ints([1]), ints([2])])(0), '{"":1,"_2":2}');
  });

  it('streams one chunk per batch, skips empty batches and counts rows and bytes', async () => {
    const batch = (values: number[]) =>
      batchOf([['x', column(new Int32(), Int32Array.from(values), values.length)]]);
    const stats = encodeStats();
    const chunks: string[] = [];
    for await (const chunk of encodeNdjson(from(batch([1, 2]), batch([]), batch([3])), { stats })) {
      chunks.push(Buffer.from(chunk).toString());
    }
    assert.deepEqual(chunks, ['{"x":1}\n{"x":2}\n', '{"x":3}\n']);
    assert.deepEqual(stats, { rows: 3, bytes: 24, truncated: false });
  });

  it('splits a large batch into bounded chunks', async () => {
    const n = 20_000;
    const strings = vectorFromArray(
      Array.from({ length: n }, (_, i) => `value-${i}`),
      new Utf8(),
    ).data[0]!;
    const sizes: number[] = [];
    let rows = 0;
    for await (const chunk of encodeNdjson(from(batchOf([['s', strings]])))) {
      sizes.push(chunk.byteLength);
      rows += Buffer.from(chunk).toString().split('\n').length - 1;
    }
    assert.equal(rows, n);
    assert.ok(sizes.length > 1, `expected several chunks, got ${sizes.length}`);
    assert.ok(Math.max(...sizes) < 80_000, `chunks are bounded, got ${Math.max(...sizes)}`);
  });

  it('stops at maxRows only when more rows exist, and closes the batches', async () => {
    const longs = (values: bigint[]) =>
      batchOf([['x', column(new Int64(), BigInt64Array.from(values), values.length)]]);
    let closed = false;
    // eslint-disable-next-line @typescript-eslint/require-await
    async function* source() {
      try {
        yield longs([1n, 2n]);
        yield longs([3n, 4n]);
        yield longs([5n]);
      } finally {
        closed = true;
      }
    }
    const exact = encodeStats();
    assert.equal(
      await text(encodeNdjson(from(longs([1n, 2n])), { maxRows: 2, stats: exact })),
      '{"x":"1"}\n{"x":"2"}\n',
    );
    assert.equal(exact.truncated, false);

    const cut = encodeStats();
    assert.equal(await text(encodeNdjson(source(), { maxRows: 2, stats: cut })), '{"x":"1"}\n{"x":"2"}\n');
    assert.deepEqual(cut, { rows: 2, bytes: 20, truncated: true });
    assert.ok(closed, 'the source was closed');
  });

  it('stops before maxBytes would be exceeded', async () => {
    const batch = batchOf([['x', column(new Int32(), Int32Array.from([1, 22, 333]), 3)]]);
    const stats = encodeStats();
    // Lines are 8, 9 and 10 bytes.
    assert.equal(await text(encodeNdjson(from(batch), { maxBytes: 26, stats })), '{"x":1}\n{"x":22}\n');
    assert.equal(stats.truncated, true);
    const all = encodeStats();
    await text(encodeNdjson(from(batch), { maxBytes: 27, stats: all }));
    assert.deepEqual(all, { rows: 3, bytes: 27, truncated: false });
  });

  it('writes a control line with bigints as strings', () => {
    assert.equal(
      Buffer.from(ndjsonLine({ '@truncated': { rows: 10n, reason: 'maxRows' } })).toString(),
      '{"@truncated":{"rows":"10","reason":"maxRows"}}\n',
    );
  });
});
