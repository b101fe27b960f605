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
  SparkConnectService,
  type AnalyzePlanRequest,
  type AnalyzePlanResponse,
  type ConfigRequest,
  type ExecutePlanRequest,
  type ExecutePlanResponse_ArrowBatch,
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

interface FakeOptions {
  readonly analyze?: FakeAnalyze;
  readonly results?: FakeResults;
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
  readonly #server = new grpc.Server();
  readonly #serverSessionId = randomUUID();
  readonly #schema: DataType;
  readonly #analyze: FakeAnalyze | undefined;
  readonly #results: FakeResults;
  #port = 0;

  private constructor(columns: readonly FakeColumn[], options: FakeOptions) {
    this.#analyze = options.analyze;
    this.#results = options.results ?? { batches: [] };
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
    const unary =
      <R>(answer: (request: R & { sessionId: string }) => unknown) =>
      (call: grpc.ServerUnaryCall<R & { sessionId: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
        done(null, answer(call.request));
      };
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
