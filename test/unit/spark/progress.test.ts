import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { ExecutePlanResponse_ExecutionProgressSchema } from '../../../src/gen/spark/connect/base_pb.js';
import { ProgressTracker } from '../../../src/spark/progress.js';

function report(stages: [id: number, tasks: number, completed: number, done: boolean][], inflight: number) {
  return create(ExecutePlanResponse_ExecutionProgressSchema, {
    stages: stages.map(([stageId, numTasks, numCompletedTasks, done]) => ({
      stageId: BigInt(stageId),
      numTasks: BigInt(numTasks),
      numCompletedTasks: BigInt(numCompletedTasks),
      inputBytesRead: 100n,
      done,
    })),
    numInflightTasks: BigInt(inflight),
  });
}

describe('ProgressTracker', () => {
  it('keeps the latest report of each stage and sums tasks and bytes', () => {
    const progress = new ProgressTracker();
    let changes = 0;
    progress.onChange(() => changes++);
    progress.report(report([[1, 4, 2, false]], 2));
    progress.report(
      report(
        [
          [1, 4, 4, true],
          [2, 8, 1, false],
        ],
        3,
      ),
    );
    const snapshot = progress.snapshot();
    assert.equal(changes, 2);
    assert.deepEqual(
      [
        snapshot.stagesDone,
        snapshot.stagesTotal,
        snapshot.tasksDone,
        snapshot.tasksTotal,
        snapshot.tasksRunning,
      ],
      [1, 2, 5, 12, 3],
    );
    assert.equal(snapshot.bytesRead, 200);
    assert.equal(snapshot.done, false);
  });

  it('says all done once the result is complete, keeping the stages as Spark reported them', () => {
    const progress = new ProgressTracker();
    progress.report(
      report(
        [
          [1, 4, 4, true],
          [2, 8, 3, false],
        ],
        2,
      ),
    );
    progress.complete();
    const snapshot = progress.snapshot();
    assert.deepEqual(
      [snapshot.done, snapshot.stagesDone, snapshot.stagesTotal, snapshot.tasksDone, snapshot.tasksTotal],
      [true, 2, 2, 12, 12],
    );
    assert.equal(snapshot.tasksRunning, 0);
    assert.deepEqual(snapshot.stages[1], {
      stageId: 2,
      numTasks: 8,
      numCompletedTasks: 3,
      inputBytesRead: 100,
      done: false,
    });
  });
});
