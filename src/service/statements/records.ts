/**
 * Statement records in the spool's shared folder, next to their results: any instance sharing
 * the store reads them; the instance running a statement writes its record, and any instance
 * may leave a cancel marker that the running one acts on. A statement's objects are
 * `shared/statements/<tenant>/<id>/record.json`, `…/cancel` and `…/result/…`, where `<tenant>`
 * is a digest of the tenant's name (so any name makes a safe key, and a tenant's statements are
 * listed together).
 */
import { createHash } from 'node:crypto';
import { SHARED } from '../../spool/instances.js';
import { SpoolNotFoundError, type SpoolStore } from '../../spool/store.js';
import type { StatementRecord } from './statement.js';

const ROOT = `${SHARED}/statements`;
const RECORD = 'record.json';
const CANCEL = 'cancel';

function tenantFolder(tenant: string): string {
  return `${ROOT}/${createHash('sha256').update(tenant).digest('hex').slice(0, 32)}`;
}

/** The folder of a statement's objects. */
export function folderOf(tenant: string, id: string): string {
  return `${tenantFolder(tenant)}/${id}`;
}

/** A statement's folder in the store, and whether its record is there. */
export interface StoredStatement {
  readonly folder: string;
  readonly recorded: boolean;
}

export class StatementRecords {
  readonly #store: SpoolStore;

  constructor(store: SpoolStore) {
    this.#store = store;
  }

  /** The record, or undefined when there is none (never written, or deleted). */
  async read(folder: string): Promise<StatementRecord | undefined> {
    const data = await this.#maybe(`${folder}/${RECORD}`);
    return data === undefined
      ? undefined
      : (JSON.parse(Buffer.from(data).toString('utf8')) as StatementRecord);
  }

  write(record: StatementRecord): Promise<void> {
    const key = `${folderOf(record.tenant, record.id)}/${RECORD}`;
    return this.#store.put(key, Buffer.from(JSON.stringify(record), 'utf8'));
  }

  /** Asks the instance running the statement to stop it. */
  requestCancel(folder: string): Promise<void> {
    return this.#store.put(`${folder}/${CANCEL}`, new Uint8Array(0));
  }

  async cancelRequested(folder: string): Promise<boolean> {
    return (await this.#maybe(`${folder}/${CANCEL}`)) !== undefined;
  }

  /** The folders of every statement in the store, or of one tenant's. */
  async list(tenant?: string): Promise<StoredStatement[]> {
    const root = tenant === undefined ? ROOT : tenantFolder(tenant);
    const folders = new Map<string, boolean>();
    for (const key of await this.#store.list(root)) {
      // shared/statements/<tenant>/<id>/<object…>
      const parts = key.split('/');
      if (parts.length < 5) continue;
      const folder = parts.slice(0, 4).join('/');
      folders.set(folder, (folders.get(folder) ?? false) || (parts.length === 5 && parts[4] === RECORD));
    }
    return [...folders].map(([folder, recorded]) => ({ folder, recorded }));
  }

  /** Removes the statement's folder: its result first, its record last. */
  async remove(folder: string): Promise<void> {
    await this.#store.delete(`${folder}/result`);
    await this.#store.delete(`${folder}/${CANCEL}`);
    await this.#store.delete(folder);
  }

  async #maybe(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#store.get(key);
    } catch (err) {
      if (err instanceof SpoolNotFoundError) return undefined;
      throw err;
    }
  }
}
