import { envSchema } from 'env-schema';
import Type, { type Static } from 'typebox';
import { parseConnectionString, redact, type SparkEndpoint } from './spark/connection-string.js';

/** The environment the service reads, with defaults; this file is the only reader of `process.env`. */
export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 in containers).' }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  SPARK_REMOTE: Type.String({
    default: 'sc://localhost:15002',
    description: 'Spark Connect connection string: sc://host:port/;token=…;user_id=…;use_ssl=…',
  }),
  READY_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 100,
    description: 'How long /readyz waits for Spark to answer.',
  }),
  SHUTDOWN_GRACE_MS: Type.Integer({
    default: 10000,
    minimum: 0,
    description: 'How long shutdown lets requests finish before closing.',
  }),
});
export type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly spark: SparkEndpoint;
  /** The connection string with its token hidden, for logs. */
  readonly sparkRemote: string;
  readonly readyTimeoutMs: number;
  readonly shutdownGraceMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment once and returns the frozen configuration; throws saying what to fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let values: Env;
  try {
    values = envSchema<Env>({ schema: EnvSchema, data: env, dotenv: false });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`, { cause: err });
  }
  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    spark: parseConnectionString(values.SPARK_REMOTE),
    sparkRemote: redact(values.SPARK_REMOTE),
    readyTimeoutMs: values.READY_TIMEOUT_MS,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
  });
}
