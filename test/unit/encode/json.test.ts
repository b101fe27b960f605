import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Field, Int32, Int64, Schema, type RecordBatch } from 'apache-arrow';
import { encodeJson } from '../../../src/encode/json.js';
import { encodeStats } from '../../../src/encode/stats.js';
import { ALL_TYPES_JSON, allTypesColumns, batchOf, column, from, text } from './fixtures.js';

interface Document {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
}

async function documentOf(...args: Parameters<typeof encodeJson>): Promise<Document> {
  return JSON.parse(await text(encodeJson(...args))) as Document;
}

function ints(values: number[]): RecordBatch {
  return batchOf([['n', column(new Int32(), Int32Array.from(values), values.length)]]);
}

const N_SCHEMA = new Schema([new Field('n', new Int32(), true)]);

describe('JSON document', () => {
  it('lists the columns with Spark type names, then the rows, their count and truncated', async () => {
    const batch = batchOf(allTypesColumns());
    const doc = await documentOf(batch.schema, from(batch));
    assert.deepEqual(doc.rows, ALL_TYPES_JSON);
    assert.equal(doc.rowCount, 4);
    assert.equal(doc.truncated, false);
    assert.deepEqual(
      doc.columns.map((c) => `${c.name} ${c.type}`),
      [
        'long bigint',
        'dec decimal(38,4)',
        'small_dec decimal(5,2)',
        'dbl double',
        'dbl2 double',
        'flt float',
        'i8 tinyint',
        'i16 smallint',
        'i32 int',
        'bool boolean',
        'ts timestamp',
        'ntz timestamp_ntz',
        'date date',
        'time time(6)',
        'dti interval day to second',
        'ymi interval year to month',
        'bin binary',
        'str string',
        'ascii string',
        'struct struct<name:string,items:array<int>>',
        'smap map<string,int>',
        'imap map<int,string>',
        'structs array<struct<a:int>>',
        'longs array<array<bigint>>',
        'nothing void',
      ],
    );
  });

  it('names duplicate columns like the rows do', async () => {
    const one = () => column(new Int64(), BigInt64Array.of(1n), 1);
    const batch = batchOf([
      ['a', one()],
      ['a', one()],
    ]);
    const doc = await documentOf(batch.schema, from(batch), { numbers: true });
    assert.deepEqual(doc.columns, [
      { name: 'a', type: 'bigint' },
      { name: 'a_2', type: 'bigint' },
    ]);
    assert.deepEqual(doc.rows, [{ a: 1, a_2: 1 }]);
  });

  it('is a valid document without rows, and without batches at all', async () => {
    assert.deepEqual(await documentOf(N_SCHEMA, from(ints([]))), {
      columns: [{ name: 'n', type: 'int' }],
      rows: [],
      rowCount: 0,
      truncated: false,
    });
    assert.equal(
      await text(encodeJson(new Schema([]), from())),
      '{"columns":[],"rows":[],"rowCount":0,"truncated":false}',
    );
  });

  it('stops at maxRows across batches and says so in the document and the stats', async () => {
    let closed = false;
    // eslint-disable-next-line @typescript-eslint/require-await
    async function* source() {
      try {
        yield ints([1, 2]);
        yield ints([3, 4]);
        yield ints([5]);
      } finally {
        closed = true;
      }
    }
    const stats = encodeStats();
    const doc = await documentOf(N_SCHEMA, source(), { maxRows: 3, stats });
    assert.deepEqual(doc.rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(doc.rowCount, 3);
    assert.equal(doc.truncated, true);
    assert.equal(stats.rows, 3);
    assert.equal(stats.truncated, true);
    assert.ok(closed);
  });

  it('is not truncated when maxRows is exactly the number of rows', async () => {
    const stats = encodeStats();
    const doc = await documentOf(N_SCHEMA, from(ints([1, 2]), ints([3]), ints([])), { maxRows: 3, stats });
    assert.equal(doc.rowCount, 3);
    assert.equal(doc.truncated, false);
    assert.equal(stats.truncated, false);
  });

  it('stops before the rows would exceed maxBytes', async () => {
    // Rows are `{"n":1}` (7 bytes), then `,{"n":22}` (9) and `,{"n":333}` (10).
    const at = async (maxBytes: number) => documentOf(N_SCHEMA, from(ints([1, 22, 333])), { maxBytes });
    assert.deepEqual(await at(15), { ...(await at(15)), rowCount: 1, truncated: true });
    assert.equal((await at(16)).rowCount, 2);
    assert.equal((await at(25)).truncated, true);
    assert.deepEqual((await at(26)).rows, [{ n: 1 }, { n: 22 }, { n: 333 }]);
    assert.equal((await at(26)).truncated, false);
    assert.deepEqual(await at(6), {
      columns: [{ name: 'n', type: 'int' }],
      rows: [],
      rowCount: 0,
      truncated: true,
    });
  });

  it('counts maxBytes in UTF-8 bytes', async () => {
    const schema = new Schema([new Field('s', new Int32(), true)]);
    const batch = batchOf([['é', column(new Int32(), Int32Array.of(1, 2), 2)]]);
    // `{"é":1}` is 7 characters but 8 bytes.
    const doc = await documentOf(schema, from(batch), { maxBytes: 7 });
    assert.equal(doc.rowCount, 0);
    assert.equal(doc.truncated, true);
    assert.equal((await documentOf(schema, from(batch), { maxBytes: 8 })).rowCount, 1);
  });
});
