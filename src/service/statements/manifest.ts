/** The manifest of a kept result: its columns as the service names them, its size and chunks. */
import type { Schema } from 'apache-arrow';
import { arrowSchemaFields } from '../../arrow/spark-types.js';
import { uniqueNames } from '../../encode/column-names.js';
import type { Manifest, ManifestChunk } from './statement.js';
import type { SourceChunk } from './result-source.js';

/** The columns of a result: names as JSON and NDJSON rows key them, types as Spark names them. */
export function resultColumns(schema: Schema): Manifest['columns'] {
  const fields = arrowSchemaFields(schema);
  const names = uniqueNames(fields.map((f) => f.name));
  return fields.map((f, c) => ({ name: names[c] ?? f.name, type: f.type }));
}

/**
 * The manifest of a complete result. Spark is asked for one row more than `maxRows`, to know
 * whether the limit cuts: that row is left out of the chunks' counts (and of every read).
 */
export function manifestOf(
  schema: Schema,
  chunks: readonly SourceChunk[],
  kept: { readonly truncated: boolean },
  maxRows: number,
): Manifest {
  const listed: ManifestChunk[] = [];
  let rows = 0;
  let bytes = 0;
  let cut = false;
  for (const chunk of chunks) {
    const rowCount = Math.min(chunk.rowCount, maxRows - chunk.rowOffset);
    if (rowCount < chunk.rowCount) cut = true;
    if (rowCount <= 0 && chunk.rowCount > 0) continue;
    listed.push({ index: chunk.index, rowOffset: chunk.rowOffset, rowCount, byteCount: chunk.byteCount });
    rows += rowCount;
    bytes += chunk.byteCount;
  }
  return {
    columns: resultColumns(schema),
    totalRows: rows,
    totalBytes: bytes,
    truncated: kept.truncated || cut,
    chunks: listed,
  };
}
