import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { manifestOf } from '../../../src/service/statements/manifest.js';

const schema = new Schema([new Field('id', new Int64(), false), new Field('id', new Utf8(), true)]);
const chunk = (index: number, rowOffset: number, rowCount: number) => ({
  index,
  rowOffset,
  rowCount,
  byteCount: 100,
});

describe('manifestOf', () => {
  it('names columns as the rows key them, with Spark’s types', () => {
    const manifest = manifestOf(schema, [chunk(0, 0, 5)], { truncated: false }, 10);
    assert.deepEqual(manifest.columns, [
      { name: 'id', type: 'bigint' },
      { name: 'id_2', type: 'string' },
    ]);
    assert.deepEqual([manifest.totalRows, manifest.totalBytes, manifest.truncated], [5, 100, false]);
  });

  it('leaves out the row past the limit that Spark was asked for, and says the result was cut', () => {
    const cut = manifestOf(schema, [chunk(0, 0, 6), chunk(1, 6, 5)], { truncated: false }, 10);
    assert.deepEqual(
      cut.chunks.map((c) => c.rowCount),
      [6, 4],
    );
    assert.deepEqual([cut.totalRows, cut.truncated], [10, true]);
    const extra = manifestOf(schema, [chunk(0, 0, 10), chunk(1, 10, 1)], { truncated: false }, 10);
    assert.deepEqual([extra.chunks.length, extra.totalRows, extra.truncated], [1, 10, true]);
    assert.equal(manifestOf(schema, [chunk(0, 0, 3)], { truncated: true }, 10).truncated, true);
  });
});
