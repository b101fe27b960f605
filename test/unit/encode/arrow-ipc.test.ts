import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Dictionary,
  Field,
  Int32,
  Int64,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { ArrowDecodeError, type ArrowPayload } from '../../../src/arrow/decode.js';
import { openArrowStream } from '../../../src/encode/arrow-ipc.js';
import { IpcMessageType, ipcMessages } from '../../../src/encode/ipc-messages.js';
import { encodeStats } from '../../../src/encode/stats.js';
import { allTypesColumns, column, drain, from, ipcOf, payloadOf } from './fixtures.js';
import { batchRows, encodeArrow } from '../../helpers/arrow-results.js';

function longs(values: bigint[], name = 'x'): ArrowPayload {
  return payloadOf(ipcOf([[name, column(new Int64(), BigInt64Array.from(values), values.length)]]));
}

/** Reads a stream back with apache-arrow, batch by batch. */
function readBack(stream: Uint8Array): { schema: Schema; batches: RecordBatch[] } {
  const reader = RecordBatchReader.from(stream).open();
  const schema = reader.schema;
  return { schema, batches: [...reader] };
}

/** The types of the messages of a stream (apache-arrow invents an empty batch for a stream without any). */
function messageTypes(stream: Uint8Array): number[] {
  return [...ipcMessages(stream)].map((m) => m.type);
}

