/**
 * A LIKE pattern read as Spark reads it (escape character `\`): `%` is any run of characters,
 * `_` any one character, `\%`, `\_` and `\\` are those characters themselves. Spark refuses a
 * `\` before anything else or at the end (StringUtils.escapeLikeRegex).
 */
export interface LikeWildcards {
  /** Unescaped `%`. */
  readonly any: number;
  /** Unescaped `_`. */
  readonly one: number;
}

/** A pattern Spark would refuse; the message says what to write instead. */
export class LikePatternError extends Error {
  override readonly name = 'LikePatternError';
}

/** The wildcards of a pattern, or a {@link LikePatternError} for an escape Spark refuses. */
export function likeWildcards(pattern: string): LikeWildcards {
  let any = 0;
  let one = 0;
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k];
    if (c === '%') any++;
    else if (c === '_') one++;
    else if (c === '\\') {
      const next = pattern.codePointAt(++k);
      if (next === undefined) {
        throw new LikePatternError(
          'the pattern ends with the escape character \\; write \\\\ for a backslash',
        );
      }
      if (next !== 0x25 && next !== 0x5f && next !== 0x5c) {
        throw new LikePatternError(
          `the escape character \\ at character ${k} comes before ${JSON.stringify(String.fromCodePoint(next))}; ` +
            'only %, _ and \\ can be escaped (write \\\\ for a backslash)',
        );
      }
    }
  }
  return { any, one };
}
