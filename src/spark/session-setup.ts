import { create } from '@bufbuild/protobuf';
import { PlanSchema, type Plan } from '../gen/spark/connect/base_pb.js';
import type { SparkSession } from './session.js';

/** What every session of the service is given before its first request, and again whenever it is replaced. */
export interface SessionSetup {
  /** Spark SQL configurations. */
  readonly configs: Readonly<Record<string, string>>;
  /** SQL statements run in order, e.g. `CREATE TEMPORARY VIEW` for datasets. */
  readonly statements: readonly string[];
}

/**
 * The configurations the service relies on: UTC for every timestamp it formats, ANSI SQL
 * semantics, and frequent progress reports, which let an interrupt wait until a query's job
 * is running (Spark cannot stop a job that starts after its interrupt). And no plan cache:
 * Spark's per-session cache of plans keeps a plan whose table did not exist failing with
 * TABLE_OR_VIEW_NOT_FOUND on that session after the table is created, and a pooled session
 * lives for hours.
 */
export const SERVICE_CONFIGS: Readonly<Record<string, string>> = {
  'spark.sql.session.timeZone': 'UTC',
  'spark.sql.ansi.enabled': 'true',
  'spark.connect.progress.reportInterval': '200ms',
  'spark.connect.session.planCache.enabled': 'false',
};

/** Applies a setup to a fresh session. */
export async function setUpSession(
  session: SparkSession,
  setup: SessionSetup,
  signal?: AbortSignal,
): Promise<void> {
  const configs = { ...SERVICE_CONFIGS, ...setup.configs };
  await session.setConfigs(configs, { signal });
  for (const statement of setup.statements) {
    const execution = session.execute(sqlCommandPlan(statement), { signal });
    for await (const _response of execution) {
      // A statement answers with its result relation; nothing to read.
    }
  }
}

/** A plan that runs a SQL statement for its effect (SET, CREATE TEMPORARY VIEW…). */
function sqlCommandPlan(query: string): Plan {
  return create(PlanSchema, {
    opType: {
      case: 'command',
      value: {
        commandType: {
          case: 'sqlCommand',
          value: { input: { relType: { case: 'sql', value: { query } } } },
        },
      },
    },
  });
}
