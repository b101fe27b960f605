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
}

/**
 * What a progress bar needs: stages and tasks done of total, bytes read, whether it is over.
 * `stages` are as Spark last reported them. Once the result is complete no work is left, so
 * the totals say all done: Spark does not report its last moments (reports come every
 * `spark.connect.progress.reportInterval`), and stages adaptive execution planned but skipped
 * never report done.
 */
export interface ProgressSnapshot {
  readonly stages: readonly StageProgress[];
  readonly stagesTotal: number;
  readonly stagesDone: number;
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
      });
    }
    this.#running = Number(progress.numInflightTasks);
    this.#changed();
  }

  /** The result is complete. */
  complete(): void {
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
    const done = this.#done;
    const tasksTotal = sum(stages, (s) => s.numTasks);
    return {
      stages,
      stagesTotal: stages.length,
      stagesDone: done ? stages.length : stages.filter((s) => s.done).length,
      tasksTotal,
      tasksDone: done ? tasksTotal : sum(stages, (s) => s.numCompletedTasks),
      tasksRunning: this.#running,
      bytesRead: sum(stages, (s) => s.inputBytesRead),
      done,
    };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function sum(stages: readonly StageProgress[], of: (stage: StageProgress) => number): number {
  return stages.reduce((total, stage) => total + of(stage), 0);
}
