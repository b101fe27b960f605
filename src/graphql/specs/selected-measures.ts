/** Which measures (and of which columns) a request selects under a typed aggregate field. */
import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import type { Measures } from './typed-groups.js';

/** The measures a request selects under a group field, through fragments too. */
export function selectedMeasures(info: GraphQLResolveInfo): Measures {
  const measures: Record<string, Set<string>> = {};
  const visit = (
    selections: readonly SelectionNode[],
    into: (name: string, sub?: readonly SelectionNode[]) => void,
  ) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) into(s.name.value, s.selectionSet?.selections);
      else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet.selections, into);
      else {
        const fragment = info.fragments[s.name.value];
        if (fragment !== undefined) visit(fragment.selectionSet.selections, into);
      }
    }
  };
  for (const node of info.fieldNodes) {
    visit(node.selectionSet?.selections ?? [], (name, sub) => {
      const set = (measures[name] ??= new Set());
      if (sub !== undefined) visit(sub, (column) => set.add(column));
    });
  }
  return Object.fromEntries(
    Object.entries(measures).map(([k, v]) => [k, [...v].filter((c) => c !== '__typename')]),
  );
}
