import { DEFAULT_TENANT } from '../auth/principal.js';
import type { SparkConnectClient } from '../spark/client.js';
import { SessionPool, type PoolStats, type SessionPoolOptions } from '../spark/pool.js';

export interface TenantPoolOptions {
  /** Most sessions of one tenant other than the default one (its concurrent queries). */
  readonly perTenantMax: number;
}

/**
 * Spark sessions per tenant: a tenant's queries run only on its own sessions, opened with the
 * tenant as Spark Connect user id, so no session, view or cache is ever shared across tenants.
 * The default tenant (the service's own, and everyone's when authentication is off) uses the
 * main pool; other tenants get pools of their own on first use, idle down to none.
 */
export class TenantPools {
  readonly main: SessionPool;
  readonly #client: SparkConnectClient;
  readonly #options: SessionPoolOptions;
  readonly #perTenantMax: number;
  readonly #pools = new Map<string, Promise<SessionPool>>();
  /** The pools that have started, for statistics read synchronously (metrics). */
  readonly #started = new Map<string, SessionPool>();

  constructor(
    main: SessionPool,
    client: SparkConnectClient,
    options: SessionPoolOptions,
    tenants: TenantPoolOptions,
  ) {
    this.main = main;
    this.#client = client;
    this.#options = options;
    this.#perTenantMax = tenants.perTenantMax;
  }

  /** The sessions of a tenant. */
  async of(tenant: string): Promise<SessionPool> {
    if (tenant === DEFAULT_TENANT) return this.main;
    let pool = this.#pools.get(tenant);
    if (pool === undefined) {
      pool = SessionPool.start(this.#client, {
        ...this.#options,
        min: 0,
        max: this.#perTenantMax,
        userId: tenant,
      });
      this.#pools.set(tenant, pool);
      pool.then(
        (started) => this.#started.set(tenant, started),
        () => this.#pools.delete(tenant),
      );
    }
    return pool;
  }

  /** Pool statistics by tenant, of the pools started so far. */
  stats(): Record<string, PoolStats> {
    return Object.fromEntries([
      [DEFAULT_TENANT, this.main.stats()],
      ...[...this.#started].map(([tenant, pool]) => [tenant, pool.stats()] as const),
    ]);
  }

  /** Drains every tenant's pool (the main one is closed by its owner). */
  async close(graceMs: number): Promise<void> {
    await Promise.all(
      [...this.#pools.values()].map(async (pool) => (await pool.catch(() => undefined))?.close(graceMs)),
    );
  }
}
