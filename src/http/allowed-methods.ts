import type { FastifyInstance } from 'fastify';
import FindMyWay from 'find-my-way';

type Method = FindMyWay.HTTPMethod;

/**
 * The methods each path answers, learned from the routes as they are added (Fastify's own
 * lookups only say whether a method and path match), so that a known path asked with another
 * method gets 405 and an `Allow` header rather than 404. Create it before adding routes.
 */
export class AllowedMethods {
  readonly #router = FindMyWay({ ignoreTrailingSlash: false });
  readonly #methods = new Set<Method>();

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods as Method[]) {
        if (this.#router.hasRoute(method, route.url)) continue;
        this.#router.on(method, route.url, () => undefined);
        this.#methods.add(method);
      }
    });
  }

  /** The methods a URL (path and query) answers; empty when no route has its path. */
  of(url: string): Method[] {
    return [...this.#methods].filter((method) => {
      try {
        return this.#router.find(method, url) !== null;
      } catch {
        return false;
      }
    });
  }
}
