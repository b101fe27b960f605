import { RecordBatchReader, Schema, util } from 'apache-arrow';
import { ArrowDecodeError, type ArrowPayload } from '../arrow/decode.js';
import { describeSchema } from '../arrow/values.js';
import { ipcMessages, IpcMessageType } from './ipc-messages.js';
import { END_OF_STREAM, schemaMessageOf } from './ipc-write.js';
import type { EncodeStats } from './stats.js';
import { schemaInUtc } from './utc-schema.js';

/** An Arrow IPC stream whose schema is known before any byte of it is sent. */
export interface ArrowStream {
  /** The schema of the result (no fields when Spark sent no Arrow data). */
  readonly schema: Schema;
  /** The schema message as framed in the stream; also the first chunk of `chunks`. */
  readonly schemaMessage: Uint8Array;
  /**
   * The whole stream: the schema message, every dictionary and record batch, the
   * end-of-stream marker. `return()` releases the payloads even if it was never iterated.
   */
  readonly chunks: AsyncIterableIterator<Uint8Array, void, undefined>;
}

export interface ArrowStreamOptions {
  readonly stats?: EncodeStats | undefined;
}

/**
 * Joins Spark's Arrow payloads (each a complete IPC stream) into one IPC stream without
 * decoding a value: the first payload's schema message, then the dictionary and record batch
 * messages of every payload as slices of the original bytes, then one end-of-stream marker.
 * Record batches without rows are left out, so an empty result is the schema alone.
 *
 * Reads the first payload before returning, so errors Spark reports in planning or analysis
 * surface here, before the caller commits a response.
 */
export async function openArrowStream(
  payloads: AsyncIterable<ArrowPayload>,
  options: ArrowStreamOptions = {},
): Promise<ArrowStream> {
  const rest = reframe(payloads[Symbol.asyncIterator](), options.stats);
  const first = await rest.next();
  if (first.done === true) throw new Error('an Arrow stream starts with its schema');
  const schemaMessage = first.value;
  return { schema: readSchema(schemaMessage), schemaMessage, chunks: new Prefetched(schemaMessage, rest) };
}

async function* reframe(
  payloads: AsyncIterator<ArrowPayload>,
  stats: EncodeStats | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    const first = await payloads.next();
    if (first.done === true) {
      yield count(stats, emptySchemaMessage(), 0);
      yield count(stats, END_OF_STREAM, 0);
      return;
    }
    const head = splitPayload(first.value, 0);
    yield count(stats, schemaInUtc(head.schema, readSchema(head.schema)), 0);
    for (const run of head.runs) yield count(stats, run.bytes, run.rows);
    for (let index = 1; ; index++) {
      const next = await payloads.next();
      if (next.done === true) break;
      const payload = splitPayload(next.value, index);
      checkSameSchema(head.schema, payload.schema, index);
      for (const run of payload.runs) yield count(stats, run.bytes, run.rows);
    }
    yield count(stats, END_OF_STREAM, 0);
  } finally {
    await payloads.return?.();
  }
}

function count(stats: EncodeStats | undefined, chunk: Uint8Array, rows: number): Uint8Array {
  if (stats) {
    stats.bytes += chunk.byteLength;
    stats.rows += rows;
  }
  return chunk;
}

interface SplitPayload {
  /** The framed schema message. */
  readonly schema: Uint8Array;
  /** Contiguous runs of the dictionary and record batch messages to keep. */
  readonly runs: { bytes: Uint8Array; rows: number }[];
}

function splitPayload(payload: ArrowPayload, index: number): SplitPayload {
  const data = payload.data;
  let schema: Uint8Array | undefined;
  const runs: { bytes: Uint8Array; rows: number }[] = [];
  let runStart = 0;
  let runEnd = -1;
  let runRows = 0;
  let rows = 0;
  for (const message of ipcMessages(data)) {
    if (message.type === IpcMessageType.Schema && schema === undefined) {
      schema = data.subarray(message.start, message.end);
      continue;
    }
    if (schema === undefined) throw new ArrowDecodeError(`Arrow batch ${index} does not start with a schema`);
    if (message.type !== IpcMessageType.RecordBatch && message.type !== IpcMessageType.DictionaryBatch) {
      throw new ArrowDecodeError(`Arrow batch ${index} has an unexpected message of type ${message.type}`);
    }
    if (message.type === IpcMessageType.RecordBatch && message.rows === 0) continue;
    if (message.start !== runEnd) {
      if (runEnd >= 0) runs.push({ bytes: data.subarray(runStart, runEnd), rows: runRows });
      runStart = message.start;
      runRows = 0;
    }
    runEnd = message.end;
    runRows += message.rows;
    rows += message.rows;
  }
  if (runEnd >= 0) runs.push({ bytes: data.subarray(runStart, runEnd), rows: runRows });
  if (schema === undefined) throw new ArrowDecodeError(`Arrow batch ${index} has no schema`);
  if (BigInt(rows) !== payload.rowCount) {
    throw new ArrowDecodeError(`Arrow batch has ${rows} rows, Spark announced ${payload.rowCount}`);
  }
  return { schema, runs };
}

/**
 * Spark writes the same schema message into every payload; one that differs even in meaning
 * would make the joined stream lie about its batches.
 */
function checkSameSchema(first: Uint8Array, other: Uint8Array, index: number): void {
  if (Buffer.compare(first, other) === 0) return;
  const expected = readSchema(first);
  const actual = readSchema(other);
  if (util.compareSchemas(expected, actual)) return;
  const [was, is] = [describeSchema(expected).join(', '), describeSchema(actual).join(', ')];
  const why = was === is ? ' (the same columns, other dictionary ids)' : '';
  throw new ArrowDecodeError(
    `Arrow batch ${index} has another schema than the first: [${is}] instead of [${was}]${why}`,
  );
}

function readSchema(schemaMessage: Uint8Array): Schema {
  return RecordBatchReader.from(Buffer.concat([schemaMessage, END_OF_STREAM])).open().schema;
}

let emptySchema: Uint8Array | undefined;

/** The schema message of a result without columns, for an execution that sent no Arrow data. */
function emptySchemaMessage(): Uint8Array {
  emptySchema ??= schemaMessageOf(new Schema([]));
  return emptySchema;
}

/** An iterator that yields a value it already has, then the rest from a started generator. */
class Prefetched<T> implements AsyncIterableIterator<T, void, undefined> {
  #first: { value: T } | undefined;
  readonly #rest: AsyncGenerator<T, void, undefined>;

  constructor(first: T, rest: AsyncGenerator<T, void, undefined>) {
    this.#first = { value: first };
    this.#rest = rest;
  }

  next(): Promise<IteratorResult<T, void>> {
    const first = this.#first;
    if (first === undefined) return this.#rest.next();
    this.#first = undefined;
    return Promise.resolve({ done: false, value: first.value });
  }

  return(): Promise<IteratorResult<T, void>> {
    this.#first = undefined;
    return this.#rest.return();
  }

  throw(error: unknown): Promise<IteratorResult<T, void>> {
    this.#first = undefined;
    return this.#rest.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
