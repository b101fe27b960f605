/** The compiler of validated dataset queries to Spark Connect plans. */
import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import { PlanSchema, type Plan } from '../gen/spark/connect/base_pb.js';
import type { Expression } from '../gen/spark/connect/expressions_pb.js';
import { Aggregate_GroupType, RelationSchema, type Relation } from '../gen/spark/connect/relations_pb.js';
import type { AggregateColumn, Condition, GroupColumn, ValidatedQuery } from '../query/validated-query.js';
import { alias, call, column, sortOrder, star, value } from './expressions.js';
import { likeCondition } from './like.js';
import type { TypedValue } from '../query/scalar-types.js';
import { literalExpression } from './literals.js';
import { timeBucket } from './time-bucket.js';

/** Where a dataset's rows come from: a table or view, or a SQL template with `:name` parameters. */
export type DatasetSource =
  { readonly kind: 'table'; readonly table: string } | { readonly kind: 'sql'; readonly sql: string };

/** A dataset's source relation, built once; each request only binds its parameter values. */
export interface SourceTemplate {
  readonly relation: Relation;
}

export function sourceTemplate(source: DatasetSource): SourceTemplate {
  const relation =
    source.kind === 'table'
      ? create(RelationSchema, {
          relType: {
            case: 'read',
            value: { readType: { case: 'namedTable', value: { unparsedIdentifier: source.table } } },
          },
        })
      : create(RelationSchema, { relType: { case: 'sql', value: { query: source.sql } } });
  return { relation };
}

/** Plan ids for the relations of one compiled plan. */
class PlanIds {
  #next = 0n;
  take(): bigint {
    return this.#next++;
  }
}

/**
 * A validated query as a Spark Connect plan: read → filter → (aggregate → having | project) →
 * sort → offset → limit. Pure: the same query compiles to the same plan. Values travel as
 * typed literals and parameters as SQL named arguments; nothing is spliced into SQL text.
 */
export function compilePlan(query: ValidatedQuery, source: SourceTemplate): Plan {
  const ids = new PlanIds();
  let relation = bind(source, query.params, ids);
  if (query.where !== undefined) relation = filter(relation, condition(query.where), ids);

  if (query.groupBy !== undefined || query.aggregates !== undefined) {
    relation = node(ids, {
      case: 'aggregate',
      value: {
        input: relation,
        groupType: Aggregate_GroupType.GROUPBY,
        groupingExpressions: (query.groupBy ?? []).map(groupExpression),
        aggregateExpressions: (query.aggregates ?? []).map(aggregateExpression),
      },
    });
    if (query.having !== undefined) relation = filter(relation, condition(query.having), ids);
  } else if (query.select !== undefined) {
    relation = node(ids, {
      case: 'project',
      value: {
        input: relation,
        expressions: query.select.map((s) =>
          s.as === s.column ? column(s.column) : alias(column(s.column), s.as),
        ),
      },
    });
  }

  if (query.orderBy !== undefined) {
    relation = node(ids, {
      case: 'sort',
      value: {
        input: relation,
        order: query.orderBy.map((o) => sortOrder(column(o.column), o.direction, o.nulls)),
        isGlobal: true,
      },
    });
  }
  if (query.offset > 0)
    relation = node(ids, { case: 'offset', value: { input: relation, offset: query.offset } });
  relation = node(ids, { case: 'limit', value: { input: relation, limit: query.limit } });
  return create(PlanSchema, { opType: { case: 'root', value: relation } });
}

function bind(source: SourceTemplate, params: Readonly<Record<string, TypedValue>>, ids: PlanIds): Relation {
  const relation = clone(RelationSchema, source.relation);
  relation.common = { $typeName: 'spark.connect.RelationCommon', sourceInfo: '', planId: ids.take() };
  if (relation.relType.case === 'sql') {
    const namedArguments: Record<string, Expression> = {};
    for (const [name, typed] of Object.entries(params)) namedArguments[name] = literalExpression(typed);
    relation.relType.value.namedArguments = namedArguments;
  }
  return relation;
}

function node(
  ids: PlanIds,
  relType: NonNullable<MessageInitShape<typeof RelationSchema>['relType']>,
): Relation {
  return create(RelationSchema, { common: { planId: ids.take() }, relType });
}

function filter(input: Relation, conditionExpr: Expression, ids: PlanIds): Relation {
  return node(ids, { case: 'filter', value: { input, condition: conditionExpr } });
}

const COMPARISONS = { eq: '==', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function condition(c: Condition): Expression {
  switch (c.op) {
    case 'and':
    case 'or':
      return c.conditions.map(condition).reduce((left, right) => call(c.op, [left, right]));
    case 'not':
      return call('not', [condition(c.condition)]);
    case 'eq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return call(COMPARISONS[c.op], [column(c.column), value(c.value)]);
    case 'ne':
      return call('not', [call('==', [column(c.column), value(c.value)])]);
    case 'in':
      return call('in', [column(c.column), ...c.values.map(value)]);
    case 'not_in':
      return call('not', [call('in', [column(c.column), ...c.values.map(value)])]);
    case 'between':
      return call('and', [
        call('>=', [column(c.column), value(c.from)]),
        call('<=', [column(c.column), value(c.to)]),
      ]);
    case 'like':
    case 'ilike':
      return likeCondition(c.op, column(c.column), c.pattern);
    case 'is_null':
      return call('isnull', [column(c.column)]);
    case 'not_null':
      return call('isnotnull', [column(c.column)]);
  }
}

/** A group column, or the start of its time bucket (see `timeBucket`). */
function groupExpression(g: GroupColumn): Expression {
  if (g.bucket === undefined || (g.date === true && g.bucket === 'day')) {
    return g.as === g.column ? column(g.column) : alias(column(g.column), g.as);
  }
  const type = g.date === true ? 'date' : g.local === true ? 'timestamp_ntz' : 'timestamp';
  return alias(timeBucket(column(g.column), g.bucket, type, g.timeZone), g.as);
}

function aggregateExpression(a: AggregateColumn): Expression {
  const target = a.column === undefined ? star() : column(a.column);
  switch (a.fn) {
    case 'count':
      return alias(call('count', [target]), a.as);
    case 'count_distinct':
      return alias(call('count', [target], true), a.as);
    case 'approx_percentile':
      return alias(
        call('percentile_approx', [target, value({ type: 'double', value: a.percentile ?? 0.5 })]),
        a.as,
      );
    default:
      return alias(call(a.fn, [target]), a.as);
  }
}
