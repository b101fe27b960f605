import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { call, type Answer } from './http.js';
import { runningJobsTagged } from './spark-ui.js';

/** What the statements API answers for a statement. */
export interface Statement {
  id: string;
  state: string;
  progress: Record<string, number>;
  expiresAt: string;
  manifest?: {
    columns: { name: string; type: string }[];
    totalRows: number;
    totalBytes: number;
    truncated: boolean;
    chunks: { index: number; rowOffset: number; rowCount: number; byteCount: number; href: string }[];
  };
  error?: { code: string; detail: string };
}

/** Datasets for statements: some rows, a query of a few seconds, and one that never ends. */
export const STATEMENT_DATASETS = new DatasetRegistry({
  setup: { configs: { 'spark.connect.progress.reportInterval': '100ms' }, statements: [] },
  datasets: {
    nums: {
      description: 'ids with text',
      sql: "SELECT id, id % 7 AS k, concat('row-', CAST(id AS STRING)) AS s FROM range(0, 60000, 1, 4)",
      maxLimit: 100_000,
      defaultLimit: 100_000,
    },
    slow: {
      description: 'an aggregation of some seconds',
      sql:
        'SELECT k, count(*) AS n, sum(v) AS total FROM (SELECT id % 1000 AS k, id * 3 % 17 AS v ' +
        'FROM range(0, 400000000, 1, 8)) GROUP BY k',
      maxLimit: 100_000,
      defaultLimit: 100_000,
    },
    endless: {
      description: 'runs for hours unless stopped',
      sql: 'SELECT max(id) AS top FROM range(0, 1000000000000)',
    },
  },
});

export async function submit(
  base: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return call('POST', `${base}/v1/statements`, { body, headers });
}

/** Polls (long-polling) until the statement is in one of `states`; returns every answer seen. */
export async function pollUntil(
  base: string,
  id: string,
  states: readonly string[],
  headers: Record<string, string> = {},
): Promise<Statement[]> {
  const seen: Statement[] = [];
  for (let i = 0; i < 600; i++) {
    const answer = await call('GET', `${base}/v1/statements/${id}?waitTimeoutMs=1000`, { headers });
    assert.equal(answer.status, 200, answer.text());
    const statement = answer.json() as Statement;
    seen.push(statement);
    if (states.includes(statement.state)) return seen;
  }
  assert.fail(`statement ${id} never reached ${states.join(' or ')}`);
}

/** Waits until Spark runs no job tagged with the request id; fails if one still runs after 2 s. */
export async function assertJobsStop(requestId: string): Promise<void> {
  const since = Date.now();
  for (;;) {
    const jobs = await runningJobsTagged(`Tag_spark-data-api:${requestId}`);
    if (jobs.length === 0) return;
    if (Date.now() - since > 2_000)
      assert.fail(`Spark jobs ${jobs.join(', ')} of ${requestId} still run after 2 s`);
    await sleep(100);
  }
}

/** Waits until Spark runs a job tagged with the request id. */
export async function jobRuns(requestId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await runningJobsTagged(`Tag_spark-data-api:${requestId}`)).length > 0) return;
    await sleep(100);
  }
  assert.fail(`no Spark job of ${requestId} started`);
}

/** Paths of files under `dir` holding data of the statement's result (its record and cancel marker aside). */
export function filesOf(dir: string, id: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && join(e.parentPath, e.name).includes(id))
    .filter((e) => e.name !== 'record.json' && e.name !== 'cancel')
    .map((e) => join(e.parentPath, e.name));
}
