/** Counters of executions, for metrics: monotonic totals plus the number running now. */
export class ExecutionStats {
  started = 0;
  completed = 0;
  failed = 0;
  /** Stopped early by the consumer, an abort or a timeout (the operation was interrupted). */
  interrupted = 0;
  /** Times a result stream was resumed with ReattachExecute. */
  reattached = 0;

  get running(): number {
    return this.started - this.completed - this.failed - this.interrupted;
  }

  snapshot(): Readonly<
    Record<'started' | 'completed' | 'failed' | 'interrupted' | 'reattached' | 'running', number>
  > {
    return {
      started: this.started,
      completed: this.completed,
      failed: this.failed,
      interrupted: this.interrupted,
      reattached: this.reattached,
      running: this.running,
    };
  }
}
