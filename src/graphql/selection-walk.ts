import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The meta-fields that describe the schema: answered from memory, never by Spark. */
export const INTROSPECTION_ROOTS: ReadonlySet<string> = new Set(['__schema', '__type']);

/**
 * A bottom-up measure of a selection set (its depth, its size), computed once per fragment:
 * a document whose fragments spread each other many times is measured in linear time, and a
 * fragment cycle (refused by GraphQL's own validation) measures as `cycle` instead of looping.
 */
export interface SelectionMeasure {
  /** The measure of one field, given the measure of its selection set (undefined for a leaf). */
  field(node: FieldNode, children: number | undefined): number;
  /** How the measures of the selections of one set combine (sum, max). */
  combine(values: readonly number[]): number;
  readonly cycle: number;
}

/** Measures selection sets of one document, expanding fragment spreads. */
export function selectionMeasurer(
  document: DocumentNode,
  measure: SelectionMeasure,
): (set: SelectionSetNode) => number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const done = new Map<string, number>();
  const visiting = new Set<string>();

  const ofSet = (set: SelectionSetNode): number =>
    measure.combine(
      set.selections.map((selection) => {
        switch (selection.kind) {
          case Kind.FIELD:
            return measure.field(
              selection,
              selection.selectionSet === undefined ? undefined : ofSet(selection.selectionSet),
            );
          case Kind.INLINE_FRAGMENT:
            return ofSet(selection.selectionSet);
          case Kind.FRAGMENT_SPREAD:
            return ofFragment(selection.name.value);
        }
      }),
    );

  const ofFragment = (name: string): number => {
    const known = done.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined) return 0;
    if (visiting.has(name)) return measure.cycle;
    visiting.add(name);
    const value = ofSet(fragment.selectionSet);
    visiting.delete(name);
    done.set(name, value);
    return value;
  };

  return ofSet;
}

/** The operations of a document, each with a label for messages. */
export function operations(document: DocumentNode): { label: string; selectionSet: SelectionSetNode }[] {
  return document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? [
          {
            label: definition.name === undefined ? 'The operation' : `Operation ${definition.name.value}`,
            selectionSet: definition.selectionSet,
          },
        ]
      : [],
  );
}
