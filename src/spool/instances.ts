/**
 * Several service instances may share one spool directory: each keeps its results in a folder
 * of its own, with a heartbeat it renews. A starting instance deletes the folders whose owner
 * is gone (its heartbeat stale, or its process no longer running on this host), and only those.
 * The folder {@link SHARED} belongs to no instance: what is in it outlives the instance that
 * wrote it, and its users clean it up themselves.
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

/** The top-level folder no instance owns, never swept as an instance's leftovers. */
export const SHARED = 'shared';

/** What a heartbeat says. */
interface Beat {
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
  let beat: Partial<Beat>;
  try {
    beat = JSON.parse(text) as Partial<Beat>;
  } catch {
    return true;
  }
  if (typeof beat.at !== 'number' || now - beat.at > staleMs) return true;
  return beat.host === hostname() && typeof beat.pid === 'number' && !running(beat.pid);
}

/** A heartbeat at one key of the store, renewed until `stop()`, which deletes it. */
export class Heartbeat {
  readonly key: string;
  readonly #store: SpoolStore;
  readonly #timer: NodeJS.Timeout;

  private constructor(store: SpoolStore, key: string, heartbeatMs: number, onError: (err: unknown) => void) {
    this.key = key;
    this.#store = store;
    this.#timer = setInterval(() => void store.put(key, beat()).catch(onError), heartbeatMs).unref();
  }

  /** Writes the first heartbeat, then renews it every `heartbeatMs`. */
  static async start(
    store: SpoolStore,
    key: string,
    heartbeatMs: number,
    onError: (err: unknown) => void,
  ): Promise<Heartbeat> {
    await store.put(key, beat());
    return new Heartbeat(store, key, heartbeatMs, onError);
  }

  /** Stops renewing it and deletes it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#store.delete(this.key);
  }
}

/**
 * Whether the owner of the heartbeat at `key` is gone: none there, stale, or its process no
 * longer running on this host. A heartbeat that cannot be read for another reason counts as alive.
 */
export async function heartbeatGone(store: SpoolStore, key: string, staleMs: number): Promise<boolean> {
  let text: string | undefined;
  try {
    text = Buffer.from(await store.get(key)).toString('utf8');
  } catch (err) {
    if (!(err instanceof SpoolNotFoundError)) return false;
  }
  return gone(text, staleMs, Date.now());
}

/** An instance's claim on its folder: renewed until `end()`, which deletes the folder. */
export class InstanceFolder {
  readonly name: string;
  readonly #store: SpoolStore;
  readonly #heartbeat: Heartbeat;
  readonly #onError: (err: unknown) => void;

  private constructor(
    name: string,
    store: SpoolStore,
    heartbeat: Heartbeat,
    onError: (err: unknown) => void,
  ) {
    this.name = name;
    this.#store = store;
    this.#heartbeat = heartbeat;
    this.#onError = onError;
  }

  /** Claims `name` (heartbeat first, before any data), then deletes what owners that are gone left. */
  static async claim(
    store: SpoolStore,
    name: string,
    timing: HeartbeatTiming,
    onError: (err: unknown) => void,
  ): Promise<InstanceFolder> {
    const heartbeat = await Heartbeat.start(store, `${name}/${HEARTBEAT}`, timing.heartbeatMs, onError);
    const folder = new InstanceFolder(name, store, heartbeat, onError);
    await sweep(store, name, timing.staleMs).catch(onError);
    return folder;
  }

  /** Stops the heartbeat and deletes the folder. */
  async end(): Promise<void> {
    await this.#heartbeat.stop().catch(this.#onError);
    await this.#store.delete(this.name).catch(this.#onError);
  }
}

function beat(): Uint8Array {
  const heartbeat: Beat = { host: hostname(), pid: process.pid, at: Date.now() };
  return Buffer.from(JSON.stringify(heartbeat));
}

/**
 * Deletes the folders of instances that are gone. A folder with data but no heartbeat is one
 * being deleted, or of an instance that died deleting it: its owner writes the heartbeat first.
 * The shared folder is left alone.
 */
async function sweep(store: SpoolStore, own: string, staleMs: number): Promise<void> {
  const folders = new Set<string>();
  for (const key of await store.list('')) {
    const slash = key.indexOf('/');
    const folder = key.slice(0, slash);
    if (slash > 0 && folder !== own && folder !== SHARED) folders.add(folder);
  }
  for (const folder of folders) {
    if (await heartbeatGone(store, `${folder}/${HEARTBEAT}`, staleMs)) await store.delete(folder);
  }
}
