import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary, type DescMethod } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  AnalyzePlanResponseSchema,
  AnalyzePlanResponse_ExplainSchema,
  AnalyzePlanResponse_SchemaSchema,
  AnalyzePlanResponse_SparkVersionSchema,
  ConfigResponseSchema,
  ExecutePlanResponseSchema,
  InterruptResponseSchema,
  SparkConnectService,
  type AnalyzePlanRequest,
  type AnalyzePlanResponse,
  type ConfigRequest,
  type ExecutePlanRequest,
  type ExecutePlanResponse_ArrowBatch,
  type InterruptRequest,
  type Plan,
  type ReattachExecuteRequest,
} from '../../src/gen/spark/connect/base_pb.js';
import { DataTypeSchema, type DataType } from '../../src/gen/spark/connect/types_pb.js';

type Kind = NonNullable<DataType['kind']['case']>;

/** A column the fake server reports for every plan. */
export interface FakeColumn {
  readonly name: string;
  readonly kind: Extract<
    Kind,
    'long' | 'integer' | 'double' | 'string' | 'boolean' | 'date' | 'timestamp' | 'binary' | 'decimal'
  >;
}

/** Answers AnalyzePlan instead of the fake's defaults (Spark's version, the columns). */
export type FakeAnalyze = (request: AnalyzePlanRequest) => Promise<AnalyzePlanResponse['result']>;

/**
 * What every execution answers: these Arrow batches (one response each), the first stream
 * ending without `result_complete` after `cutAfter` of them, as Spark ends long streams, so
 * the rest is only had by ReattachExecute from the last response id.
 */
export interface FakeResults {
  readonly batches: readonly Partial<ExecutePlanResponse_ArrowBatch>[];
  readonly cutAfter?: number;
}

/**
 * Executions that never complete, as a query Spark is still running: each operation is known
 * to the server only `registerAfterMs` after its ExecutePlan arrives (Spark registers it on
 * another thread, so a ReattachExecute or Interrupt sent right after can find nothing), and
 * then runs, reporting a running stage, until an Interrupt names it.
 */
export interface FakeEndless {
  readonly registerAfterMs: number;
  /**
   * A ReattachExecute within this long of an operation's registration finds an orphan: the
   * server forgets the operation and answers EXECUTION_STATE_OPERATION_ORPHANED, while its job
   * runs on with nothing left to interrupt it. Spark does this to an operation whose execution
   * thread has not started yet (it takes a thread that is not alive for one that ended).
   */
  readonly orphanWithinMs?: number;
}

interface FakeOptions {
  readonly analyze?: FakeAnalyze;
  readonly results?: FakeResults;
  readonly endless?: FakeEndless;
}

/**
 * A Spark Connect server with no Spark behind it, for tests of the service's wiring and error
 * paths (never for claims about what Spark answers): every plan has the given columns, every
 * execution completes at once without rows, and the plans it was sent are kept.
 */
export class FakeConnectServer {
  readonly plans: Plan[] = [];
  readonly executeRequests: ExecutePlanRequest[] = [];
  readonly reattachRequests: ReattachExecuteRequest[] = [];
  /** Endless operations whose jobs run (not interrupted), with the streams following each. */
  readonly running = new Map<string, Set<grpc.ServerWritableStream<unknown, unknown>>>();
  readonly #server = new grpc.Server();
  readonly #serverSessionId = randomUUID();
  readonly #schema: DataType;
  readonly #analyze: FakeAnalyze | undefined;
  readonly #results: FakeResults;
  readonly #endless: FakeEndless | undefined;
  #port = 0;

