import { status as GrpcStatus } from '@grpc/grpc-js';
import type { FastifyPluginCallback } from 'fastify';
import { Errors } from '../errors/catalogue.js';
import { SparkError } from '../spark/errors.js';
import { jsonResponse, problems, statusSchema } from './openapi-responses.js';

export interface HealthOptions {
  /** Runs a trivial Spark call; resolves with Spark's version. */
  readonly probe: (signal: AbortSignal) => Promise<string>;
  readonly readyTimeoutMs: number;
  /** How long a probe's outcome answers `/readyz` before Spark is asked again. */
  readonly readyCacheMs: number;
}

/**
 * One Spark probe shared by every caller: while a probe runs, callers wait for it; once it
 * has settled, its outcome (ready or not) answers for `cacheMs`. Probes are unauthenticated,
 * so however often they come, Spark is asked at most once per period.
 */
export class SharedProbe {
  readonly #probe: () => Promise<string>;
  readonly #cacheMs: number;
  #outcome: Promise<string> | undefined;
  #settledAt: number | undefined;

  constructor(probe: () => Promise<string>, cacheMs: number) {
    this.#probe = probe;
    this.#cacheMs = cacheMs;
  }

  get(): Promise<string> {
    const settledAt = this.#settledAt;
    const fresh = settledAt === undefined || performance.now() - settledAt < this.#cacheMs;
    if (this.#outcome !== undefined && fresh) return this.#outcome;
    this.#settledAt = undefined;
    const outcome = this.#probe();
    this.#outcome = outcome;
    const settled = () => {
      if (this.#outcome === outcome) this.#settledAt = performance.now();
    };
    outcome.then(settled, settled);
    return outcome;
  }
}

/** `GET /healthz`: the process answers. `GET /readyz`: Spark answers too. */
export const healthRoutes: FastifyPluginCallback<HealthOptions> = (app, options, done) => {
  const probe = new SharedProbe(
    () => options.probe(AbortSignal.timeout(options.readyTimeoutMs)),
    options.readyCacheMs,
  );

  const probeSchema = { tags: ['service'], security: [] };
  app.get(
    '/healthz',
    {
      schema: {
        ...probeSchema,
        operationId: 'getHealth',
        summary: 'The process is alive',
        response: { 200: jsonResponse('Alive', statusSchema('ok')) },
      },
    },
    () => ({ status: 'ok' }),
  );

  const Ready = {
    type: 'object',
    required: ['status', 'sparkVersion'],
    properties: { status: { type: 'string', const: 'ready' }, sparkVersion: { type: 'string' } },
  };
  const readySchema = {
    ...probeSchema,
    operationId: 'getReadiness',
    summary: 'Spark answers',
    response: { 200: jsonResponse('Ready', Ready), ...problems(503) },
  };
  app.get('/readyz', { schema: readySchema }, async () => {
    try {
      return { status: 'ready', sparkVersion: await probe.get() };
    } catch (err) {
      throw new Errors.SparkUnavailable(unavailableReason(err), { cause: err });
    }
  });
  done();
};

function unavailableReason(err: unknown): string {
  if (!(err instanceof SparkError)) return 'no answer in time';
  if (err.credentialsRefused) return "it refused the service's credentials (check the token in SPARK_REMOTE)";
  return err.grpcCode === GrpcStatus.UNAVAILABLE ? 'unreachable' : 'it answered with an error';
}
