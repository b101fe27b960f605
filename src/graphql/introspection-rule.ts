/** How much introspection a GraphQL document may ask for, measured against its schema. */
import {
  GraphQLError,
  getIntrospectionQuery,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { INTROSPECTION_ROOTS, operations, selectionMeasurer } from './selection-walk.js';

/**
 * The introspection query graphql-js recommends, with every option on: what GraphiQL,
 * graphql-codegen and other tools send is this query or a part of it.
 */
const STANDARD = parse(
  getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  }),
);

/** How many times the standard query's estimated size an introspection document may ask for. */
const SIZE_FACTOR = 2;

interface Budget {
  /** The longest list each introspection list field can return in this schema. */
  readonly lengths: ReadonlyMap<string, number>;
  readonly maxSize: number;
  readonly maxDepth: number;
}

/**
 * Bounds introspection (`__schema`, `__type`) by what the standard introspection query needs
 * on this schema, since the depth and complexity limits leave it out. Its size is estimated as
 * an upper bound of the values in the answer: every list (types, fields, arguments…) counted
 * at its longest in this schema. A document may be as deep as the standard query and ask for
 * up to twice its size, so tools work while nesting (`fields { type { fields … } }`), long
 * `ofType` chains and many aliased copies are refused before anything runs. The GraphQL plugin
 * holds one, which keeps the budgets of the schemas it serves for as long as they are in use.
 */
export class IntrospectionLimit {
  /** The budget of each schema documents are validated against, worked out once per schema. */
  readonly #budgets = new WeakMap<GraphQLSchema, Budget>();

  /** The validation rule, measuring against the budget of the document's schema. */
  readonly rule: ValidationRule = (context: ValidationContext) => ({
    Document: {
      leave: (document) => {
        const budget = this.#budgetOf(context.getSchema());
        const { size, depth } = measure(document, budget.lengths);
        for (const operation of operations(document)) {
          const found = { size: size(operation.selectionSet), depth: depth(operation.selectionSet) };
          if (found.depth > budget.maxDepth) {
            context.reportError(
              new GraphQLError(
                `${operation.label}’s introspection depth is ${found.depth}; at most ${budget.maxDepth} is allowed`,
              ),
            );
          }
          if (found.size > budget.maxSize) {
            context.reportError(
              new GraphQLError(
                `${operation.label} asks for up to ${String(found.size)} introspection values; ` +
                  `at most ${budget.maxSize} (twice the standard introspection query) are allowed`,
              ),
            );
          }
        }
      },
    },
  });

  #budgetOf(schema: GraphQLSchema): Budget {
    let budget = this.#budgets.get(schema);
    if (budget === undefined) {
      budget = budgetOf(schema);
      this.#budgets.set(schema, budget);
    }
    return budget;
  }
}

/** Measures of the introspection parts of a document: total size, deepest depth. */
function measure(document: DocumentNode, lengths: ReadonlyMap<string, number>) {
  const inner = {
    size: selectionMeasurer(document, {
      field: (node, children) => (lengths.get(node.name.value) ?? 1) * (1 + (children ?? 0)),
      combine: (values) => values.reduce((a, b) => a + b, 0),
      cycle: Infinity,
    }),
    depth: selectionMeasurer(document, {
      field: (_node, children) => 1 + (children ?? 0),
      combine: (values) => Math.max(0, ...values),
      cycle: Infinity,
    }),
  };
  const roots = (kind: 'size' | 'depth') =>
    selectionMeasurer(document, {
      field: (node, children) =>
        INTROSPECTION_ROOTS.has(node.name.value) && node.selectionSet !== undefined
          ? 1 + inner[kind](node.selectionSet)
          : (children ?? 0),
      combine:
        kind === 'size' ? (values) => values.reduce((a, b) => a + b, 0) : (values) => Math.max(0, ...values),
      cycle: 0,
    });
  return { size: roots('size'), depth: roots('depth') };
}

/** What the standard introspection query needs on the schema, and the bounds that follow from it. */
function budgetOf(schema: GraphQLSchema): Budget {
  const lengths = listLengths(schema);
  const standard = measure(STANDARD, lengths);
  const [operation] = operations(STANDARD);
  const set = operation?.selectionSet;
  return {
    lengths,
    maxSize: set === undefined ? 0 : SIZE_FACTOR * standard.size(set),
    maxDepth: set === undefined ? 0 : standard.depth(set),
  };
}

/** The longest list each introspection list field returns in this schema (at least 1). */
function listLengths(schema: GraphQLSchema): Map<string, number> {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const longest = (counts: number[]) => Math.max(1, ...counts);
  const fieldful = types.filter((t) => isObjectType(t) || isInterfaceType(t));
  return new Map([
    ['types', longest([types.length])],
    ['directives', longest([directives.length])],
    ['fields', longest(fieldful.map((t) => Object.keys(t.getFields()).length))],
    ['interfaces', longest(fieldful.map((t) => t.getInterfaces().length))],
    ['possibleTypes', longest(types.filter(isAbstractType).map((t) => schema.getPossibleTypes(t).length))],
    ['enumValues', longest(types.filter(isEnumType).map((t) => t.getValues().length))],
    ['inputFields', longest(types.filter(isInputObjectType).map((t) => Object.keys(t.getFields()).length))],
    [
      'args',
      longest([
        ...fieldful.flatMap((t) => Object.values(t.getFields()).map((f) => f.args.length)),
        ...directives.map((d) => d.args.length),
      ]),
    ],
    ['locations', longest(directives.map((d) => d.locations.length))],
  ]);
}
