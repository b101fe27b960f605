/** Plans of SQL text: statements with bound arguments, as results or as commands, and row caps. */
import { create } from '@bufbuild/protobuf';
import { PlanSchema, type Plan } from '../gen/spark/connect/base_pb.js';
import { RelationSchema, type Relation } from '../gen/spark/connect/relations_pb.js';
import type { TypedValue } from '../query/scalar-types.js';
import { literal, literalExpression } from './literals.js';

export interface SqlArguments {
  /** Bound to `:name` markers. */
  readonly named?: Readonly<Record<string, TypedValue>>;
  /** Bound to `?` markers, in order. */
  readonly positional?: readonly TypedValue[];
}

/**
 * A SQL statement as a relation, its parameters sent as Spark's named or positional
 * arguments: values are never spliced into the text.
 *
 * Positional values travel in `pos_args` (literals) rather than `pos_arguments`: Spark 4.1.0
 * to 4.2.0 bind five or more `pos_arguments` in the wrong order (SPARK-58341).
 */
export function sqlRelation(query: string, args: SqlArguments = {}): Relation {
  const namedArguments = Object.fromEntries(
    Object.entries(args.named ?? {}).map(([name, value]) => [name, literalExpression(value)]),
  );
  const posArgs = (args.positional ?? []).map(literal);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above: the field that binds in order
  return create(RelationSchema, { relType: { case: 'sql', value: { query, namedArguments, posArgs } } });
}

/** A plan whose result is the rows of the relation. */
export function rootPlan(relation: Relation): Plan {
  return create(PlanSchema, { opType: { case: 'root', value: relation } });
}

/**
 * The plan's rows, at most `rows` of them: a root plan under a limit (Spark's limit is an int,
 * so larger caps are clamped). Other plans, and an infinite cap, are returned unchanged.
 */
export function capRows(plan: Plan, rows: number): Plan {
  if (plan.opType.case !== 'root' || !Number.isFinite(rows)) return plan;
  return create(PlanSchema, {
    opType: {
      case: 'root',
      value: {
        relType: { case: 'limit', value: { input: plan.opType.value, limit: Math.min(rows, 2 ** 31 - 1) } },
      },
    },
  });
}
