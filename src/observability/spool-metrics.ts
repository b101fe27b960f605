/** The result spool's metrics: what it holds, and when it fell back to holding Spark instead. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SpoolCounts } from './metric-shapes.js';

/** Registers the spool's gauges and counters, read from `spool` at scrape time. */
export function spoolMetrics(prefix: string, registers: Registry[], spool: () => SpoolCounts): void {
  new Gauge({
    name: `${prefix}spool_bytes`,
    help: "Bytes of Spark's results held in the spool, by where (memory, disk).",
    labelNames: ['where'],
    registers,
    collect() {
      const counts = spool();
      this.set({ where: 'memory' }, counts.memoryBytes);
      this.set({ where: 'disk' }, counts.diskBytes);
    },
  });
  new Gauge({
    name: `${prefix}spool_results`,
    help: 'Results held in the spool.',
    registers,
    collect() {
      this.set(spool().results);
    },
  });
  new Counter({
    name: `${prefix}spool_backpressure_total`,
    help: "Times the spool was full and Spark was held until a reader made room, by reason (result: the result's cap, total: the spool's).",
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const { fallbacks } = spool();
      this.inc({ reason: 'result' }, fallbacks.result);
      this.inc({ reason: 'total' }, fallbacks.total);
    },
  });
  new Counter({
    name: `${prefix}spool_disk_errors_total`,
    help: 'Writes, reads or deletions of spool files that failed.',
    registers,
    collect() {
      this.reset();
      this.inc(spool().diskErrors);
    },
  });
  new Counter({
    name: `${prefix}spool_written_bytes_total`,
    help: 'Bytes of results written to spool files, as their readers fell behind.',
    registers,
    collect() {
      this.reset();
      this.inc(spool().writtenBytes);
    },
  });
}
