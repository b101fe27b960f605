/**
 * Names made unique for formats keyed by name. Spark allows duplicates (`SELECT 1 a, 2 a`,
 * joins), but a JSON object with a repeated key loses all but one value in most parsers. The
 * first occurrence keeps its name; each later one gets `_2`, `_3`… (the first suffix that is
 * neither another column's name nor already given), so `a, a, a_2` become `a, a_3, a_2`.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  if (taken.size === names.length) return [...names];
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let k = 2;
    while (taken.has(`${name}_${k}`)) k++;
    const unique = `${name}_${k}`;
    taken.add(unique);
    return unique;
  });
}
