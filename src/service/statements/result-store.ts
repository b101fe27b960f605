/**
 * A statement's result where every instance can read it: once the spool holds all of it, its
 * schema and each chunk's payloads are written as objects of the store, and where each payload
 * lies is noted in the statement's record. Readers read a chunk with one get and split it.
 */
import { RecordBatchReader, Table, tableToIPC } from 'apache-arrow';
import type { ArrowPayload } from '../../arrow/decode.js';
import { statementKey, type RecordStore } from './records.js';
import type { KeptResult, ResultSource, SourceChunk } from './result-source.js';
import type { ChunkLayout } from './statement.js';

const chunkKey = (id: string, index: number) => statementKey(id, `${index}.arrows`);
const schemaKey = (id: string) => statementKey(id, 'schema.arrows');

export class ResultStore {
  readonly #store: RecordStore;

  constructor(store: RecordStore) {
    this.#store = store;
  }

  /** Writes the schema and every chunk of a complete kept result; returns the chunks' layouts. */
  async persist(id: string, kept: KeptResult): Promise<ChunkLayout[]> {
    await this.#store.put(schemaKey(id), tableToIPC(new Table(kept.schema), 'stream'));
    const layouts: ChunkLayout[] = [];
    for (const chunk of kept.chunks()) {
      const parts: Uint8Array[] = [];
      const layout: [number, number][] = [];
      for await (const payload of kept.payloads({ from: chunk.index, to: chunk.index + 1 })) {
        parts.push(payload.data);
        layout.push([payload.data.byteLength, Number(payload.rowCount)]);
      }
      await this.#store.put(chunkKey(id, chunk.index), Buffer.concat(parts));
      layouts.push(layout);
    }
    return layouts;
  }

  /** The persisted result of a statement, given its chunks and their layouts. */
  async open(
    id: string,
    chunks: readonly SourceChunk[],
    layouts: readonly ChunkLayout[],
  ): Promise<ResultSource> {
    const store = this.#store;
    const schema = RecordBatchReader.from(await store.get(schemaKey(id))).open().schema;
    async function* read(from: number, to: number): AsyncGenerator<ArrowPayload, void, undefined> {
      for (let index = from; index < Math.min(to, layouts.length); index++) {
        const data = await store.get(chunkKey(id, index));
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
  async delete(id: string): Promise<void> {
    const prefix = statementKey(id, '');
    const keep = new Set([statementKey(id, 'json'), statementKey(id, 'cancel')]);
    for (const key of await this.#store.list('')) {
      if (key.startsWith(prefix) && !keep.has(key)) await this.#store.delete(key);
    }
  }
}
