import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import { SpanKind } from '@opentelemetry/api';
import { SparkConnectService, type ExecutePlanResponse, type Plan } from '../gen/spark/connect/base_pb.js';
import { ATTR, childSpan, failed, traceTag } from '../observability/tracing.js';
import { SparkError } from './errors.js';
import { backoff, canReattach, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { ProgressTracker } from './progress.js';
import { withDeadline, type ExecutionSession } from './session-link.js';
import type { ExecutionStats } from './stats.js';

export interface ExecuteOptions {
  /** Aborting cancels the stream, interrupts the operation on the server and releases it. */
  readonly signal?: AbortSignal | undefined;
  /** Tags for `interruptTag`. Non-empty, without ','. */
  readonly tags?: readonly string[] | undefined;
  /** A UUID; a new one per execution by default. */
  readonly operationId?: string | undefined;
  readonly retry?: RetryPolicy | undefined;
  /** Told of Spark's progress reports, and of the result's completion. */
  readonly progress?: ProgressTracker | undefined;
}

/** Release consumed responses on the server every so many responses. */
const RELEASE_EVERY = 16;

/**
 * The share of the largest gRPC message the Arrow data of one response may fill, leaving room
 * for the rest of the response (ids, row count, offsets).
 */
const CHUNK_SHARE = 0.9;

/** How long cleanup waits for a job to start before interrupting anyway. */
const JOB_START_WAIT_MS = 10_000;

/**
 * How long cleanup first waits before following an operation again (it may not be registered
 * yet); each wait doubles.
 */
const FOLLOW_AGAIN_MS = 50;

/**
 * Cleanup follows an operation no sooner than this after its ExecutePlan was sent. Spark takes
 * an operation whose execution thread has not started yet for an orphan when a ReattachExecute
 * comes: it forgets the operation, and the job the thread then starts runs with nothing left to
 * interrupt it. In probes against Spark 4.2 that reattached at once, up to a quarter of the
 * operations deleted within moments of being sent were taken for orphans; none of 60 were after
 * this wait.
 */
const FIRST_FOLLOW_MS = 250;

type Stream = AsyncGenerator<ExecutePlanResponse, void, undefined>;

/**
 * One reattachable execution of a plan, iterated once. Like Spark's own clients, it requires
 * `result_complete`: a stream that ends without it (the server closes streams after a while)
 * or breaks with a retryable error is resumed with ReattachExecute from the last response
 * id, so responses come out exactly once and in order. At the end the execution is released;
 * if the consumer stops early or aborts, the operation is interrupted first. Spark 4.1+ may
 * split an Arrow batch over several responses; each piece is a response like any other, so a
 * stream cut between pieces resumes at the next one (joining them is arrow/decode's work).
 *
 * Spark cannot stop a job that starts after its operation was interrupted (adaptive execution
 * submits query stages asynchronously; see SPARK-52024), so an operation whose job has not
 * been seen running yet is watched until it has (a progress report with stages, or data)
 * and only then interrupted. Spark registers an operation on another thread than the one
 * that received its ExecutePlan, so an execution stopped right after it was sent may not be
 * there yet: it is looked for again, less and less often, until it is or the wait ends; and
 * it is looked for only a while after it was sent (see `FIRST_FOLLOW_MS`).
 */
export class Execution implements AsyncIterable<ExecutePlanResponse> {
  readonly operationId: string;
  readonly #session: ExecutionSession;
  readonly #plan: Plan;
  readonly #options: ExecuteOptions;
  readonly #stats: ExecutionStats | undefined;
  #started = false;
  /** The tags sent: the caller's, and the trace id when the execution is traced. */
  #tags: string[] = [];
  #lastResponseId: string | undefined;
  #jobSeen = false;
  /** When the last ExecutePlan was sent (`performance.now()`). */
  #sentAt = 0;
  #finishing: Promise<void> | undefined;
  readonly #closed: Promise<void>;
  #markClosed!: () => void;

  constructor(session: ExecutionSession, plan: Plan, options: ExecuteOptions, stats?: ExecutionStats) {
    this.#session = session;
    this.#plan = plan;
    this.#options = options;
    this.#stats = stats;
    this.operationId = options.operationId ?? randomUUID();
    this.#closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
  }

  /**
   * Settles when the execution is over on the server: its result complete or its operation
   * interrupted, and released.
   */
  get closed(): Promise<void> {
    return this.#closed;
  }

  async *[Symbol.asyncIterator](): Stream {
    if (this.#started) throw new Error(`execution ${this.operationId} can be iterated only once`);
    this.#started = true;
    const stats = this.#stats;
    stats?.start();
    const startedAt = performance.now();
    const session = this.#session;
    // One span for the whole execution, from the request to the end of the result.
    const span = childSpan('spark.execute', {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.operationId]: this.operationId,
        [ATTR.sessionId]: session.sessionId,
        [ATTR.userId]: session.userContext.userId,
      },
    });
    const trace = traceTag(span.spanContext());
    this.#tags = [...(this.#options.tags ?? []), ...(trace === undefined ? [] : [trace])];
    if (span.isRecording()) span.setAttribute(ATTR.operationTags, this.#tags);
    const { signal } = this.#options;
    const policy = this.#options.retry ?? DEFAULT_RETRY_POLICY;
    let reachedServer = false;
    let outcome = 'stopped' as 'complete' | 'failed' | 'stopped';
    let failures = 0;
    let sinceRelease = 0;
    // An abort stops the operation even while the consumer is not pulling.
    const onAbort = () => void this.#finish(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    let stream = this.#executePlan();
    try {
      for (;;) {
        try {
          for await (const response of stream) {
            session.observe(response);
            reachedServer = true;
            failures = 0;
            this.#lastResponseId = response.responseId;
            if (response.responseType.case === 'resultComplete') {
              outcome = 'complete';
              this.#options.progress?.complete();
              return;
            }
            if (response.responseType.case === 'executionProgress') {
              this.#options.progress?.report(response.responseType.value);
            }
            this.#jobSeen ||= showsRunningJob(response);
            signal?.throwIfAborted();
            yield response;
            if (++sinceRelease >= RELEASE_EVERY) {
              sinceRelease = 0;
              this.#releaseUntil(response.responseId);
            }
          }
          // The server ends reattachable streams after a time or size limit: resume.
          stream = this.#reattach(this.#lastResponseId);
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          const error = SparkError.from(err);
          // A reattach that finds no operation, before any response, means the request never
          // reached Spark: send it again.
          const neverArrived =
            error.errorClass === 'INVALID_HANDLE.OPERATION_NOT_FOUND' && !reachedServer && failures > 0;
          if (!neverArrived && !canReattach(error, failures, policy)) {
            if (!error.retryable) outcome = 'failed';
            const enriched = await session.enrich(error);
            failed(span, enriched);
            throw enriched;
          }
          await sleep(backoff(policy, failures++), undefined, { signal }).catch(() => {
            throw signal?.reason;
          });
          if (stats && !neverArrived) stats.reattached++;
          span.addEvent(neverArrived ? 'execute again' : 'reattach', { attempt: failures });
          stream = neverArrived ? this.#executePlan() : this.#reattach(this.#lastResponseId);
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      const ended = outcome === 'complete' ? 'completed' : outcome === 'failed' ? 'failed' : 'interrupted';
      stats?.end(ended, (performance.now() - startedAt) / 1000);
      span.setAttribute(ATTR.outcome, ended);
      span.end();
      // A failed operation has ended on the server; anything else unfinished is interrupted.
      // In the background: `closed` tells when it is done.
      void this.#finish(outcome !== 'stopped');
    }
  }

  #executePlan(): Stream {
    this.#sentAt = performance.now();
    const session = this.#session;
    const request = create(SparkConnectService.method.executePlan.input, {
      ...session.header(),
      plan: this.#plan,
      operationId: this.operationId,
      tags: this.#tags,
      requestOptions: [
        { requestOption: { case: 'reattachOptions', value: { reattachable: true } } },
        // Spark 4.1+ splits an Arrow batch larger than this over several responses (so a row
        // bigger than one gRPC message still arrives); older servers ignore the option.
        {
          requestOption: {
            case: 'resultChunkingOptions',
            value: {
              allowArrowBatchChunking: true,
              preferredArrowChunkSize: BigInt(Math.floor(session.transport.maxMessageSize * CHUNK_SHARE)),
            },
          },
        },
      ],
    });
    return session.transport.serverStream(SparkConnectService.method.executePlan, request, {
      signal: this.#options.signal,
    });
  }

  #reattach(lastResponseId: string | undefined, signal = this.#options.signal): Stream {
    const session = this.#session;
    const request = create(SparkConnectService.method.reattachExecute.input, {
      ...session.header(),
      operationId: this.operationId,
      ...(lastResponseId === undefined ? {} : { lastResponseId }),
    });
    return session.transport.serverStream(SparkConnectService.method.reattachExecute, request, { signal });
  }

  /** Ends the execution on the server, once: interrupts it unless it `ended`, then releases it. */
  #finish(ended: boolean): Promise<void> {
    this.#finishing ??= (async () => {
      try {
        if (!ended && (this.#jobSeen || (await this.#awaitJob(this.#lastResponseId)) !== 'complete')) {
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
      this.#markClosed();
    })();
    return this.#finishing;
  }

  /** Follows the operation until its job runs or it completes, within a bounded time. */
  async #awaitJob(lastResponseId: string | undefined): Promise<'running' | 'complete' | 'unknown'> {
    const deadline = AbortSignal.timeout(JOB_START_WAIT_MS);
    const early = this.#sentAt + FIRST_FOLLOW_MS - performance.now();
    if (early > 0) await sleep(early);
    for (let wait = FOLLOW_AGAIN_MS; !deadline.aborted; wait *= 2) {
      try {
        for await (const response of this.#reattach(lastResponseId, deadline)) {
          if (response.responseType.case === 'resultComplete') return 'complete';
          if (showsRunningJob(response)) return 'running';
        }
        // The server ended the stream after its time limit: follow again.
      } catch (err) {
        // Timed out, or the operation is gone; unless Spark has not registered it yet.
        if (SparkError.from(err).errorClass !== 'INVALID_HANDLE.OPERATION_NOT_FOUND') return 'unknown';
      }
      await sleep(wait, undefined, { signal: deadline }).catch(() => undefined);
    }
    return 'unknown';
  }

  #releaseUntil(responseId: string): void {
    this.#release({ case: 'releaseUntil', value: { responseId } }).catch(() => undefined);
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
