import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { schemaCheck } from '../config/file-schema.js';
import { DatasetsFile } from './definition.js';

/** A datasets file that cannot be used; the message points at the file, line and column. */
export class DatasetsFileError extends Error {
  override readonly name = 'DatasetsFileError';
}

const check = schemaCheck(DatasetsFile);

/** Reads and checks a datasets file (YAML, or JSON, which YAML reads too). */
export function loadDatasetsFile(path: string): DatasetsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DatasetsFileError(`cannot read datasets file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseDatasetsFile(text, path);
}

export function parseDatasetsFile(text: string, path = 'datasets'): DatasetsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return path;
    const { line, col } = lines.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  const [syntax] = doc.errors;
  if (syntax !== undefined)
    throw new DatasetsFileError(`${at(syntax.pos[0])}: ${syntax.message.split('\n')[0] ?? ''}`);

  const data: unknown = doc.toJS();
  const problem = check(data);
  if (problem !== undefined)
    throw new DatasetsFileError(`${at(offsetOf(doc, problem.path))}: ${problem.text}`);
  const file = data as DatasetsFile;
  for (const [name, dataset] of Object.entries(file.datasets)) {
    const fail = (key: string, message: string) => {
      throw new DatasetsFileError(
        `${at(offsetOf(doc, ['datasets', name, key]))}: dataset ${name}: ${message}`,
      );
    };
    if ((dataset.table === undefined) === (dataset.sql === undefined))
      fail('description', 'give exactly one of "table" or "sql"');
    if ((dataset.maxLimit ?? Infinity) < (dataset.defaultLimit ?? 0))
      fail('defaultLimit', 'defaultLimit is above maxLimit');
    const declared = Object.keys(dataset.parameters ?? {});
    if (dataset.table !== undefined && declared.length > 0)
      fail('parameters', 'only SQL datasets take parameters');
    if (dataset.sql !== undefined) {
      const used = sqlParameters(dataset.sql);
      for (const p of used)
        if (!declared.includes(p)) fail('sql', `the SQL uses :${p}, which is not declared under parameters`);
      for (const p of declared)
        if (!used.has(p)) fail('parameters', `parameter ${p} is declared but the SQL never uses :${p}`);
    }
    for (const [param, def] of Object.entries(dataset.parameters ?? {})) {
      if (def.default !== undefined && def.allowed !== undefined && !def.allowed.includes(def.default)) {
        throw new DatasetsFileError(
          `${at(offsetOf(doc, ['datasets', name, 'parameters', param, 'default']))}: dataset ${name}: the default of ${param} is not among its allowed values`,
        );
      }
    }
  }
  return file;
}

/** `:name` markers of a SQL text, outside quotes and comments, not `::` casts. */
export function sqlParameters(sql: string): Set<string> {
  const bare = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, ' ');
  return new Set([...bare.matchAll(/(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''));
}

/** Where a path starts in the file: its value node, or the nearest parent that exists. */
function offsetOf(doc: Document, path: readonly string[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range !== undefined) return node.range[0];
  }
  return undefined;
}
