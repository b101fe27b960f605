import { randomUUID } from 'node:crypto';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AnalyzePlanRequestSchema,
  AnalyzePlanRequest_Explain_ExplainMode,
  ConfigRequest_OperationSchema,
  InterruptRequest_InterruptType,
  SparkConnectService,
  UserContextSchema,
  type AnalyzePlanRequest,
  type AnalyzePlanResponse,
  type ConfigResponse,
  type Plan,
  type UserContext,
} from '../gen/spark/connect/base_pb.js';
import type { DataType } from '../gen/spark/connect/types_pb.js';
import { SparkError } from './errors.js';
import { Execution, type ExecuteOptions } from './execute.js';
import type { CallOptions, GrpcTransport } from './grpc.js';
import { withDeadline } from './session-link.js';
import type { ExecutionStats } from './stats.js';

export interface SessionOptions {
  /** Spark's `UserContext.user_id`; sessions are keyed by (user id, session id). */
  readonly userId: string;
  readonly userName?: string | undefined;
  /** A UUID; a random one by default. */
  readonly sessionId?: string | undefined;
  /** Reported to Spark as `client_type`, for its logs and UI. */
  readonly clientType: string;
  /** Where executions of this session are counted. */
  readonly stats?: ExecutionStats | undefined;
}

type AnalyzeCase = NonNullable<AnalyzePlanRequest['analyze']['case']>;
type AnalyzeInput = Extract<
  MessageInitShape<typeof AnalyzePlanRequestSchema>['analyze'],
  { case: AnalyzeCase }
>;
type ConfigOperation = NonNullable<MessageInitShape<typeof ConfigRequest_OperationSchema>['opType']>;

/**
 * One Spark Connect session. Every request carries the session id, user context and client
 * type; the server-side session id seen in the first response is echoed on later requests,
 * and a change means the server lost the session (restart), like Spark's own clients check.
 */
export class SparkSession {
  readonly sessionId: string;
  readonly userContext: UserContext;
  readonly clientType: string;
  readonly transport: GrpcTransport;
  readonly #stats: ExecutionStats | undefined;
  /** When this object was created (ms since the epoch); the server session starts with the first call. */
  readonly createdAt: number = Date.now();
  #lastUsedAt: number = this.createdAt;
  #serverSideSessionId: string | undefined;
  #sparkVersion: string | undefined;

  constructor(transport: GrpcTransport, options: SessionOptions) {
    this.transport = transport;
    this.sessionId = options.sessionId ?? randomUUID();
    this.clientType = options.clientType;
    this.#stats = options.stats;
    this.userContext = create(UserContextSchema, {
      userId: options.userId,
      ...(options.userName === undefined ? {} : { userName: options.userName }),
    });
  }

  /**
   * When the server last heard from this session (ms since the epoch): Spark's idle timeout
   * counts from there.
   */
  get lastUsedAt(): number {
    return this.#lastUsedAt;
  }

  /** The id the server gave this session; undefined until the first response. */
  get serverSideSessionId(): string | undefined {
    return this.#serverSideSessionId;
  }

