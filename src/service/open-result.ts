/**
 * The one shape every open result takes, whatever holds its payloads (a leased session, spooled
 * data, a kept result): readable once, as payloads or as record batches, and let go of when the
 * read ends or when it is closed unread.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { decodePayload, type ArrowPayload } from '../arrow/decode.js';

/**
 * A result whose first Arrow payload has arrived: the schema is known and no byte has been
 * sent. Iterate `payloads` (or `batches`) once to stream the rest; what holds it (a leased
 * session, spooled data) is let go when the iteration ends, or on `close()`.
 */
export interface OpenResult {
  readonly schema: Schema;
  /** Spark's Arrow IPC payloads, unchanged, the first one included. */
  readonly payloads: AsyncIterable<ArrowPayload>;
  /** The same data decoded into record batches (use one or the other). */
  readonly batches: AsyncIterable<RecordBatch>;
  readonly operationId: string;
  /** Gives up on the result: stops the execution and returns the session, or lets go of its spooled data. */
  close(): Promise<void>;
}

export interface ReadOnceSource {
  readonly schema: Schema;
  readonly operationId: string;
  /** The payloads; asked for at most once. */
  read(): AsyncIterable<ArrowPayload>;
  /** Lets go of what holds the payloads: when the read ends, and on `close()` of an unread result. */
  finish(): Promise<void>;
  /**
   * Whether `close()` during a read lets go too. Spooled data may be let go under its reader;
   * a leased session may not (the read's own end returns it).
   */
  readonly finishOnCloseWhileRead: boolean;
}

/** An open result over `source`; a second read throws. */
export function readOnce(source: ReadOnceSource): OpenResult {
  let taken = false;
  const take = () => {
    if (taken) throw new Error('a query result can be read only once');
    taken = true;
  };
  async function* payloads(): AsyncGenerator<ArrowPayload, void, undefined> {
    try {
      yield* source.read();
    } finally {
      await source.finish();
    }
  }
  async function* batches(): AsyncGenerator<RecordBatch, void, undefined> {
    for await (const payload of payloads()) yield* decodePayload(payload).batches;
  }
  return {
    schema: source.schema,
    operationId: source.operationId,
    get payloads() {
      take();
      return payloads();
    },
    get batches() {
      take();
      return batches();
    },
    async close() {
      if (taken && !source.finishOnCloseWhileRead) return;
      taken = true;
      await source.finish();
    },
  };
}
