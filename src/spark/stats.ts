/** How an execution ended. */
export type ExecutionOutcome = 'completed' | 'failed' | 'interrupted';

/** Told of each execution that ends, with how long it ran. */
export type ExecutionEndListener = (outcome: ExecutionOutcome, seconds: number) => void;

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
  readonly #listeners = new Set<ExecutionEndListener>();

  /** Starts a new high-water mark from the executions running now. */
  resetPeak(): void {
    this.peakRunning = this.running;
  }

  /** Counts an execution that starts. */
  start(): void {
    this.started++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
  }

  /** Counts an execution that ended, `seconds` after it started. */
  end(outcome: ExecutionOutcome, seconds: number): void {
    this[outcome]++;
    for (const listener of this.#listeners) listener(outcome, seconds);
  }

  /** Calls `listener` as each execution ends (e.g. for a histogram); returns the unsubscriber. */
  onEnd(listener: ExecutionEndListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
