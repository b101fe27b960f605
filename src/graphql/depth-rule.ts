import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { INTROSPECTION_ROOTS, operations, selectionMeasurer } from './selection-walk.js';

/**
 * Refuses operations nested deeper than `maxDepth` fields. Introspection (`__schema`,
 * `__type`) is not counted here: it never reaches Spark, and the introspection rule bounds it
 * by what the standard introspection query needs.
 */
export function depthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    Document: {
      leave(document) {
        const depthOf = selectionMeasurer(document, {
          field: (node, children) => (INTROSPECTION_ROOTS.has(node.name.value) ? 0 : 1 + (children ?? 0)),
          combine: (values) => Math.max(0, ...values),
          cycle: 0,
        });
        for (const operation of operations(document)) {
          const depth = depthOf(operation.selectionSet);
          if (depth > maxDepth) {
            context.reportError(
              new GraphQLError(`${operation.label}’s depth is ${depth}; at most ${maxDepth} is allowed`),
            );
          }
        }
      },
    },
  });
}
