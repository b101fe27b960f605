import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import { SparkConnectService, type ExecutePlanResponse, type Plan } from '../gen/spark/connect/base_pb.js';
import { SparkError } from './errors.js';
import type { SparkSession } from './session.js';
import { withDeadline } from './session.js';

export interface RetryPolicy {
  /** Reattach attempts in a row without progress before giving up. */
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 10,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
};

export interface ExecuteOptions {
  /** Aborting cancels the stream, interrupts the operation on the server and releases it. */
  readonly signal?: AbortSignal | undefined;
  /** Tags for `interruptTag`. Non-empty, without ','. */
  readonly tags?: readonly string[] | undefined;
  /** A UUID; a new one per execution by default. */
  readonly operationId?: string | undefined;
  readonly retry?: RetryPolicy | undefined;
}

/** Release consumed responses on the server every so many responses. */
const RELEASE_EVERY = 16;

/** How long cleanup waits for a job to start before interrupting anyway. */
const JOB_START_WAIT_MS = 10_000;

/**
 * One reattachable execution of a plan, iterated once. Like Spark's own clients, it requires
 * `result_complete`: a stream that ends without it (the server closes streams after a while)
 * or breaks with a retryable error is resumed with ReattachExecute from the last response
 * id, so responses come out exactly once and in order. At the end the execution is released;
 * if the consumer stops early or aborts, the operation is interrupted first.
 *
 * Spark cannot stop a job that starts after its operation was interrupted (adaptive execution
 * submits query stages asynchronously; see SPARK-52024), so an operation whose job has not
 * been seen running yet is watched until it has (a progress report with stages, or data)
 * and only then interrupted.
 */
export class Execution implements AsyncIterable<ExecutePlanResponse> {
  readonly operationId: string;
  readonly #session: SparkSession;
  readonly #plan: Plan;
  readonly #options: ExecuteOptions;
  #started = false;
  #cleanup: Promise<void> = Promise.resolve();

  constructor(session: SparkSession, plan: Plan, options: ExecuteOptions) {
    this.#session = session;
    this.#plan = plan;
    this.#options = options;
    this.operationId = options.operationId ?? randomUUID();
  }

  /** Settles when the server-side cleanup (interrupt, release) that followed the iteration is done. */
  get closed(): Promise<void> {
    return this.#cleanup;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExecutePlanResponse, void, undefined> {
    if (this.#started) throw new Error(`execution ${this.operationId} can be iterated only once`);
    this.#started = true;
    const session = this.#session;
    const { signal } = this.#options;
    const policy = this.#options.retry ?? DEFAULT_RETRY_POLICY;
    let lastResponseId: string | undefined;
    let reachedServer = false;
    let complete = false;
    let failed = false;
    let jobSeen = false;
    let failures = 0;
    let sinceRelease = 0;
    let stream = this.#executePlan();
    try {
      while (!complete) {
        try {
          for await (const response of stream) {
            session.observe(response);
            reachedServer = true;
            failures = 0;
            lastResponseId = response.responseId;
            if (response.responseType.case === 'resultComplete') {
              complete = true;
              break;
            }
            jobSeen ||= showsRunningJob(response);
            yield response;
            if (++sinceRelease >= RELEASE_EVERY) {
              sinceRelease = 0;
              this.#releaseUntil(response.responseId);
            }
          }
          // The server ends reattachable streams after a time or size limit: resume.
          if (!complete) stream = this.#reattach(lastResponseId);
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          const error = SparkError.from(err);
          const neverArrived =
            error.errorClass === 'INVALID_HANDLE.OPERATION_NOT_FOUND' && !reachedServer && failures > 0;
          if (!(error.retryable || neverArrived) || failures >= policy.maxRetries) {
            failed = !error.retryable;
            throw await session.enrich(error);
          }
          await sleep(backoff(policy, failures++), undefined, { signal }).catch(() => {
            throw signal?.reason;
          });
          // A reattach that finds no operation means the first request never reached Spark.
          stream = neverArrived ? this.#executePlan() : this.#reattach(lastResponseId);
        }
      }
    } finally {
      // A failed operation has ended on the server; anything else unfinished is interrupted.
      this.#cleanup = this.#finish(complete || failed, jobSeen, lastResponseId);
    }
  }

  #executePlan(): AsyncGenerator<ExecutePlanResponse, void, undefined> {
    const session = this.#session;
    const request = create(SparkConnectService.method.executePlan.input, {
      ...session.header(),
      plan: this.#plan,
      operationId: this.operationId,
      tags: [...(this.#options.tags ?? [])],
      requestOptions: [{ requestOption: { case: 'reattachOptions', value: { reattachable: true } } }],
    });
    return session.transport.serverStream(SparkConnectService.method.executePlan, request, {
      signal: this.#options.signal,
    });
  }

  #reattach(lastResponseId: string | undefined): AsyncGenerator<ExecutePlanResponse, void, undefined> {
    const session = this.#session;
    const request = create(SparkConnectService.method.reattachExecute.input, {
      ...session.header(),
      operationId: this.operationId,
      ...(lastResponseId === undefined ? {} : { lastResponseId }),
    });
    return session.transport.serverStream(SparkConnectService.method.reattachExecute, request, {
      signal: this.#options.signal,
    });
  }

  /** Follows the operation until its job runs or it completes, within a bounded time. */
  async #awaitJob(lastResponseId: string | undefined): Promise<'running' | 'complete' | 'unknown'> {
    const request = create(SparkConnectService.method.reattachExecute.input, {
      ...this.#session.header(),
      operationId: this.operationId,
      ...(lastResponseId === undefined ? {} : { lastResponseId }),
    });
    const stream = this.#session.transport.serverStream(SparkConnectService.method.reattachExecute, request, {
      signal: AbortSignal.timeout(JOB_START_WAIT_MS),
    });
    try {
      for await (const response of stream) {
        if (response.responseType.case === 'resultComplete') return 'complete';
        if (showsRunningJob(response)) return 'running';
      }
    } catch {
      // Timed out, or the operation is gone.
    }
    return 'unknown';
  }

  #releaseUntil(responseId: string): void {
    this.#release({ case: 'releaseUntil', value: { responseId } }).catch(() => undefined);
  }

  async #finish(ended: boolean, jobSeen: boolean, lastResponseId: string | undefined): Promise<void> {
    try {
      if (!ended && (jobSeen || (await this.#awaitJob(lastResponseId)) !== 'complete')) {
        await this.#session.interrupt(this.operationId);
      }
    } catch {
      // The operation may already be gone; releasing below is what frees it.
    }
    try {
      await this.#release({ case: 'releaseAll', value: {} });
    } catch {
      // Spark removes executions nobody reattaches to after a timeout.
    }
  }

  async #release(
    release: { case: 'releaseAll'; value: object } | { case: 'releaseUntil'; value: { responseId: string } },
  ): Promise<void> {
    const session = this.#session;
    const request = create(SparkConnectService.method.releaseExecute.input, {
      ...session.header(),
      operationId: this.operationId,
      release,
    });
    await session.transport.unary(SparkConnectService.method.releaseExecute, request, withDeadline({}));
  }
}

/** The response proves a Spark job of the operation has started (so an interrupt reaches it). */
function showsRunningJob(response: ExecutePlanResponse): boolean {
  const type = response.responseType;
  return type.case === 'arrowBatch' || (type.case === 'executionProgress' && type.value.stages.length > 0);
}

/** Exponential backoff with full jitter. */
function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
