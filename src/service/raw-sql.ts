import { Errors, withExtras } from '../errors/catalogue.js';
import type { Plan } from '../gen/spark/connect/base_pb.js';
import { SparkError } from '../spark/errors.js';
import type { SparkSession } from '../spark/session.js';
import {
  checkedSessionConfigs,
  pathReadRefusal,
  planRefusal,
  textRefusal,
  type RawSqlPolicy,
  type Refusal,
} from './raw-sql-policy.js';

/** The 403 of a statement the policy refuses, pointing at the SQL. */
function refused(refusal: Refusal): Error {
  const allow =
    refusal.setting === undefined ? '' : ` (the operator may allow it with ${refusal.setting}=true)`;
  return withExtras(new Errors.SqlNotAllowed(`the statement ${refusal.reason}${allow}`), { pointer: '/sql' });
}

/** Refuses, before anything is sent to Spark, what the text alone shows. */
export function vetText(sql: string): void {
  const refusal = textRefusal(sql);
  if (refusal !== undefined) throw refused(refusal);
}

/**
 * Vets the caller's statement on the session that will run it: the session is set up so that
 * Spark cannot run anything while analysing, then Spark's analysed plan is checked.
 */
export async function vetPlan(
  session: SparkSession,
  plan: Plan,
  policy: RawSqlPolicy,
  signal: AbortSignal,
): Promise<void> {
  await session.setConfigs(checkedSessionConfigs(policy), { signal });
  let explained: string;
  try {
    explained = await session.explain(plan, { signal });
  } catch (err) {
    const pathRead =
      err instanceof SparkError && !policy.allowFiles
        ? pathReadRefusal(err.errorClass, err.messageParameters['relationName'])
        : undefined;
    throw pathRead === undefined ? err : refused(pathRead);
  }
  const refusal = planRefusal(explained, policy);
  if (refusal !== undefined) throw refused(refusal);
}
