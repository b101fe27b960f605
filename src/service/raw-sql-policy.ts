/** What the operator lets raw SQL (`POST /v1/sql`) do beyond querying what the session knows. */
export interface RawSqlPolicy {
  /** Read files by path, point tables at files, add files, write directories. */
  readonly allowFiles: boolean;
  /** Call Java by reflection, run programs (TRANSFORM), load classes (CREATE FUNCTION, ADD JAR). */
  readonly allowReflection: boolean;
}

/** Why a statement is refused: what it does, and which of the operator's settings allows it. */
export interface Refusal {
  readonly reason: string;
  readonly setting: 'RAW_SQL_ALLOW_FILES' | 'RAW_SQL_ALLOW_REFLECTION' | undefined;
}

/**
 * Settings of the session a checked statement runs on: no SQL scripts (Spark runs a script
 * while analysing it, before it could be checked), and no `format.\`path\`` reads unless allowed.
 */
export function checkedSessionConfigs(policy: RawSqlPolicy): Record<string, string> {
  return {
    'spark.sql.scripting.enabled': 'false',
    ...(policy.allowFiles ? {} : { 'spark.sql.runSQLOnFiles': 'false' }),
  };
}

/** Whether the statement must be checked at all. */
export function needsChecks(policy: RawSqlPolicy): boolean {
  return !(policy.allowFiles && policy.allowReflection);
}

/**
 * Refusals decided from the text alone. `EXECUTE IMMEDIATE` builds its statement at run time,
 * and Spark runs a command it builds while analysing, before the plan could be checked.
 */
export function textRefusal(sql: string): Refusal | undefined {
  const withoutComments = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
  const immediate = /\bEXECUTE\s+IMMEDIATE\b/i;
  if (immediate.test(sql) || immediate.test(withoutComments)) {
    return { reason: 'uses EXECUTE IMMEDIATE; send the statement itself', setting: undefined };
  }
  return undefined;
}

type Rule = readonly [RegExp, string];

/** What in Spark's analysed plan reads or writes files outside the catalog's own tables. */
const FILE_RULES: readonly Rule[] = [
  // A relation without a table name in front of its columns is a path-based one.
  [/\bRelation \[/, 'reads files by path'],
  [/\bCreateTempViewUsing\b/, 'makes a view of a data source'],
  [
    /\b(?:CreateDataSourceTable|CreateTable|ReplaceTable|CreateHiveTable)\w*/,
    'creates a table, which may point at files',
  ],
  [/\bLoadData\w*/, 'loads files into a table'],
  [/\bInsertInto\w*Dir\w*/, 'writes files to a directory'],
  [/\b(?:AddFiles|AddArchives)\w*/, 'adds files to the session'],
  [/\w*(?:SetLocation|SetTableLocation|AddPartition)\w*/, 'points a table at a location'],
];

/** What runs code of the caller's choosing on Spark's hosts. */
const REFLECTION_RULES: readonly Rule[] = [
  [/\b(?:reflect|java_method|try_reflect)\(/i, 'calls Java methods by reflection'],
  [/\bCallMethodViaReflection\b/, 'calls Java methods by reflection'],
  [/\bScriptTransformation\b/, 'runs a program (TRANSFORM … USING)'],
  [/\bCreateFunction\w*/, 'creates a function from a class'],
  [/\bAddJars\w*/, 'loads a JAR'],
];

/**
 * Refusals decided from Spark's explanation of the statement (`explain(extended=True)`): the
 * analysed plan names every relation and function the statement reaches, views included.
 */
export function planRefusal(explained: string, policy: RawSqlPolicy): Refusal | undefined {
  const check = (rules: readonly Rule[], setting: Refusal['setting']) => {
    const hit = rules.find(([pattern]) => pattern.test(explained));
    return hit === undefined ? undefined : { reason: hit[1], setting };
  };
  return (
    (policy.allowFiles ? undefined : check(FILE_RULES, 'RAW_SQL_ALLOW_FILES')) ??
    (policy.allowReflection ? undefined : check(REFLECTION_RULES, 'RAW_SQL_ALLOW_REFLECTION'))
  );
}

/**
 * With `spark.sql.runSQLOnFiles` off, Spark reports a path read such as ``text.`/etc/hosts` ``
 * as a table it cannot find; a relation name whose last part is a path is one.
 */
export function pathReadRefusal(
  errorClass: string | undefined,
  relationName: string | undefined,
): Refusal | undefined {
  if (errorClass === undefined || !errorClass.startsWith('TABLE_OR_VIEW_NOT_FOUND')) return undefined;
  if (relationName === undefined || !/^`[^`]+`\.`[^`]*[/\\][^`]*`$/.test(relationName)) return undefined;
  return { reason: 'reads files by path', setting: 'RAW_SQL_ALLOW_FILES' };
}
