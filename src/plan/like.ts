import type { Expression } from '../gen/spark/connect/expressions_pb.js';
import { likeWildcards } from '../query/like-pattern.js';
import { call, value } from './expressions.js';

/**
 * `target LIKE pattern` (or ILIKE) with exactly Spark's answer, in time proportional to the
 * length of the value (times that of the pattern).
 *
 * Spark matches `S0%S1%…%Sk` (each Si literal characters and `_`) as the Java regular expression
 * `S0.*S1.*….*Sk`, which backtracks over every way of placing the segments: with a few `%`, one
 * long value takes minutes, and a regular expression never checks for interruption. A value
 * matches iff S0 is a prefix, Sk a suffix after it, and S1…S(k-1) occur in order in between, and
 * the earliest place for each middle segment is always as good as any later one. So the pattern
 * becomes `\A(?>S0)(?>.*?S1)…(?>.*?Sk\z)` for Spark's `rlike` (which uses `find`, hence the
 * anchors): each atomic group takes its segment's first occurrence and is never tried again.
 *
 * Patterns with at most one `%`, and `%text%`, stay Spark's own: their regular expression has one
 * `.*` (or none: Spark's LikeSimplification makes them prefix, suffix or substring tests). Except
 * a pattern holding a character beyond U+FFFF (an emoji, say): Spark 4.0's LIKE never matches
 * one, while its `rlike` with the text quoted whole does, so such patterns take the rewrite on
 * every release.
 *
 * The rewrite is an expression of the pattern literal, which Spark folds into one literal before
 * `rlike` compiles it once. ILIKE is `lower(target) LIKE lower(pattern)` in Spark; the rewrite
 * applies to Spark's `lower` of the whole pattern, as lowering pieces apart would not be the same
 * (a final sigma's form depends on what follows it, across a `_` with the JVM's case mappings).
 */
export function likeCondition(op: 'like' | 'ilike', target: Expression, pattern: string): Expression {
  const spark = !BEYOND_BMP.test(pattern) && (likeWildcards(pattern).any <= 1 || SUBSTRING.test(pattern));
  if (spark) return call(op, [target, text(pattern)]);
  if (op === 'like') return call('rlike', [target, atomicRegex(text(pattern))]);
  return call('rlike', [call('lower', [target]), atomicRegex(call('lower', [text(pattern)]))]);
}

const BEYOND_BMP = /[\u{10000}-\u{10FFFF}]/u;

/** The patterns Spark's LikeSimplification turns into a substring test (no escape, no `_`). */
const SUBSTRING = /^%[^%_\\]+%$/;

/**
 * Pattern text → regular expression, one replacement after another. Literal text stays inside
 * `\Q…\E`: escape pairs first (left to right, as Spark reads them, so `\\%` is a backslash and a
 * wildcard), to forms without `%`, `_` or a `\` before them; then the wildcards. After the escape
 * pairs no backslash of the pattern is left, so no `\E` can end a quotation early.
 */
const REWRITES: readonly (readonly [string, string])[] = [
  [String.raw`\\`, String.raw`\E\\\Q`],
  [String.raw`\%`, String.raw`\E\x{25}\Q`],
  [String.raw`\_`, String.raw`\E\x{5F}\Q`],
  ['%', String.raw`\E)(?>.*?\Q`],
  ['_', String.raw`\E.\Q`],
];

function atomicRegex(pattern: Expression): Expression {
  let regex = pattern;
  for (const [from, to] of REWRITES) regex = call('replace', [regex, text(from), text(to)]);
  // (?s): `.` matches line terminators too, as in Spark's LIKE; \z is the very end (\Z or $ is not).
  return call('concat', [text(String.raw`(?s)\A(?>\Q`), regex, text(String.raw`\E\z)`)]);
}

function text(s: string): Expression {
  return value({ type: 'string', value: s });
}
