/** The refusal of a value that cannot be bound as the type asked for. */

/** A value that cannot be bound as the type asked for; the message says what to fix. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** A value as a refusal message quotes it. */
export function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}
