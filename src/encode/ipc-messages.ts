import { ArrowDecodeError } from '../arrow/decode.js';

/** The header types of Arrow's `Message` flatbuffer union (Message.fbs). */
export const IpcMessageType = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;

/** One encapsulated IPC message, located in the bytes it was read from. */
export interface IpcMessage {
  /** `MessageHeader` union type: 1 schema, 2 dictionary batch, 3 record batch. */
  readonly type: number;
  /** Where the message starts (its continuation marker or length prefix). */
  readonly start: number;
  /** Where the message, body included, ends. */
  readonly end: number;
  /** Rows of a record batch (its `length`), 0 for other messages. */
  readonly rows: number;
}

const CONTINUATION = 0xffffffff;

/**
 * The messages of one Arrow IPC stream, read from the framing and the few flatbuffer fields
 * needed to find message boundaries; bodies are never read. Stops at the end-of-stream marker
 * (either form) or the end of the bytes, and fails on anything truncated or out of bounds,
 * so a damaged payload is an error rather than a corrupt output stream.
 */
export function* ipcMessages(data: Uint8Array): Generator<IpcMessage, void, undefined> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    need(data, at, 4);
    let prefix = 4;
    let length = view.getUint32(at, true);
    if (length === CONTINUATION) {
      need(data, at, 8);
      prefix = 8;
      length = view.getUint32(at + 4, true);
    }
    if (length === 0) return;
    const metadataStart = at + prefix;
    const metadataEnd = metadataStart + length;
    need(data, metadataStart, length);
    const header = readHeader(new DataView(data.buffer, data.byteOffset + metadataStart, length));
    const end = metadataEnd + header.bodyLength;
    if (end > data.length) {
      throw new ArrowDecodeError(
        `Arrow message at byte ${at} ends past the payload (${end} > ${data.length})`,
      );
    }
    yield { type: header.type, start: at, end, rows: header.rows };
    at = end;
  }
}

function need(data: Uint8Array, at: number, bytes: number): void {
  if (at + bytes > data.length) {
    throw new ArrowDecodeError(`Arrow payload is truncated at byte ${at} (${data.length} bytes)`);
  }
}

/** Reads `Message.header_type`, `Message.bodyLength` and, for record batches, `RecordBatch.length`. */
function readHeader(view: DataView): { type: number; bodyLength: number; rows: number } {
  if (view.byteLength < 4) throw new ArrowDecodeError('Arrow message metadata is malformed');
  const message = new FlatTable(view, view.getUint32(0, true));
  const type = message.uint8(1);
  const bodyLength = message.int64(3);
  let rows = 0;
  if (type === IpcMessageType.RecordBatch) rows = message.table(2).int64(0);
  return { type, bodyLength, rows };
}

/** A flatbuffer table, with bounds checked on every read. */
class FlatTable {
  readonly #view: DataView;
  readonly #at: number;
  readonly #vtable: number;
  readonly #vtableSize: number;

  constructor(view: DataView, at: number) {
    this.#view = view;
    this.#at = at;
    this.#vtable = at - this.#int32(at);
    this.#vtableSize = this.#uint16(this.#vtable);
  }

  /** Where field `index` is stored, or 0 when it is absent (default value). */
  #field(index: number): number {
    const entry = 4 + 2 * index;
    if (entry + 2 > this.#vtableSize) return 0;
    const offset = this.#uint16(this.#vtable + entry);
    return offset === 0 ? 0 : this.#at + offset;
  }

  uint8(index: number): number {
    const at = this.#field(index);
    return at === 0 ? 0 : this.#check(at, 1).getUint8(at);
  }

  int64(index: number): number {
    const at = this.#field(index);
    if (at === 0) return 0;
    const value = this.#check(at, 8).getBigInt64(at, true);
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ArrowDecodeError(`Arrow message has an invalid length ${value}`);
    }
    return Number(value);
  }

  table(index: number): FlatTable {
    const at = this.#field(index);
    if (at === 0) throw new ArrowDecodeError('Arrow message lacks its header');
    return new FlatTable(this.#view, at + this.#check(at, 4).getUint32(at, true));
  }

  #int32(at: number): number {
    return this.#check(at, 4).getInt32(at, true);
  }

  #uint16(at: number): number {
    return this.#check(at, 2).getUint16(at, true);
  }

  #check(at: number, bytes: number): DataView {
    if (at < 0 || at + bytes > this.#view.byteLength) {
      throw new ArrowDecodeError('Arrow message metadata is malformed');
    }
    return this.#view;
  }
}
