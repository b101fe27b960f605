/**
 * When to replace a pooled session so Spark never expires one under a request. Spark drops a
 * session after it has been idle (no RPC) for `spark.connect.session.manager.defaultSessionTimeout`
 * (60 minutes by default); the pool renews sessions a margin before that.
 */

export interface RenewalTiming {
  /** A session idle this long is renewed (replaced) rather than handed out. */
  readonly renewAfterIdleMs: number;
  /** How often idle sessions are checked, so each is renewed before it expires. */
  readonly checkEveryMs: number;
}

/**
 * Renew after three quarters of the timeout, but never more than 5 minutes early nor less
 * than a second before it; check twice per margin.
 */
export function renewalTiming(serverTimeoutMs: number): RenewalTiming {
  const margin = Math.min(Math.max(serverTimeoutMs * 0.25, 1_000), 5 * 60_000, serverTimeoutMs / 2);
  return {
    renewAfterIdleMs: Math.max(serverTimeoutMs - margin, 0),
    checkEveryMs: Math.min(Math.max(margin / 2, 250), 60_000),
  };
}

/** Whether a session last used at `lastUsedAt` must be renewed at `now`. */
export function needsRenewal(lastUsedAt: number, now: number, timing: RenewalTiming): boolean {
  return now - lastUsedAt >= timing.renewAfterIdleMs;
}

const UNITS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A Spark time configuration value (`3600000ms`, `30s`, `60m`, `1h`; a bare number is in
 * `defaultUnit`) in milliseconds; undefined when it is not one, or negative (Spark's "never").
 */
export function parseSparkDuration(text: string, defaultUnit = 'ms'): number | undefined {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return undefined;
  const factor = UNITS[(match[2] || defaultUnit).toLowerCase()];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
