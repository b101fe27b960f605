/**
 * The instance that runs statements, as other instances sharing the store see it: a heartbeat
 * at `shared/instances/<name>`, written once this instance runs its first statement and renewed
 * until it closes. A statement's record names its instance; an instance that reads a running
 * statement whose instance's heartbeat is stale knows it will never end.
 */
import { randomUUID } from 'node:crypto';
import { Heartbeat, heartbeatGone, SHARED, type HeartbeatTiming } from '../../spool/instances.js';
import type { SpoolStore } from '../../spool/store.js';

const ROOT = `${SHARED}/instances`;

export class StatementInstance {
  readonly name = randomUUID();
  readonly #store: SpoolStore;
  readonly #timing: HeartbeatTiming;
  readonly #onError: (err: unknown) => void;
  #heartbeat: Promise<Heartbeat> | undefined;

  constructor(store: SpoolStore, timing: HeartbeatTiming, onError: (err: unknown) => void) {
    this.#store = store;
    this.#timing = timing;
    this.#onError = onError;
  }

  /** Starts the heartbeat, if not yet: before this instance writes a record naming itself. */
  async beat(): Promise<void> {
    this.#heartbeat ??= Heartbeat.start(
      this.#store,
      `${ROOT}/${this.name}`,
      this.#timing.heartbeatMs,
      this.#onError,
    );
    try {
      await this.#heartbeat;
    } catch (err) {
      this.#heartbeat = undefined;
      throw err;
    }
  }

  /** Whether another instance, named in a record, is gone. */
  async gone(name: string): Promise<boolean> {
    if (name === this.name) return false;
    return heartbeatGone(this.#store, `${ROOT}/${name}`, this.#timing.staleMs);
  }

  /** Deletes the heartbeats of instances that are gone (their records say so without them). */
  async sweep(): Promise<void> {
    for (const key of await this.#store.list(ROOT)) {
      const name = key.slice(ROOT.length + 1);
      if (name !== this.name && (await this.gone(name))) await this.#store.delete(key);
    }
  }

  /** Stops the heartbeat and deletes it. */
  async stop(): Promise<void> {
    const heartbeat = this.#heartbeat;
    this.#heartbeat = undefined;
    await heartbeat?.then(
      (h) => h.stop(),
      () => undefined,
    );
  }
}
