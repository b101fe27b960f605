/**
 * An execution's progress as Spark reports it (`ExecutePlanResponse.execution_progress`):
 * its stages with tasks done of total and bytes read, kept up to date while the result
 * streams, for whoever opened the result to show.
 */
import type { ExecutePlanResponse_ExecutionProgress } from '../gen/spark/connect/base_pb.js';

export interface StageProgress {
  readonly stageId: number;
  readonly numTasks: number;
  readonly numCompletedTasks: number;
  readonly inputBytesRead: number;
  readonly done: boolean;
  /**
   * The result completed without this stage running: adaptive execution planned it, then
   * reused another stage's output (Spark never reports such a stage done).
   */
  readonly skipped: boolean;
}

/** What a progress bar needs: stages and tasks done of total, bytes read, whether it is over. */
export interface ProgressSnapshot {
  readonly stages: readonly StageProgress[];
  readonly stagesTotal: number;
  readonly stagesDone: number;
  readonly stagesSkipped: number;
  /** Tasks of the stages that ran or may still run (skipped stages left out). */
  readonly tasksTotal: number;
  readonly tasksDone: number;
  readonly tasksRunning: number;
  readonly bytesRead: number;
  /** The result is complete. */
  readonly done: boolean;
}

/**
 * The latest progress of one execution. Spark sends every stage of the operation's jobs in
 * each report, so a report replaces the stages it names; stages seen before stay (a later job's
 * report need not repeat an earlier job's stages).
 */
export class ProgressTracker {
  readonly #stages = new Map<number, StageProgress>();
  #running = 0;
  #done = false;
  readonly #listeners = new Set<() => void>();

  /** Takes in one of Spark's progress reports. */
  report(progress: ExecutePlanResponse_ExecutionProgress): void {
    for (const stage of progress.stages) {
      const stageId = Number(stage.stageId);
      this.#stages.set(stageId, {
        stageId,
        numTasks: Number(stage.numTasks),
        numCompletedTasks: Number(stage.numCompletedTasks),
        inputBytesRead: Number(stage.inputBytesRead),
        done: stage.done,
        skipped: false,
      });
    }
    this.#running = Number(progress.numInflightTasks);
    this.#changed();
  }

  /** The result is complete: a stage Spark has not reported done was skipped. */
  complete(): void {
    for (const [id, stage] of this.#stages) {
      if (!stage.done) this.#stages.set(id, { ...stage, skipped: true });
    }
    this.#running = 0;
    this.#done = true;
    this.#changed();
  }

  /** Calls `listener` after each change; returns the unsubscriber. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): ProgressSnapshot {
    const stages = [...this.#stages.values()].sort((a, b) => a.stageId - b.stageId);
    const counted = stages.filter((s) => !s.skipped);
    return {
      stages,
      stagesTotal: stages.length,
      stagesDone: stages.filter((s) => s.done).length,
      stagesSkipped: stages.length - counted.length,
      tasksTotal: sum(counted, (s) => s.numTasks),
      tasksDone: sum(counted, (s) => s.numCompletedTasks),
      tasksRunning: this.#running,
      bytesRead: sum(stages, (s) => s.inputBytesRead),
      done: this.#done,
    };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function sum(stages: readonly StageProgress[], of: (stage: StageProgress) => number): number {
  return stages.reduce((total, stage) => total + of(stage), 0);
}
