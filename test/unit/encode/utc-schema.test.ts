import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Field,
  Int32,
  List,
  Map_,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { ipcMessages } from '../../../src/encode/ipc-messages.js';
import { schemaInUtc } from '../../../src/encode/utc-schema.js';

const stamp = (zone: string | null) => new Timestamp(TimeUnit.MICROSECOND, zone);

/** An IPC stream's schema message and the bytes after it. */
function split(stream: Uint8Array): { schema: Uint8Array; rest: Uint8Array } {
  const [first] = ipcMessages(stream);
  assert.ok(first);
  return { schema: stream.slice(first.start, first.end), rest: stream.slice(first.end) };
}

describe('Arrow schemas in UTC', () => {
  it('relabels instants, nested ones too, and keeps wall-clock times and every other field', () => {
    const entries = new Field<Struct<{ key: Utf8; value: Timestamp }>>(
      'entries',
      new Struct([new Field('key', new Utf8(), false), new Field('value', stamp('Asia/Tokyo'))]),
      false,
    );
    const schema = new Schema(
      [
        new Field('ts', stamp('America/New_York')),
        new Field('ntz', stamp(null)),
        new Field('n', new Int32(), false, new Map([['k', 'v']])),
        new Field('st', new Struct([new Field('a', stamp('Europe/Paris')), new Field('b', new Utf8())])),
        new Field('l', new List(new Field('element', stamp('+05:30')))),
        new Field('m', new Map_(entries)),
      ],
      new Map([['origin', 'spark']]),
    );
    const { schema: message } = split(tableToIPC(new Table(schema), 'stream'));
    const rewritten = tableFromIPC(schemaInUtc(message, schema)).schema;
    assert.deepEqual(
      rewritten.fields.map((f) => String(f.type)),
      [
        'Timestamp<MICROSECOND, UTC>',
        'Timestamp<MICROSECOND>',
        'Int32',
        'Struct<{a:Timestamp<MICROSECOND, UTC>, b:Utf8}>',
        'List<Timestamp<MICROSECOND, UTC>>',
        'Map<{key:Utf8, value:Timestamp<MICROSECOND, UTC>}>',
      ],
    );
    assert.deepEqual(
      rewritten.fields.map((f) => [f.name, f.nullable]),
      schema.fields.map((f) => [f.name, f.nullable]),
    );
    assert.equal(rewritten.fields[2]?.metadata.get('k'), 'v');
    assert.equal(rewritten.metadata.get('origin'), 'spark');
  });

  it('reads the same record batches as the same instants', () => {
    const type = stamp('America/New_York');
    const values = makeVector(
      makeData({ type, length: 3, data: BigInt64Array.from([-1n, 0n, 1_761_440_400_000_000n]) }),
    );
    const table = new Table({ ts: values });
    const { schema, rest } = split(tableToIPC(table, 'stream'));
    const relabelled = tableFromIPC(Buffer.concat([schemaInUtc(schema, table.schema), rest]));
    assert.equal(String(relabelled.schema.fields[0]?.type), 'Timestamp<MICROSECOND, UTC>');
    assert.deepEqual(relabelled.getChild('ts')?.toArray(), table.getChild('ts')?.toArray());
  });

  it('keeps a schema whose instants are already in UTC, byte for byte', () => {
    const schema = new Schema([new Field('ts', stamp('UTC')), new Field('ntz', stamp(null))]);
    const { schema: message } = split(tableToIPC(new Table(schema), 'stream'));
    assert.equal(schemaInUtc(message, schema), message);
  });
});
