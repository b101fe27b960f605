import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary, type DescMethod } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  AnalyzePlanResponseSchema,
  AnalyzePlanResponse_SchemaSchema,
  AnalyzePlanResponse_SparkVersionSchema,
  ConfigResponseSchema,
  ExecutePlanResponseSchema,
  SparkConnectService,
  type AnalyzePlanRequest,
  type AnalyzePlanResponse,
  type ConfigRequest,
  type ExecutePlanRequest,
  type Plan,
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
 * A Spark Connect server with no Spark behind it, for tests of the service's wiring and error
 * paths (never for claims about what Spark answers): every plan has the given columns, every
 * execution completes at once without rows, and the plans it was sent are kept.
 */
export class FakeConnectServer {
  readonly plans: Plan[] = [];
  readonly #server = new grpc.Server();
  readonly #serverSessionId = randomUUID();
  readonly #schema: DataType;
  readonly #analyze: FakeAnalyze | undefined;
  #port = 0;

  private constructor(columns: readonly FakeColumn[], analyze: FakeAnalyze | undefined) {
    this.#analyze = analyze;
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

  static async start(
    columns: readonly FakeColumn[],
    options: { readonly analyze?: FakeAnalyze } = {},
  ): Promise<FakeConnectServer> {
    const fake = new FakeConnectServer(columns, options.analyze);
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

  #handlers(): grpc.UntypedServiceImplementation {
    const complete = (call: grpc.ServerWritableStream<ExecutePlanRequest, unknown>) => {
      const { sessionId, operationId } = call.request;
      call.write(
        create(ExecutePlanResponseSchema, {
          ...this.#ids(sessionId),
          operationId: operationId ?? '',
          responseId: randomUUID(),
          responseType: { case: 'resultComplete', value: {} },
        }),
      );
      call.end();
    };
    const unary =
      <R>(answer: (request: R & { sessionId: string }) => unknown) =>
      (call: grpc.ServerUnaryCall<R & { sessionId: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
        done(null, answer(call.request));
      };
    return {
      ExecutePlan: (call: grpc.ServerWritableStream<ExecutePlanRequest, unknown>) => {
        if (call.request.plan !== undefined) this.plans.push(call.request.plan);
        complete(call);
      },
      ReattachExecute: complete,
      AnalyzePlan: (
        call: grpc.ServerUnaryCall<AnalyzePlanRequest, unknown>,
        done: grpc.sendUnaryData<unknown>,
      ) => {
        const { request } = call;
        const fallback: AnalyzePlanResponse['result'] =
          request.analyze.case === 'sparkVersion'
            ? {
                case: 'sparkVersion',
                value: create(AnalyzePlanResponse_SparkVersionSchema, { version: '4.2.0' }),
              }
            : { case: 'schema', value: create(AnalyzePlanResponse_SchemaSchema, { schema: this.#schema }) };
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
