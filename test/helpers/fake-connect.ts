import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMethod, type MessageShape } from '@bufbuild/protobuf';
import {
  SparkConnectService,
  type AnalyzePlanRequest,
  type AnalyzePlanResponse,
} from '../../src/gen/spark/connect/base_pb.js';

type Service = typeof SparkConnectService.method;
type Analyze = (request: AnalyzePlanRequest) => Promise<AnalyzePlanResponse['result']>;

export interface FakeConnect {
  /** `sc://127.0.0.1:<port>` */
  readonly remote: string;
  /** Calls received, by method name (`analyzePlan`, `config`, …). */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A Spark Connect server that answers only what wiring tests need: Config (every key unset),
 * ReleaseSession, and AnalyzePlan as `analyze` says (Spark's version by default). Everything
 * else is UNIMPLEMENTED. Never a stand-in for what Spark computes.
 */
export async function startFakeConnect(options: { analyze?: Analyze } = {}): Promise<FakeConnect> {
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const analyze: Analyze =
    options.analyze ??
    (() => Promise.resolve({ case: 'sparkVersion', value: { version: '4.2.0' } as never }));
  const handlers: Partial<{
    [K in keyof Service]: (request: MessageShape<Service[K]['input']>) => Promise<unknown>;
  }> = {
    config: (request) =>
      Promise.resolve(
        create(SparkConnectService.method.config.output, {
          sessionId: request.sessionId,
          pairs:
            request.operation?.opType.case === 'get'
              ? request.operation.opType.value.keys.map((key) => ({ key }))
              : [],
        }),
      ),
    analyzePlan: async (request) =>
      create(SparkConnectService.method.analyzePlan.output, {
        sessionId: request.sessionId,
        result: await analyze(request),
      }),
    releaseSession: (request) =>
      Promise.resolve(
        create(SparkConnectService.method.releaseSession.output, { sessionId: request.sessionId }),
      ),
  };
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(SparkConnectService.method) as [keyof Service, DescMethod][]) {
    const streaming = method.methodKind === 'server_streaming';
    definition[name] = {
      path: `/${method.parent.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming',
      responseStream: streaming,
      requestSerialize: (m: unknown) => Buffer.from(toBinary(method.input, m as never)),
      requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
      responseSerialize: (m: unknown) => Buffer.from(toBinary(method.output, m as never)),
      responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
    };
    const handler = handlers[name] as ((request: unknown) => Promise<unknown>) | undefined;
    implementation[name] = streaming
      ? (call: grpc.ServerWritableStream<unknown, unknown>) => {
          count(name);
          call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `${name} is not faked` });
        }
      : (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          count(name);
          if (handler === undefined) {
            callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not faked` });
            return;
          }
          handler(call.request).then(
            (response) => {
              callback(null, response);
            },
            (err: unknown) => {
              callback({ code: grpc.status.INTERNAL, details: String(err) });
            },
          );
        };
  }
  const server = new grpc.Server();
  server.addService(definition, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });
  return {
    remote: `sc://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.tryShutdown(() => {
          resolve();
        });
        setTimeout(() => {
          server.forceShutdown();
        }, 1_000).unref();
      }),
  };
}
