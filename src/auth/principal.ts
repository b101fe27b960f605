import type { Scalar } from '../query/spec.js';

export const SCOPES = ['datasets:read', 'sql:execute', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is asking: an API key's owner, a JWT's subject, or the anonymous principal. */
export interface Principal {
  /** Stable id, for rate limits and logs: `key:<name>`, `jwt:<sub>`, `anonymous`. */
  readonly id: string;
  /** Whose data it is: becomes the Spark Connect user id; sessions and cache are per tenant. */
  readonly tenant: string;
  readonly scopes: ReadonlySet<string>;
  /** The datasets it may use; `'*'` for all (within its tenant). */
  readonly datasets: ReadonlySet<string> | '*';
  /** Values dataset row filters are bound to. */
  readonly claims: Readonly<Record<string, Scalar | readonly Scalar[]>>;
}

/** The tenant of the service's own sessions, and of requests when no authentication is set up. */
export const DEFAULT_TENANT = 'default';