describe('Arrow IPC re-framing', () => {
  it('joins several payloads into one stream with one schema and every row in order', async () => {
    const stats = encodeStats();
    const output = await drain(
      encodeArrow(from(longs([1n, 2n]), longs([3n]), longs([4n, 5n, 6n])), { stats }),
    );
    const { schema, batches } = readBack(output);
    assert.deepEqual(
      schema.fields.map((f) => f.name),
      ['x'],
    );
    assert.deepEqual(
      batches.map((b) => b.numRows),
      [2, 1, 3],
    );
    assert.deepEqual(
      batches.flatMap(batchRows).map((r) => r['x']),
      [1n, 2n, 3n, 4n, 5n, 6n],
    );
    assert.deepEqual(stats, { rows: 6, bytes: output.byteLength, truncated: false });
    assert.deepEqual([...output.subarray(-8)], [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  });

  it('passes every type through unchanged', async () => {
    const data = ipcOf(allTypesColumns());
    const output = await drain(encodeArrow(from(payloadOf(data), payloadOf(data))));
    const expected = batchRows(tableFromIPC(data).batches[0]!);
    assert.deepEqual(readBack(output).batches.map(batchRows), [expected, expected]);
  });

  it('slices the original bytes instead of copying batches', async () => {
    const first = longs([1n, 2n]);
    const second = longs([3n]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeArrow(from(first, second))) chunks.push(chunk);
    assert.equal(chunks.length, 4);
    assert.equal(chunks[0]!.buffer, first.data.buffer);
    assert.equal(chunks[1]!.buffer, first.data.buffer);
    assert.equal(chunks[2]!.buffer, second.data.buffer);
    // The batches of a payload are everything between its schema and its end-of-stream marker.
    assert.equal(chunks[0]!.byteLength + chunks[1]!.byteLength + 8, first.data.byteLength);
  });

  it('turns an empty result into the schema with no batches', async () => {
    // What Spark sends for an empty result: the schema and one batch of zero rows.
    const empty = longs([]);
    assert.equal(readBack(empty.data).batches.length, 1);
    const stats = encodeStats();
    const output = await drain(encodeArrow(from(empty), { stats }));
    assert.deepEqual(messageTypes(output), [IpcMessageType.Schema]);
    const table = tableFromIPC(output);
    assert.deepEqual(
      table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
      ['x: Int64'],
    );
    assert.equal(table.numRows, 0);
    assert.equal(stats.rows, 0);
  });

  it('leaves out empty batches between full ones', async () => {
    const output = await drain(encodeArrow(from(longs([1n]), longs([]), longs([2n]))));
    assert.deepEqual(messageTypes(output), [1, 3, 3]);
    assert.deepEqual(
      readBack(output).batches.map((b) => b.numRows),
      [1, 1],
    );
  });

  it('writes a stream without columns when Spark sent no Arrow data', async () => {
    const stream = await openArrowStream(from());
    assert.equal(stream.schema.fields.length, 0);
    const output = await drain(stream.chunks);
    assert.deepEqual(messageTypes(output), [IpcMessageType.Schema]);
    assert.equal(tableFromIPC(output).schema.fields.length, 0);
  });

  it('gives the schema before any byte is sent, and the schema message as the first chunk', async () => {
    const stream = await openArrowStream(from(longs([1n], 'id'), longs([2n], 'id')));
    assert.deepEqual(
      stream.schema.fields.map((f) => f.name),
      ['id'],
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream.chunks) chunks.push(chunk);
    assert.equal(chunks[0], stream.schemaMessage);
    assert.equal(tableFromIPC(Buffer.concat(chunks)).numRows, 2);
  });

  it('reports an error in the first payload from openArrowStream, and closes the payloads', async () => {
    let closed = false;
    // eslint-disable-next-line @typescript-eslint/require-await
    async function* payloads(): AsyncGenerator<ArrowPayload> {
      try {
        const good = longs([1n]);
        yield { data: good.data.subarray(0, 20), rowCount: 1n };
      } finally {
        closed = true;
      }
    }
    await assert.rejects(
      openArrowStream(payloads()),
      (err: unknown) => err instanceof ArrowDecodeError && /truncated/.test(err.message),
    );
    assert.ok(closed);
  });

  it('closes the payloads when the stream is abandoned before it is read', async () => {
    let closed = false;
    // eslint-disable-next-line @typescript-eslint/require-await
    async function* payloads(): AsyncGenerator<ArrowPayload> {
      try {
        yield longs([1n]);
        yield longs([2n]);
      } finally {
        closed = true;
      }
    }
    const stream = await openArrowStream(payloads());
    await stream.chunks.return?.();
    assert.ok(closed);
    assert.deepEqual(await stream.chunks.next(), { done: true, value: undefined });
  });

  it('refuses a payload whose schema differs from the first', async () => {
    const strings = payloadOf(ipcOf([['x', vectorFromArray(['a'], new Utf8()).data[0]!]]));
    await assert.rejects(
      drain(encodeArrow(from(longs([1n]), strings))),
      (err: unknown) =>
        err instanceof ArrowDecodeError &&
        err.message === 'Arrow batch 1 has another schema than the first: [x: Utf8] instead of [x: Int64]',
    );
    await assert.rejects(drain(encodeArrow(from(longs([1n]), longs([2n], 'y')))), /another schema/);
    const dictionary = () =>
      payloadOf(
        tableToIPC(
          new Table({ d: vectorFromArray(['a'], new Dictionary(new Utf8(), new Int32())) }),
          'stream',
        ),
      );
    await assert.rejects(drain(encodeArrow(from(dictionary(), dictionary()))), /other dictionary ids/);
  });

  it('accepts a schema that differs only in its encoding', async () => {
    const field = new Field('x', new Int64(), true);
    const withMetadata = new Schema([field], new Map([['origin', 'test']]));
    const batch = new RecordBatch(
      withMetadata,
      makeData({
        type: new Struct(withMetadata.fields),
        length: 1,
        children: [column(new Int64(), BigInt64Array.of(9n), 1)],
      }),
    );
    const other = payloadOf(tableToIPC(new Table([batch]), 'stream'));
    const output = await drain(encodeArrow(from(longs([1n]), other)));
    assert.deepEqual(
      tableFromIPC(output)
        .toArray()
        .map((r: { x: bigint }) => r.x),
      [1n, 9n],
    );
  });

  it('refuses a payload whose rows differ from what Spark announced', async () => {
    await assert.rejects(
      drain(encodeArrow(from({ ...longs([1n, 2n]), rowCount: 3n }))),
      (err: unknown) => err instanceof ArrowDecodeError && /has 2 rows, Spark announced 3/.test(err.message),
    );
  });

  it('refuses a payload cut inside a batch', async () => {
    const payload = longs([1n, 2n]);
    await assert.rejects(
      drain(
        encodeArrow(
          from(longs([0n]), { data: payload.data.subarray(0, payload.data.length - 20), rowCount: 2n }),
        ),
      ),
      (err: unknown) => err instanceof ArrowDecodeError && /past the payload|truncated/.test(err.message),
    );
  });

  it('passes dictionary batches through, each payload replacing the dictionary', async () => {
    // One type, so one dictionary id: apache-arrow numbers each Dictionary it creates.
    const type = new Dictionary(new Utf8(), new Int32());
    const payload = (values: string[]) => {
      const dictionary = vectorFromArray(values, type);
      return payloadOf(tableToIPC(new Table({ d: dictionary }), 'stream'));
    };
    const output = await drain(encodeArrow(from(payload(['a', 'b', 'a']), payload(['c', 'c']))));
    assert.deepEqual(messageTypes(output), [1, 2, 3, 2, 3]);
    assert.deepEqual(
      tableFromIPC(output)
        .toArray()
        .map((r: { d: string }) => r.d),
      ['a', 'b', 'a', 'c', 'c'],
    );
  });
});
