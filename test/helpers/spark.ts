import type { Schema } from 'apache-arrow';
import { type ExactValue } from '../../src/arrow/values.js';
import type { Plan } from '../../src/gen/spark/connect/base_pb.js';
import { rootPlan, sqlRelation, type SqlArguments } from '../../src/plan/sql.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import type { ExecuteOptions } from '../../src/spark/execute.js';
import type { SparkSession } from '../../src/spark/session.js';
import { sparkRemote } from './spark-remote.js';
import { batchRows, decodeResult } from './arrow-results.js';

/** A client for the suite's Spark server; close it in `after`. */
export function connect(): SparkConnectClient {
  return SparkConnectClient.connect(sparkRemote());
}

export interface Collected {
  readonly schema: Schema;
  readonly rows: Record<string, ExactValue>[];
  readonly batches: number;
}

/** Runs a plan to the end and reads every row with exact values. */
export async function collect(
  session: SparkSession,
  plan: Plan,
  options?: ExecuteOptions,
): Promise<Collected> {
  const execution = session.execute(plan, options);
  const { schema, batches } = await decodeResult(execution);
  const rows: Record<string, ExactValue>[] = [];
  let count = 0;
  for await (const batch of batches) {
    count++;
    rows.push(...batchRows(batch));
  }
  await execution.closed;
  return { schema, rows, batches: count };
}

/** Runs SQL with Spark parameters. */
export function collectSql(session: SparkSession, query: string, args?: SqlArguments): Promise<Collected> {
  return collect(session, rootPlan(sqlRelation(query, args)));
}
