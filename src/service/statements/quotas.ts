/** Per-tenant bounds of statements: how many run at once, and how many bytes of results are kept. */
import { Errors, withExtras } from '../../errors/catalogue.js';

export interface StatementQuotas {
  readonly maxRunning: number;
  readonly maxSpoolBytes: number;
}

/** What a tenant holds now on this instance. */
export interface TenantUsage {
  readonly running: number;
  readonly bytes: number;
}

/** Seconds to wait before submitting again when too many statements run. */
const RUNNING_RETRY_S = 5;
/** When the kept bytes are over: results go when deleted or when they expire. */
const BYTES_RETRY_S = 60;

/** Refuses a new statement of a tenant at one of its bounds (429 with Retry-After). */
export function checkQuota(tenant: string, usage: TenantUsage, quotas: StatementQuotas): void {
  if (usage.running >= quotas.maxRunning) {
    throw withExtras(
      new Errors.StatementQuota(
        `tenant "${tenant}" has ${usage.running} statements running, the most it may (STATEMENTS_MAX_RUNNING); ` +
          'wait for one to end or delete one',
      ),
      { retryAfter: RUNNING_RETRY_S },
    );
  }
  if (usage.bytes >= quotas.maxSpoolBytes) {
    throw withExtras(
      new Errors.StatementQuota(
        `tenant "${tenant}" keeps ${usage.bytes} bytes of statement results, the most it may ` +
          '(STATEMENTS_MAX_SPOOL_BYTES); delete statements you have read',
      ),
      { retryAfter: BYTES_RETRY_S },
    );
  }
}
