/**
 * A statement's result where every instance can read it: once the spool holds all of it, its
 * schema and each chunk's payloads are written as objects of the store, in the `result` folder
 * beside the statement's record, and where each payload lies is noted in the record. Readers
 * read a chunk with one get and split it.
 */
import { RecordBatchReader, Table, tableToIPC } from 'apache-arrow';
import type { ArrowPayload } from '../../arrow/decode.js';
import { Errors } from '../../errors/catalogue.js';
import { SpoolNotFoundError, type SpoolStore } from '../../spool/store.js';
import type { KeptResult, ResultSource, SourceChunk } from './result-source.js';
import type { ChunkLayout } from './statement.js';

/** A store failure as SPOOL_FAILED (503); a missing object stays what it is (deleted meanwhile). */
function failed(err: unknown): Error {
  if (err instanceof SpoolNotFoundError || err instanceof Errors.SpoolFailed) return err;
  return new Errors.SpoolFailed({ cause: err });
}

/** `promise`, its store failure as SPOOL_FAILED. */
function stored<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => Promise.reject(failed(err)));
}

const resultFolder = (folder: string) => `${folder}/result`;
const chunkKey = (folder: string, index: number) => `${resultFolder(folder)}/${index}.arrows`;
const schemaKey = (folder: string) => `${resultFolder(folder)}/schema.arrows`;

export class ResultStore {
  readonly #store: SpoolStore;
  /** Chunks read from the store, for the metrics. */
  chunkReads = 0;

  constructor(store: SpoolStore) {
    this.#store = store;
  }

  /** Writes the schema and every chunk of a complete kept result; returns the chunks' layouts. */
  async persist(folder: string, kept: KeptResult): Promise<ChunkLayout[]> {
    await stored(this.#store.put(schemaKey(folder), tableToIPC(new Table(kept.schema), 'stream')));
    const layouts: ChunkLayout[] = [];
    for (const chunk of kept.chunks()) {
      const parts: Uint8Array[] = [];
      const layout: [number, number][] = [];
      for await (const payload of kept.payloads({ from: chunk.index, to: chunk.index + 1 })) {
        parts.push(payload.data);
        layout.push([payload.data.byteLength, Number(payload.rowCount)]);
      }
      await stored(this.#store.put(chunkKey(folder, chunk.index), parts));
      layouts.push(layout);
    }
    return layouts;
  }

  /** The persisted result of a statement, given its chunks and their layouts. */
  async open(
    folder: string,
    chunks: readonly SourceChunk[],
    layouts: readonly ChunkLayout[],
  ): Promise<ResultSource> {
    const store = this.#store;
    const schema = RecordBatchReader.from(await stored(store.get(schemaKey(folder)))).open().schema;
    const counted = () => this.chunkReads++;
    async function* read(from: number, to: number): AsyncGenerator<ArrowPayload, void, undefined> {
      for (let index = from; index < Math.min(to, layouts.length); index++) {
        const data = await stored(store.get(chunkKey(folder, index))).catch((err: unknown) => {
          // Deleted while being read: it expired, or was deleted.
          if (!(err instanceof SpoolNotFoundError)) throw err;
          throw new Errors.StatementExpired(folder.slice(folder.lastIndexOf('/') + 1), { cause: err });
        });
        counted();
        let offset = 0;
        for (const [bytes, rows] of layouts[index] ?? []) {
          yield { data: data.subarray(offset, offset + bytes), rowCount: BigInt(rows) };
          offset += bytes;
        }
      }
    }
    return {
      schema,
      chunks: () => chunks,
      payloads: (options) => read(options.from ?? 0, options.to ?? Infinity),
    };
  }

  /** Deletes a statement's result (its record stays). */
  async delete(folder: string): Promise<void> {
    await this.#store.delete(resultFolder(folder));
  }
}
