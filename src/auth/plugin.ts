import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Errors, withExtras } from '../errors/catalogue.js';
import { requireScope } from './access.js';
import { FailureThrottle } from './failure-throttle.js';
import {
  AuthenticationError,
  Authenticator,
  OPEN_ANONYMOUS,
  type AuthenticatorOptions,
} from './authenticate.js';
import type { Principal, Scope } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set for every route that is not public. */
    principal?: Principal;
  }
}

/** Routes anyone may call: probes, the API description and its page. */
function isPublic(url: string | undefined): boolean {
  return (
    url === undefined ||
    url === '/healthz' ||
    url === '/readyz' ||
    url === '/openapi.yaml' ||
    url === '/openapi.json' ||
    url === '/docs' ||
    url.startsWith('/docs/') ||
    url.startsWith('/graphiql')
  );
}

/** Public routes whose answer depends on who asks, when credentials say so: the API document. */
const DESCRIBES_CALLER = new Set(['/openapi.yaml', '/openapi.json', '/docs/json', '/docs/yaml']);

/** The scope a route needs beyond being authenticated. */
const SCOPE_OF: Readonly<Record<string, Scope>> = {
  '/v1/datasets': 'datasets:read',
  '/v1/datasets/:name': 'datasets:read',
  '/v1/datasets/:name/rows': 'datasets:read',
  '/v1/datasets/:name/query': 'datasets:read',
  '/v1/sql': 'sql:execute',
  '/graphql': 'datasets:read',
  '/graphql/schema.graphql': 'datasets:read',
  '/metrics': 'admin',
};

export interface AuthOptions {
  readonly config: Config;
  /** How credentials are read beyond the configuration (the claims of row filters). */
  readonly authenticator?: AuthenticatorOptions;
}

/**
 * Authentication on every route that is not public (401 with WWW-Authenticate), failed
 * attempts throttled per client address before credentials are looked at (429), per-principal
 * rate limits (429) counted before the route's scope is checked (403), and overload protection
 * (503), all answered with the catalogue's problems. Its hooks and `request.principal` are the
 * whole app's (fastify-plugin): register it before the routes.
 */
const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { config, authenticator: options = {} }) => {
  const { auth } = config;
  const authenticator =
    auth.file !== undefined
      ? await Authenticator.fromFile(auth.file, options)
      : await Authenticator.create(auth.anonymous ? { anonymous: OPEN_ANONYMOUS } : {}, options);
  const failures = new FailureThrottle({ max: auth.failuresMax, windowMs: auth.failuresWindowMs });

  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (isPublic(url)) {
      // Credentials sent to the API document choose what it shows; refused ones (counted
      // against their address like any other) and throttled addresses get the generic one.
      if (DESCRIBES_CALLER.has(url ?? '') && failures.retryAfter(request.ip) === undefined) {
        const principal = await authenticator.authenticate(request.headers).catch((err: unknown) => {
          if (err instanceof AuthenticationError && err.invalidToken) failures.failed(request.ip);
          return undefined;
        });
        if (principal !== undefined) request.principal = principal;
      }
      return;
    }
    const wait = failures.retryAfter(request.ip);
    if (wait !== undefined) throw withExtras(new Errors.RateLimited(wait), { retryAfter: wait });
    try {
      request.principal = await authenticator.authenticate(request.headers);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      void reply.header(
        'www-authenticate',
        err.invalidToken
          ? `Bearer realm="spark-data-api", error="invalid_token", error_description="${err.message}"`
          : 'Bearer realm="spark-data-api"',
      );
      throw new Errors.Unauthorized(err.message);
    }
  });
  // Every refusal of credentials or of access counts against the address it came from.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 || reply.statusCode === 403) failures.failed(request.ip);
    done(null, payload);
  });

  await app.register(rateLimit, {
    global: true,
    // Right after authentication, so requests refused later (403 included) count too.
    hook: 'onRequest',
    max: auth.rateLimitMax,
    timeWindow: auth.rateLimitWindowMs,
    // Anonymous callers are told apart by address, everyone else by credentials.
    keyGenerator: (request) =>
      request.principal === undefined || request.principal.id === 'anonymous'
        ? `ip:${request.ip}`
        : request.principal.id,
    allowList: (request) => isPublic(request.routeOptions.url),
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return withExtras(new Errors.RateLimited(seconds), { retryAfter: seconds });
    },
  });

  app.addHook('preValidation', (request, _reply, done) => {
    const scope = SCOPE_OF[request.routeOptions.url ?? ''];
    try {
      if (scope !== undefined && request.principal !== undefined) requireScope(request.principal, scope);
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  await app.register(underPressure, {
    maxEventLoopDelay: auth.overloadEventLoopDelayMs,
    retryAfter: 5,
    // Probes still answer under pressure; everything else is refused until it passes.
    pressureHandler: (request) =>
      isPublic(request.routeOptions.url)
        ? undefined
        : Promise.reject(withExtras(new Errors.Overloaded(), { retryAfter: 5 })),
  });
};

export const auth = fp(authPlugin, { name: 'auth' });
