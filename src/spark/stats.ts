/** Counters of executions, for metrics: monotonic totals plus the number running now. */
export class ExecutionStats {
  started = 0;
  completed = 0;
  failed = 0;
  /** Stopped early by the consumer, an abort or a timeout (the operation was interrupted). */
  interrupted = 0;
  /** Times a result stream was resumed with ReattachExecute. */
  reattached = 0;
  /** Most executions running at once so far. */
  peakRunning = 0;

  /** Starts a new high-water mark from the executions running now. */
  resetPeak(): void {
    this.peakRunning = this.running;
  }

  /** Counts an execution that starts. */
  start(): void {
    this.started++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
  }

  get running(): number {
    return this.started - this.completed - this.failed - this.interrupted;
  }

  snapshot(): Readonly<
    Record<
      'started' | 'completed' | 'failed' | 'interrupted' | 'reattached' | 'running' | 'peakRunning',
      number
    >
  > {
    return {
      started: this.started,
      completed: this.completed,
      failed: this.failed,
      interrupted: this.interrupted,
      reattached: this.reattached,
      running: this.running,
      peakRunning: this.peakRunning,
    };
  }
}
