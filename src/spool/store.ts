/**
 * Where spooled data is kept: a narrow store of immutable objects under '/'-separated keys.
 * Files in a directory today (`FileSpoolStore`); an object store could take its place.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/** Narrow storage under a spool: files today, an object store later. Keys are '/'-separated relative paths. */
export interface SpoolStore {
  /**
   * Stores an object atomically: a reader never sees it half-written. Several parts are
   * stored as one object, in order (no copy joins them first).
   */
  put(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /** An object, or the bytes `start` to `end` (exclusive) of it; a {@link SpoolNotFoundError} if absent. */
  get(key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  /** The keys under `prefix` (a folder, '' for all). */
  list(prefix: string): Promise<string[]>;
  /** Deletes a key, or everything under a prefix. */
  delete(prefix: string): Promise<void>;
}

/** The object asked for is not in the store. */
export class SpoolNotFoundError extends Error {
  override readonly name = 'SpoolNotFoundError';
}

/** Objects being written carry this suffix until they are renamed to their key. */
const PARTIAL = '.partial';

/** Keys are relative, '/'-separated, without empty, '.' or '..' segments. */
function checkKey(key: string, allowEmpty = false): string[] {
  if (key === '' && allowEmpty) return [];
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes(sep))) {
    throw new Error(`not a spool key: ${JSON.stringify(key)}`);
  }
  return parts;
}

/** A store of files under one directory. */
export class FileSpoolStore implements SpoolStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(key: string, allowEmpty = false): string {
    return join(this.#root, ...checkKey(key, allowEmpty));
  }

  /** Writes a file of a temporary name, then renames it to the key (atomic on one file system). */
  async put(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const path = this.#path(key);
    const partial = `${path}.${randomBytes(6).toString('hex')}${PARTIAL}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeParts(partial, data instanceof Uint8Array ? [data] : data);
      await rename(partial, path);
    } catch (err) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    const path = this.#path(key);
    let file;
    try {
      file = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SpoolNotFoundError(`no spooled object ${key}`, { cause: err });
      }
      throw err;
    }
    try {
      const start = range?.start ?? 0;
      const end = range?.end ?? (await file.stat()).size;
      if (start < 0 || end < start) throw new RangeError(`bad range ${start}-${end} of ${key}`);
      // Every byte is read into it, or the read fails.
      const data = Buffer.allocUnsafeSlow(end - start);
      let filled = 0;
      while (filled < data.byteLength) {
        const { bytesRead } = await file.read(data, filled, data.byteLength - filled, start + filled);
        if (bytesRead === 0) throw new RangeError(`${key} ends before byte ${end}`);
        filled += bytesRead;
      }
      return data;
    } finally {
      await file.close();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.#path(prefix, true);
    let entries;
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
    return entries
      .filter((e) => e.isFile() && !e.name.endsWith(PARTIAL))
      .map((e) => relative(this.#root, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  }

  async delete(prefix: string): Promise<void> {
    await rm(this.#path(prefix), { recursive: true, force: true });
  }
}

/**
 * Writes the parts to a new file with as few system calls as the kernel allows (a write may
 * take only some of the bytes; the rest follow).
 */
async function writeParts(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, 'wx');
  try {
    let pending = parts.filter((p) => p.byteLength > 0);
    while (pending.length > 0) {
      let { bytesWritten } = await file.writev(pending.slice(0, MAX_IOV));
      if (bytesWritten === 0) throw new Error(`${path}: the file system took no bytes`);
      const rest: Uint8Array[] = [];
      for (const part of pending) {
        if (bytesWritten >= part.byteLength) bytesWritten -= part.byteLength;
        else {
          rest.push(bytesWritten === 0 ? part : part.subarray(bytesWritten));
          bytesWritten = 0;
        }
      }
      pending = rest;
    }
  } finally {
    await file.close();
  }
}

/** Parts in one `writev` call (Linux takes at most 1024). */
const MAX_IOV = 1024;
