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
 * Spark cannot run anything while analysing, then Spark's analysed plan is checked. Spark 4.0
 * runs a command while analysing it, so on such a server only a query can be checked: `asQuery`
 * is the statement as a subquery, which Spark can parse only if it is one.
 */
export async function vetPlan(
  session: SparkSession,
  plans: { readonly sql: string; readonly plan: Plan; readonly asQuery: Plan },
  policy: RawSqlPolicy,
  signal: AbortSignal,
): Promise<void> {
  const version = await session.sparkVersion({ signal });
  const queriesOnly = !analysesWithoutRunning(version);
  if (queriesOnly && !startsAsQuery(plans.sql)) throw uncheckable(version, 'it does not start as one');
  await session.setConfigs(checkedSessionConfigs(policy), { signal });
  let explained: string | undefined;
  if (queriesOnly) {
    try {
      explained = await session.explain(plans.asQuery, { signal });
    } catch (err) {
      // Only Spark's own verdict on the text tells: anything else (a cut connection) proves nothing.
      if (!(err instanceof SparkError) || err.errorClass === undefined) throw err;
      if (isParseError(err)) throw uncheckable(version, `it is not one, or does not parse (${err.message})`);
      // It parsed as a subquery, so it is a query: Spark's error about the statement itself
      // (its own line and position) follows.
    }
  }
  try {
    explained ??= await session.explain(plans.plan, { signal });
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

/** The 403 of a statement a Spark that runs commands while analysing cannot check. */
function uncheckable(version: string, why: string): Error {
  return withExtras(
    new Errors.SqlUncheckable(
      `Spark ${version} runs a command while analysing it, before it could be checked, so raw SQL ` +
        `may only be a query here (SELECT, WITH, VALUES, TABLE, FROM), and this statement is not: ${why}; ` +
        'the operator may run Spark 4.1 or newer',
    ),
    { pointer: '/sql' },
  );
}

/**
 * Whether the statement's first word (after comments, nested ones included) starts a query.
 * With the subquery check this also keeps out two-word commands such as `SHOW TABLES`, which
 * Spark would read inside `FROM (…)` as a table and its alias.
 */
export function startsAsQuery(sql: string): boolean {
  let k = 0;
  for (;;) {
    while (k < sql.length && /\s/.test(sql.charAt(k))) k++;
    if (sql.startsWith('--', k)) {
      const end = sql.indexOf('\n', k);
      if (end < 0) return false;
      k = end + 1;
    } else if (sql.startsWith('/*', k)) {
      let depth = 0;
      do {
        if (sql.startsWith('/*', k)) {
          depth++;
          k += 2;
        } else if (sql.startsWith('*/', k)) {
          depth--;
          k += 2;
        } else k++;
      } while (depth > 0 && k < sql.length);
      if (depth > 0) return false;
    } else break;
  }
  return /^(?:\(|(?:SELECT|WITH|VALUES|TABLE|FROM)\b)/i.test(sql.slice(k));
}

/** The statement as the body of a subquery (its trailing semicolons dropped; a last line comment ends). */
export function asSubquery(sql: string): string {
  return `SELECT * FROM (\n${sql.replace(/[\s;]+$/, '')}\n) AS checked_statement`;
}

function isParseError(err: SparkError): boolean {
  return err.errorClass?.startsWith('PARSE_') === true || err.sqlState === '42601';
}

/**
 * Whether Spark analyses a SQL statement without running it. Spark 4.0's Connect server runs a
 * command (DDL, INSERT, a write to a directory) as soon as it plans the SQL, explaining included;
 * 4.1 and 4.2 run it only when the plan is executed.
 */
export function analysesWithoutRunning(sparkVersion: string): boolean {
  const [major, minor] = sparkVersion.split('.').map((part) => Number.parseInt(part, 10));
  if (major === undefined || Number.isNaN(major)) return false;
  return major > 4 || (major === 4 && (minor ?? 0) >= 1);
}
