/** Statements' metrics: those this instance runs, how they ended, and chunks read. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StatementCounts, StatementOutcome } from './metric-shapes.js';

const OUTCOMES: readonly StatementOutcome[] = ['succeeded', 'failed', 'canceled', 'expired', 'lost'];

/** Registers the statements' gauge and counters, read from `statements` at scrape time. */
export function statementMetrics(
  prefix: string,
  registers: Registry[],
  statements: () => StatementCounts,
): void {
  new Gauge({
    name: `${prefix}statements`,
    help: 'Statements this instance runs now, by state (PENDING, RUNNING).',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = statements();
      this.set({ state: 'PENDING' }, counts.pending);
      this.set({ state: 'RUNNING' }, counts.running);
    },
  });
  new Counter({
    name: `${prefix}statements_total`,
    help: 'Statements that ended on this instance, by outcome (succeeded, failed, canceled, expired while running, lost: its instance found gone).',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const { outcomes } = statements();
      for (const outcome of OUTCOMES) this.inc({ outcome }, outcomes[outcome]);
    },
  });
  new Counter({
    name: `${prefix}statement_chunk_reads_total`,
    help: "Chunks of statements' results read from the spool's store.",
    registers,
    collect() {
      this.reset();
      this.inc(statements().chunkReads);
    },
  });
}
