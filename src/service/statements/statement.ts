/**
 * A statement: a query run in the background whose result is kept for a while, read by link
 * in chunks, in parallel and more than once. This is the record every instance reads and the
 * running one writes, stored as JSON next to the result's chunks.
 */
import type { Problem } from '../../errors/catalogue.js';

export const STATEMENT_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'EXPIRED'] as const;
export type StatementState = (typeof STATEMENT_STATES)[number];

/** States a statement never leaves (but for EXPIRED, once its time is up). */
export function isFinal(state: StatementState): boolean {
  return state !== 'PENDING' && state !== 'RUNNING';
}

/** What a progress bar needs. */
export interface StatementProgress {
  readonly stagesDone: number;
  readonly stagesTotal: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly tasksRunning: number;
  readonly bytesRead: number;
  /** Rows of the result kept so far. */
  readonly rows: number;
  readonly elapsedMs: number;
}

export interface ManifestChunk {
  readonly index: number;
  readonly rowOffset: number;
  readonly rowCount: number;
  readonly byteCount: number;
}

/** The result of a statement that SUCCEEDED: its columns, size and chunks. */
export interface Manifest {
  /** Names as JSON and NDJSON rows key them, types as Spark names them. */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly totalRows: number;
  readonly totalBytes: number;
  /** A limit cut the result (`MAX_ROWS`, or the spool's bytes per result). */
  readonly truncated: boolean;
  readonly chunks: readonly ManifestChunk[];
}

/** Where the payloads of one chunk lie in its object of the store: `[bytes, rows]` of each, in order. */
export type ChunkLayout = readonly (readonly [number, number])[];

export interface StatementRecord {
  readonly id: string;
  /** The principal that submitted it: nobody else sees it. */
  readonly owner: string;
  readonly tenant: string;
  readonly state: StatementState;
  /** The instance that runs it (see instance.ts): gone while it runs, the statement is lost. */
  readonly instance?: string | undefined;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly endedAt?: number | undefined;
  readonly expiresAt: number;
  /** The default format of the result's links. */
  readonly format: string;
  readonly progress: StatementProgress;
  readonly manifest?: Manifest | undefined;
  /** Where the payloads of each chunk lie in the store (for readers; not shown to clients). */
  readonly layouts?: readonly ChunkLayout[] | undefined;
  readonly error?: Problem | undefined;
}

export const NO_PROGRESS: StatementProgress = {
  stagesDone: 0,
  stagesTotal: 0,
  tasksDone: 0,
  tasksTotal: 0,
  tasksRunning: 0,
  bytesRead: 0,
  rows: 0,
  elapsedMs: 0,
};
