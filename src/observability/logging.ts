import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

/**
 * Where secrets could appear in a log line, censored whatever logs them: credentials in
 * request and response headers (Fastify's serializers leave headers out, but a handler or a
 * plugin may log them), and Spark's token, should a connection's settings be logged (the
 * configuration keeps it in `spark.token`; the connection string it logs is redacted).
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  'headers.cookie',
  'token',
  '*.token',
  '*.*.token',
];

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** The service's pino options: JSON lines at the configured level, with secrets censored. */
export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
}
