import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDependencies } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DatasetRegistry } from '../../src/datasets/registry.js';
import { sparkRemote } from './spark-remote.js';

export interface Served {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/** The service on a real port, against the suite's Spark. */
export async function serve(
  env: Record<string, string>,
  registry?: DatasetRegistry,
  dependencies: Omit<AppDependencies, 'registry'> = {},
): Promise<Served> {
  const config = loadConfig({
    SPARK_REMOTE: sparkRemote(),
    LOG_LEVEL: 'silent',
    PORT: '0',
    ANONYMOUS: 'true',
    ...env,
  });
  const app = await buildApp(config, { ...dependencies, ...(registry === undefined ? {} : { registry }) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address, close: () => app.close() };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: NodeJS.Dict<string>;
  readonly body: Buffer;
  text(): string;
  json(): unknown;
}

/** An HTTP request that reads the whole answer, trailers included. */
export function call(
  method: string,
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            trailers: res.trailers,
            body,
            text: () => body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
