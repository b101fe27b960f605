/**
 * Statement records in the spool's store, as JSON next to the results: any instance sharing
 * the store reads them; the instance running a statement writes its record, and any instance
 * may leave a cancel marker that the running one acts on.
 */
import type { StatementRecord } from './statement.js';

/** The part of the spool's store statements use (objects by '/'-separated keys). */
export interface RecordStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  list(prefix: string): Promise<string[]>;
  delete(prefix: string): Promise<void>;
}

/**
 * A statement's objects are named `statement-<id>.<what>` at the top of the store, beside the
 * instances' folders: a starting instance deletes folders whose instance is gone, while a
 * statement outlives the instance that ran it.
 */
export const statementKey = (id: string, what: string) => `statement-${id}.${what}`;
const recordKey = (id: string) => statementKey(id, 'json');
const cancelKey = (id: string) => statementKey(id, 'cancel');
const RECORD = /^statement-([0-9a-f-]{36})\.json$/;

export class StatementRecords {
  readonly #store: RecordStore;

  constructor(store: RecordStore) {
    this.#store = store;
  }

  /** The record, or undefined when there is none (never written, or deleted). */
  async read(id: string): Promise<StatementRecord | undefined> {
    const data = await this.#maybe(recordKey(id));
    return data === undefined
      ? undefined
      : (JSON.parse(Buffer.from(data).toString('utf8')) as StatementRecord);
  }

  write(record: StatementRecord): Promise<void> {
    return this.#store.put(recordKey(record.id), Buffer.from(JSON.stringify(record), 'utf8'));
  }

  /** Asks the instance running the statement to stop it. */
  requestCancel(id: string): Promise<void> {
    return this.#store.put(cancelKey(id), new Uint8Array(0));
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.#maybe(cancelKey(id))) !== undefined;
  }

  /** The ids of every statement with a record. */
  async ids(): Promise<string[]> {
    const keys = await this.#store.list('');
    return keys.flatMap((key) => RECORD.exec(key)?.slice(1, 2) ?? []);
  }

  /** Removes the record and its marker. */
  async remove(id: string): Promise<void> {
    await this.#store.delete(cancelKey(id));
    await this.#store.delete(recordKey(id));
  }

  async #maybe(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#store.get(key);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** The store's not-found error. */
function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  return e?.code === 'ENOENT' || e?.name === 'SpoolNotFoundError';
}
