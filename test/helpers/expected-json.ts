import type { ExactValue } from '../../src/arrow/values.js';

/** An exact value as the service writes it in JSON: longs as strings, binary as base64, NaN as text. */
export function jsonValue(value: ExactValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
}

export function jsonRow(row: Record<string, ExactValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]));
}

/** The same value as a CSV field's text: null empty, nested values as their JSON. */
export function csvText(value: ExactValue): string {
  const json = jsonValue(value);
  if (json === null) return '';
  if (typeof json === 'string') return json;
  return JSON.stringify(json);
}