  private constructor(columns: readonly FakeColumn[], options: FakeOptions) {
    this.#analyze = options.analyze;
    this.#results = options.results ?? { batches: [] };
    this.#endless = options.endless;
    this.#schema = create(DataTypeSchema, {
      kind: {
        case: 'struct',
        value: {
          fields: columns.map((c) => ({
            name: c.name,
            nullable: true,
            dataType: create(DataTypeSchema, {
              kind:
                c.kind === 'decimal'
                  ? { case: 'decimal', value: { precision: 38, scale: 10 } }
                  : { case: c.kind, value: {} },
            }),
          })),
        },
      },
    });
  }

  static async start(columns: readonly FakeColumn[], options: FakeOptions = {}): Promise<FakeConnectServer> {
    const fake = new FakeConnectServer(columns, options);
    fake.#server.addService(definition(), fake.#handlers());
    fake.#port = await new Promise<number>((resolve, reject) => {
      fake.#server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) reject(err);
        else resolve(port);
      });
    });
    return fake;
  }

  /** The connection string of the fake server. */
  get remote(): string {
    return `sc://127.0.0.1:${this.#port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.tryShutdown(() => {
        resolve();
      });
    });
  }

  #ids(sessionId: string) {
    return { sessionId, serverSideSessionId: this.#serverSessionId };
  }

  /** Spark's version, a plan's columns, or an account of a plan that reads nothing. */
  #defaultAnalysis(request: AnalyzePlanRequest): AnalyzePlanResponse['result'] {
    switch (request.analyze.case) {
      case 'sparkVersion':
        return {
          case: 'sparkVersion',
          value: create(AnalyzePlanResponse_SparkVersionSchema, { version: '4.2.0' }),
        };
      case 'explain':
        return {
          case: 'explain',
          value: create(AnalyzePlanResponse_ExplainSchema, {
            explainString: '== Physical Plan ==\nLocalTableScan\n',
          }),
        };
      default:
        return { case: 'schema', value: create(AnalyzePlanResponse_SchemaSchema, { schema: this.#schema }) };
    }
  }

  #handlers(): grpc.UntypedServiceImplementation {
    const { batches, cutAfter = batches.length } = this.#results;
    /** The response ids of each operation's batches, fixed at its ExecutePlan. */
    const responseIds = new Map<string, string[]>();
    const answer = (
      call: grpc.ServerWritableStream<{ sessionId: string; operationId?: string | undefined }, unknown>,
      from: number,
      to: number,
    ) => {
      const { sessionId } = call.request;
      const operationId = call.request.operationId ?? '';
      const ids = responseIds.get(operationId) ?? [];
      const reply = (responseId: string, responseType: object) =>
        call.write(
          create(ExecutePlanResponseSchema, {
            ...this.#ids(sessionId),
            operationId,
            responseId,
            responseType: responseType as never,
          }),
        );
      for (let i = from; i < to; i++) reply(ids[i]!, { case: 'arrowBatch', value: batches[i] });
      if (to === batches.length) reply(randomUUID(), { case: 'resultComplete', value: {} });
      call.end();
    };
    const common = this.#commonHandlers();
    if (this.#endless !== undefined) return { ...common, ...this.#endlessHandlers(this.#endless) };
    return {
      ExecutePlan: (call: grpc.ServerWritableStream<ExecutePlanRequest, unknown>) => {
        this.executeRequests.push(call.request);
        if (call.request.plan !== undefined) this.plans.push(call.request.plan);
        responseIds.set(
          call.request.operationId ?? '',
          batches.map(() => randomUUID()),
        );
        answer(call, 0, cutAfter);
      },
      ReattachExecute: (call: grpc.ServerWritableStream<ReattachExecuteRequest, unknown>) => {
        this.reattachRequests.push(call.request);
        const { operationId, lastResponseId } = call.request;
        const from = (responseIds.get(operationId) ?? []).indexOf(lastResponseId ?? '') + 1;
        answer(call, from, batches.length);
      },
      ...common,
    };
  }

  /** ExecutePlan, ReattachExecute and Interrupt of operations that run until interrupted. */
  #endlessHandlers({ registerAfterMs, orphanWithinMs = 0 }: FakeEndless): grpc.UntypedServiceImplementation {
    const registeredAt = new Map<string, number>();
    /** Operations the server forgot whose jobs run on. */
    const orphans = new Set<string>();
    const known = (operationId: string) => this.running.has(operationId) && !orphans.has(operationId);
    type Follower = grpc.ServerWritableStream<{ sessionId: string; operationId?: string }, unknown>;
    const follow = (call: Follower, operationId: string) => {
      const followers = this.running.get(operationId)!;
      followers.add(call);
      call.on('cancelled', () => followers.delete(call));
      call.write(
        create(ExecutePlanResponseSchema, {
          ...this.#ids(call.request.sessionId),
          operationId,
          responseId: randomUUID(),
          responseType: {
            case: 'executionProgress',
            value: { stages: [{ stageId: 0n, numTasks: 1n }], numInflightTasks: 1n },
          },
        }),
      );
    };
    return {
      ExecutePlan: (call: grpc.ServerWritableStream<ExecutePlanRequest, unknown>) => {
        this.executeRequests.push(call.request);
        const operationId = call.request.operationId ?? '';
        setTimeout(() => {
          this.running.set(operationId, new Set());
          registeredAt.set(operationId, performance.now());
          // The client may have gone; the operation runs on, detached, as in Spark.
          if (!call.cancelled) follow(call as Follower, operationId);
        }, registerAfterMs);
      },
      ReattachExecute: (call: grpc.ServerWritableStream<ReattachExecuteRequest, unknown>) => {
        this.reattachRequests.push(call.request);
        const { operationId } = call.request;
        if (known(operationId) && performance.now() - registeredAt.get(operationId)! < orphanWithinMs) {
          orphans.add(operationId);
          fail(
            call,
            grpc.status.INTERNAL,
            `[SPARK_CONNECT_ILLEGAL_STATE.EXECUTION_STATE_OPERATION_ORPHANED] Operation ${operationId} is an orphan.`,
          );
        } else if (known(operationId)) follow(call, operationId);
        else
          fail(
            call,
            grpc.status.INTERNAL,
            `[INVALID_HANDLE.OPERATION_NOT_FOUND] Operation ${operationId} not found.`,
          );
      },
      Interrupt: (
        call: grpc.ServerUnaryCall<InterruptRequest, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        const { sessionId, interrupt } = call.request;
        const ids = interrupt.case === 'operationId' && known(interrupt.value) ? [interrupt.value] : [];
        for (const id of ids) {
          for (const follower of this.running.get(id)!) {
            fail(follower, grpc.status.CANCELLED, `[OPERATION_CANCELED] Operation ${id} has been cancelled.`);
          }
          this.running.delete(id);
        }
        done(null, create(InterruptResponseSchema, { ...this.#ids(sessionId), interruptedIds: ids }));
      },
    };
  }

  #commonHandlers(): grpc.UntypedServiceImplementation {
    const unary =
      <R>(answer: (request: R & { sessionId: string }) => unknown) =>
      (call: grpc.ServerUnaryCall<R & { sessionId: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
        done(null, answer(call.request));
      };
    return {
      AnalyzePlan: (
        call: grpc.ServerUnaryCall<AnalyzePlanRequest, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        const { request } = call;
        const fallback = this.#defaultAnalysis(request);
        (this.#analyze?.(request) ?? Promise.resolve(fallback)).then(
          (result) => {
            done(null, create(AnalyzePlanResponseSchema, { ...this.#ids(request.sessionId), result }));
          },
          (err: unknown) => {
            done(err as grpc.ServiceError);
          },
        );
      },
      Config: unary<ConfigRequest>((request) =>
        create(ConfigResponseSchema, { ...this.#ids(request.sessionId) }),
      ),
      ReleaseExecute: unary<object>((request) => this.#ids(request.sessionId)),
      ReleaseSession: unary<object>((request) => this.#ids(request.sessionId)),
      Interrupt: unary<object>((request) => this.#ids(request.sessionId)),
      FetchErrorDetails: unary<object>((request) => this.#ids(request.sessionId)),
    };
  }
}

/** Ends a server stream with an error status, as Spark does. */
function fail(call: grpc.ServerWritableStream<unknown, unknown>, code: grpc.status, details: string): void {
  call.emit('error', Object.assign(new Error(details), { code, details }));
}

/** The gRPC service definition of SparkConnectService, from its protobuf-es descriptor. */
function definition(): grpc.ServiceDefinition {
  return Object.fromEntries<grpc.MethodDefinition<unknown, unknown>>(
    SparkConnectService.methods.map((method: DescMethod) => [
      method.name,
      {
        path: `/${SparkConnectService.typeName}/${method.name}`,
        requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
        responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
        requestSerialize: (message: unknown) => Buffer.from(toBinary(method.input, message as never)),
        // Spark reads plans up to spark.connect.grpc.marshallerRecursionLimit (1024) deep.
        requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes, { recursionLimit: 1024 }),
        responseSerialize: (message: unknown) =>
          Buffer.from(toBinary(method.output, create(method.output, message as never))),
        responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      },
    ]),
  );
}
