/**
 * Per-tenant bounds of statements: how many run at once, and how many bytes of results are kept,
 * counted over every instance sharing the store from the tenant's records (one list, and one
 * read per statement the tenant keeps). Two submissions at the same moment on two instances may
 * both pass: the count is of what is recorded, not a lock.
 */
import { Errors, withExtras } from '../../errors/catalogue.js';
import type { StatementRecords } from './records.js';
import { isFinal, type StatementRecord } from './statement.js';

export interface StatementQuotas {
  readonly maxRunning: number;
  readonly maxSpoolBytes: number;
}

/** What a tenant holds now. */
export interface TenantUsage {
  readonly running: number;
  readonly bytes: number;
}

/** A statement this instance runs: its record as it is now, and the bytes kept so far. */
interface LocalStatement {
  readonly record: StatementRecord;
  readonly bytes: number;
}

/**
 * What a tenant holds on every instance: its statements running here (with the bytes they keep
 * so far), those pending or running elsewhere whose instance is not gone, and the results of
 * those that SUCCEEDED and have not expired.
 */
export async function tenantUsage(
  tenant: string,
  local: readonly LocalStatement[],
  records: StatementRecords,
  lost: (record: StatementRecord) => Promise<boolean>,
): Promise<TenantUsage> {
  const here = new Set(local.map((s) => s.record.id));
  let running = local.length;
  let bytes = local.reduce((sum, s) => sum + s.bytes, 0);
  const stored = (await records.list(tenant)).filter((s) => s.recorded);
  const read = await Promise.all(stored.map((s) => records.read(s.folder).catch(() => undefined)));
  const now = Date.now();
  for (const record of read) {
    if (record === undefined || record.tenant !== tenant || here.has(record.id) || now >= record.expiresAt)
      continue;
    if (record.state === 'SUCCEEDED') bytes += record.manifest?.totalBytes ?? 0;
    else if (!isFinal(record.state) && !(await lost(record))) running++;
  }
  return { running, bytes };
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
