import { status as GrpcStatus } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { Errors } from '../errors.js';
import { SparkError } from '../spark/errors.js';

export interface HealthOptions {
  /** Runs a trivial Spark call; resolves with Spark's version. */
  readonly probe: (signal: AbortSignal) => Promise<string>;
  readonly readyTimeoutMs: number;
}

/** `GET /healthz`: the process answers. `GET /readyz`: Spark answers too. */
export function healthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    try {
      const sparkVersion = await options.probe(AbortSignal.timeout(options.readyTimeoutMs));
      return { status: 'ready', sparkVersion };
    } catch (err) {
      throw new Errors.SparkUnavailable(unavailableReason(err), { cause: err });
    }
  });
}

function unavailableReason(err: unknown): string {
  if (!(err instanceof SparkError)) return 'no answer in time';
  if (err.credentialsRefused) return "it refused the service's credentials (check the token in SPARK_REMOTE)";
  return err.grpcCode === GrpcStatus.UNAVAILABLE ? 'unreachable' : 'it answered with an error';
}
