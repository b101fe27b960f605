/** What runs a statement: a dataset query, validated and compiled when it is submitted, or raw SQL. */
import type { FastifyRequest } from 'fastify';
import { requireScope } from '../auth/access.js';
import type { Config } from '../config.js';
import { Errors, withExtras } from '../errors/catalogue.js';
import type { QuerySpec } from '../query/spec.js';
import type { QueryService } from '../service/query-service.js';
import type { StatementOpener } from '../service/statements/running.js';
import { tag } from './routes/datasets.js';
import { sqlArguments } from './routes/sql.js';
import type { SqlRequest } from './schemas.js';
import type { StatementRequest } from './statement-schemas.js';

/** What runs the statement: a dataset query validated and compiled now, or raw SQL. */
export async function opener(
  request: FastifyRequest,
  body: StatementRequest,
  queries: QueryService,
  config: Config,
): Promise<StatementOpener> {
  const { principal } = request;
  const tags = [tag(request.id)];
  const maxRows = config.limits.maxRows;
  if ((body.dataset === undefined) === (body.sql === undefined)) {
    throw withExtras(new Errors.RequestInvalid('give "dataset" (with a query) or "sql", one of them'), {
      pointer: '',
      allowed: ['dataset', 'sql'],
    });
  }
  if (body.sql !== undefined) {
    if (!config.rawSql) throw new Errors.SqlDisabled();
    if (principal !== undefined) requireScope(principal, 'sql:execute');
    if (body.query !== undefined) throw invalid('"query" goes with "dataset", not with "sql"', '/query');
    const args = sqlArguments(body as SqlRequest);
    const sql = body.sql;
    return (signal, progress) => queries.openSql(sql, args, { signal, maxRows, tags, principal, progress });
  }
  if (body.positional !== undefined)
    throw invalid('"positional" goes with "sql", not with "dataset"', '/positional');
  const params = body.params as QuerySpec['params'];
  const spec = { ...body.query, ...(params === undefined ? {} : { params }) } as QuerySpec;
  const signal = AbortSignal.timeout(config.limits.queryTimeoutMs);
  const plan = await queries.compileDataset(body.dataset ?? '', spec, signal, maxRows, principal);
  return (signal, progress) => queries.openPlan(plan, { signal, principal, tags, progress });
}

function invalid(message: string, pointer: string) {
  return withExtras(new Errors.RequestInvalid(message), { pointer });
}
