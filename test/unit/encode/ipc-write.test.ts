import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Field, Int32, Int64, List, RecordBatchReader, Schema, Utf8, vectorFromArray } from 'apache-arrow';
import { ipcStreamOf, schemaMessageOf } from '../../../src/encode/ipc-write.js';
import { batchOf, column, schemaOf } from './fixtures.js';

/** Columns whose names repeat with other types. */
function repeated() {
  return batchOf([
    ['a', vectorFromArray(['x', null, 'z'], new Utf8()).data[0]!],
    [
      'a',
      vectorFromArray([['p', null], null, []], new List(new Field('element', new Utf8(), true))).data[0]!,
    ],
    ['b', column(new Int32(), Int32Array.of(1, 2, 3), 3)],
    ['b', column(new Int64(), BigInt64Array.of(-1n, 2n ** 62n, 3n), 3)],
  ]);
}

/** What apache-arrow's reader gets from a stream: the schema, and each column by position. */
function read(stream: Uint8Array) {
  const reader = RecordBatchReader.from(stream).open();
  const schema = reader.schema;
  const columns: unknown[][] = schema.fields.map(() => []);
  for (const batch of reader)
    batch.data.children.forEach((_, i) => {
      for (const value of batch.getChildAt(i)!)
        columns[i]!.push(value instanceof Object ? [...(value as Iterable<unknown>)] : value);
    });
  return { fields: schema.fields.map((f) => `${f.name}: ${String(f.type)}`), columns };
}

describe('IPC writing', () => {
  it('keeps every column its own type where names repeat, whole and sliced', () => {
    const batch = repeated();
    const message = schemaMessageOf(schemaOf(batch));
    const fields = ['a: Utf8', 'a: List<Utf8>', 'b: Int32', 'b: Int64'];
    const whole = read(ipcStreamOf(message, [batch.data, batch.data]));
    assert.deepEqual(whole.fields, fields);
    assert.deepEqual(whole.columns, [
      ['x', null, 'z', 'x', null, 'z'],
      [['p', null], null, [], ['p', null], null, []],
      [1, 2, 3, 1, 2, 3],
      [-1n, 2n ** 62n, 3n, -1n, 2n ** 62n, 3n],
    ]);
    const sliced = read(ipcStreamOf(message, [batch.data.slice(1, 2)]));
    assert.deepEqual(sliced, {
      fields,
      columns: [
        [null, 'z'],
        [null, []],
        [2, 3],
        [2n ** 62n, 3n],
      ],
    });
  });

  it('writes the schema alone when there are no batches', () => {
    const message = schemaMessageOf(
      new Schema([new Field('a', new Utf8(), true), new Field('a', new Int32(), false)]),
    );
    assert.deepEqual(read(ipcStreamOf(message, [])), { fields: ['a: Utf8', 'a: Int32'], columns: [[], []] });
  });
});
