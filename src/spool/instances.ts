/**
 * Several service instances may share one spool directory: each keeps its results in a folder
 * of its own, with a heartbeat it renews. A starting instance deletes the folders whose owner
 * is gone (its heartbeat stale, or its process no longer running on this host), and only those.
 */
import { hostname } from 'node:os';
import { SpoolNotFoundError, type SpoolStore } from './store.js';

export interface HeartbeatTiming {
  /** How often an instance renews its heartbeat. */
  readonly heartbeatMs: number;
  /** A heartbeat older than this means its instance is gone. */
  readonly staleMs: number;
}

const HEARTBEAT = 'heartbeat';

interface Heartbeat {
  readonly host: string;
  readonly pid: number;
  readonly at: number;
}

/** Whether a process of this host still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function gone(text: string | undefined, staleMs: number, now: number): boolean {
  if (text === undefined) return true;
  let beat: Partial<Heartbeat>;
  try {
    beat = JSON.parse(text) as Partial<Heartbeat>;
  } catch {
    return true;
  }
  if (typeof beat.at !== 'number' || now - beat.at > staleMs) return true;
  return beat.host === hostname() && typeof beat.pid === 'number' && !running(beat.pid);
}

/** An instance's claim on its folder: renewed until `end()`, which deletes the folder. */
export class InstanceFolder {
  readonly name: string;
  readonly #store: SpoolStore;
  readonly #timer: NodeJS.Timeout;
  readonly #onError: (err: unknown) => void;

  private constructor(
    name: string,
    store: SpoolStore,
    timing: HeartbeatTiming,
    onError: (err: unknown) => void,
  ) {
    this.name = name;
    this.#store = store;
    this.#onError = onError;
    this.#timer = setInterval(() => void this.#beat().catch(onError), timing.heartbeatMs).unref();
  }

  /** Claims `name` (heartbeat first, before any data), then deletes what owners that are gone left. */
  static async claim(
    store: SpoolStore,
    name: string,
    timing: HeartbeatTiming,
    onError: (err: unknown) => void,
  ): Promise<InstanceFolder> {
    await store.put(`${name}/${HEARTBEAT}`, beat());
    const folder = new InstanceFolder(name, store, timing, onError);
    await sweep(store, name, timing.staleMs).catch(onError);
    return folder;
  }

  async #beat(): Promise<void> {
    await this.#store.put(`${this.name}/${HEARTBEAT}`, beat());
  }

  /** Stops the heartbeat and deletes the folder. */
  async end(): Promise<void> {
    clearInterval(this.#timer);
    await this.#store.delete(this.name).catch(this.#onError);
  }
}

function beat(): Uint8Array {
  const heartbeat: Heartbeat = { host: hostname(), pid: process.pid, at: Date.now() };
  return Buffer.from(JSON.stringify(heartbeat));
}

/**
 * Deletes the folders of instances that are gone. A folder with data but no heartbeat is one
 * being deleted, or of an instance that died deleting it: its owner writes the heartbeat first.
 */
async function sweep(store: SpoolStore, own: string, staleMs: number): Promise<void> {
  const folders = new Set<string>();
  for (const key of await store.list('')) {
    const slash = key.indexOf('/');
    if (slash > 0 && key.slice(0, slash) !== own) folders.add(key.slice(0, slash));
  }
  const now = Date.now();
  for (const folder of folders) {
    let text: string | undefined;
    try {
      text = Buffer.from(await store.get(`${folder}/${HEARTBEAT}`)).toString('utf8');
    } catch (err) {
      // Unreadable for another reason: leave it, it may be alive.
      if (!(err instanceof SpoolNotFoundError)) continue;
    }
    if (gone(text, staleMs, now)) await store.delete(folder);
  }
}