  /** Fields every request carries. */
  header(): {
    sessionId: string;
    userContext: UserContext;
    clientType: string;
    clientObservedServerSideSessionId?: string;
  } {
    return {
      sessionId: this.sessionId,
      userContext: this.userContext,
      clientType: this.clientType,
      ...(this.#serverSideSessionId === undefined
        ? {}
        : { clientObservedServerSideSessionId: this.#serverSideSessionId }),
    };
  }

  /** Checks a response belongs to this session, and remembers the server-side session id. */
  observe(response: { sessionId: string; serverSideSessionId: string }): void {
    this.#lastUsedAt = Date.now();
    if (response.sessionId !== '' && response.sessionId !== this.sessionId) {
      throw sessionChanged(`the server answered for session ${response.sessionId}, not ${this.sessionId}`);
    }
    if (response.serverSideSessionId === '') return;
    if (this.#serverSideSessionId === undefined) {
      this.#serverSideSessionId = response.serverSideSessionId;
    } else if (this.#serverSideSessionId !== response.serverSideSessionId) {
      throw sessionChanged('the server-side session changed: the Spark server has restarted');
    }
  }

  /** Runs a plan; iterate the result to stream its responses. */
  execute(plan: Plan, options: ExecuteOptions = {}): Execution {
    return new Execution(this, plan, options, this.#stats);
  }

  async analyze(analyze: AnalyzeInput, options: CallOptions = {}): Promise<AnalyzePlanResponse> {
    const request = create(AnalyzePlanRequestSchema, { ...this.header(), analyze });
    const response = await this.#call(() =>
      this.transport.unary(SparkConnectService.method.analyzePlan, request, options),
    );
    this.observe(response);
    return response;
  }

  /** The schema Spark resolves for a plan, without running it. */
  async schema(plan: Plan, options: CallOptions = {}): Promise<DataType> {
    const response = await this.analyze({ case: 'schema', value: { plan } }, options);
    if (response.result.case !== 'schema' || response.result.value.schema === undefined) {
      throw unexpected('AnalyzePlan(schema) returned no schema');
    }
    return response.result.value.schema;
  }

  /**
   * Spark's account of a plan, as `explain(extended=True)` prints it: the parsed, analysed,
   * optimised and physical plans. Spark analyses the plan without running it.
   */
  async explain(plan: Plan, options: CallOptions = {}): Promise<string> {
    const explainMode = AnalyzePlanRequest_Explain_ExplainMode.EXTENDED;
    const response = await this.analyze({ case: 'explain', value: { plan, explainMode } }, options);
    if (response.result.case !== 'explain') throw unexpected('AnalyzePlan(explain) returned no plan');
    return response.result.value.explainString;
  }

  /** The server's Spark release (asked once per session). */
  async sparkVersion(options: CallOptions = {}): Promise<string> {
    if (this.#sparkVersion !== undefined) return this.#sparkVersion;
    const response = await this.analyze({ case: 'sparkVersion', value: {} }, options);
    if (response.result.case !== 'sparkVersion')
      throw unexpected('AnalyzePlan(spark_version) returned no version');
    this.#sparkVersion = response.result.value.version;
    return this.#sparkVersion;
  }

  async config(opType: ConfigOperation, options: CallOptions = {}): Promise<ConfigResponse> {
    const request = { ...this.header(), operation: { opType } };
    const response = await this.#call(() =>
      this.transport.unary(
        SparkConnectService.method.config,
        create(SparkConnectService.method.config.input, request),
        options,
      ),
    );
    this.observe(response);
    return response;
  }

  async setConfigs(values: Readonly<Record<string, string>>, options: CallOptions = {}): Promise<void> {
    const pairs = Object.entries(values).map(([key, value]) => ({ key, value }));
    await this.config({ case: 'set', value: { pairs } }, options);
  }

  /** Values of the given keys; a key Spark doesn't know is an error (SQL_CONF_NOT_FOUND). */
  async getConfigs(
    keys: readonly string[],
    options: CallOptions = {},
  ): Promise<Map<string, string | undefined>> {
    const response = await this.config({ case: 'get', value: { keys: [...keys] } }, options);
    return new Map(response.pairs.map((pair) => [pair.key, pair.value]));
  }

  /** Interrupts one operation; returns the ids Spark interrupted (empty if it had finished). */
  interrupt(operationId: string, options?: CallOptions): Promise<string[]> {
    return this.#interrupt(
      InterruptRequest_InterruptType.OPERATION_ID,
      { case: 'operationId', value: operationId },
      options,
    );
  }

  interruptTag(tag: string, options?: CallOptions): Promise<string[]> {
    return this.#interrupt(InterruptRequest_InterruptType.TAG, { case: 'operationTag', value: tag }, options);
  }

  interruptAll(options?: CallOptions): Promise<string[]> {
    return this.#interrupt(InterruptRequest_InterruptType.ALL, { case: undefined }, options);
  }

  /** Ends the session on the server; its temporary views and configs are gone. */
  async release(options: CallOptions = {}): Promise<void> {
    const request = create(SparkConnectService.method.releaseSession.input, {
      sessionId: this.sessionId,
      userContext: this.userContext,
      clientType: this.clientType,
    });
    await this.#call(() =>
      this.transport.unary(SparkConnectService.method.releaseSession, request, withDeadline(options)),
    );
  }

  /**
   * Completes an error whose details did not fit in gRPC metadata, with FetchErrorDetails.
   * Best effort: when that fails too, the error is returned as it was.
   */
  async enrich(error: SparkError): Promise<SparkError> {
    if (!error.detailsTruncated || error.errorId === undefined) return error;
    try {
      const request = create(SparkConnectService.method.fetchErrorDetails.input, {
        ...this.header(),
        errorId: error.errorId,
      });
      const response = await this.transport.unary(
        SparkConnectService.method.fetchErrorDetails,
        request,
        withDeadline({}),
      );
      return response.errors.length > 0 ? error.withDetails(response) : error;
    } catch {
      return error;
    }
  }

  async #interrupt(
    interruptType: InterruptRequest_InterruptType,
    interrupt: NonNullable<MessageInitShape<typeof SparkConnectService.method.interrupt.input>['interrupt']>,
    options: CallOptions = {},
  ): Promise<string[]> {
    const request = create(SparkConnectService.method.interrupt.input, {
      ...this.header(),
      interruptType,
      interrupt,
    });
    const response = await this.#call(() =>
      this.transport.unary(SparkConnectService.method.interrupt, request, withDeadline(options)),
    );
    this.observe(response);
    return response.interruptedIds;
  }

  async #call<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof SparkError) throw await this.enrich(err);
      throw err;
    }
  }
}

function sessionChanged(detail: string): SparkError {
  return new SparkError(`[INVALID_HANDLE.SESSION_CHANGED] ${detail}`, {
    grpcCode: GrpcStatus.FAILED_PRECONDITION,
    errorClass: 'INVALID_HANDLE.SESSION_CHANGED',
  });
}

function unexpected(message: string): SparkError {
  return new SparkError(message, { grpcCode: GrpcStatus.INTERNAL });
}
