import { Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, type Data } from 'apache-arrow';
import { ArrowDecodeError } from '../arrow/decode.js';
import { ipcMessages, IpcMessageType } from './ipc-messages.js';

/** The marker that ends an IPC stream. */
export const END_OF_STREAM = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/** The framed schema message of `schema`, every field as given, repeated names included. */
export function schemaMessageOf(schema: Schema): Uint8Array {
  return splitAfterSchema(tableToIPC(new Table(schema), 'stream')).schema;
}

/**
 * An IPC stream: a framed schema message, a record batch for each of `batches` (the struct
 * data of record batches, sliced or not), then the end-of-stream marker.
 *
 * apache-arrow gives each column of a record batch it builds the type of the last column of
 * the same name (`Schema.assign`), which would garble a result that repeats a name with another
 * type. The batches are therefore encoded under names of their own, and a record batch message
 * holds no names; the schema message given names them.
 */
export function ipcStreamOf(schemaMessage: Uint8Array, batches: readonly Data<Struct>[]): Uint8Array {
  const [first] = batches;
  if (first === undefined) return Buffer.concat([schemaMessage, END_OF_STREAM]);
  const fields = first.type.children.map((f, i) => new Field(String(i), f.type, f.nullable, f.metadata));
  const schema = new Schema(fields);
  const type = new Struct(fields);
  const encoded = tableToIPC(
    new Table(
      batches.map(
        (data) => new RecordBatch(schema, makeData({ type, length: data.length, children: data.children })),
      ),
    ),
    'stream',
  );
  return Buffer.concat([schemaMessage, splitAfterSchema(encoded).rest]);
}

/** An IPC stream split after the framed schema message it starts with. */
export function splitAfterSchema(stream: Uint8Array): { schema: Uint8Array; rest: Uint8Array } {
  const [message] = ipcMessages(stream);
  if (message?.type !== IpcMessageType.Schema)
    throw new ArrowDecodeError('an Arrow stream starts with its schema');
  return { schema: stream.subarray(message.start, message.end), rest: stream.subarray(message.end) };
}
