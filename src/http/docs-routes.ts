import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import type { Config } from '../config.js';
import type { QueryService } from '../service/query-service.js';
import { openApiDocument } from './openapi.js';
import { ServedOpenApi } from './openapi-served.js';

/**
 * The API page loads its own assets and the document, nothing from another origin. Swagger UI
 * sets a few inline styles from its script, hence 'unsafe-inline' for styles (never scripts).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The service's name in the page's top bar. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40" viewBox="0 0 220 40">' +
  '<text x="0" y="28" font-family="sans-serif" font-size="24" font-weight="bold" fill="#fff">spark-data-api</text></svg>';

const DOCUMENT = Symbol('the served OpenAPI document');
type WithDocument = FastifyRequest & { [DOCUMENT]?: Record<string, unknown> };

/**
 * `GET /openapi.yaml` and `/openapi.json`, and the API page at `/docs` (Swagger UI, served from
 * the service's own copy), all showing the document served to the caller.
 */
export interface DocsOptions {
  readonly config: Config;
  readonly queries: QueryService;
}

export const docsRoutes: FastifyPluginAsync<DocsOptions> = async (app, { config, queries }) => {
  const served = new ServedOpenApi(config, queries, app.log, () => openApiDocument(app));
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    theme: { title: 'spark-data-api · API' },
    logo: { type: 'image/svg+xml', content: LOGO },
    uiConfig: { tryItOutEnabled: true, displayOperationId: true, defaultModelsExpandDepth: 0 },
    uiHooks: {
      preHandler: (request: WithDocument, _reply, done) => {
        if (!request.url.endsWith('/json') && !request.url.endsWith('/yaml')) {
          done();
          return;
        }
        served.document(request.principal).then(
          (document) => {
            request[DOCUMENT] = document;
            done();
          },
          (err: unknown) => {
            done(err as Error);
          },
        );
      },
    },
    transformSpecificationClone: false,
    transformSpecification: (specification, request) => (request as WithDocument)[DOCUMENT] ?? specification,
  });
  const documentSchema = { tags: ['service'], security: [] };
  const yamlSchema = {
    ...documentSchema,
    operationId: 'getOpenApiYaml',
    summary: 'This document, with an operation per dataset the caller may use',
    response: {
      200: { description: 'OpenAPI 3.1', content: { 'application/yaml': { schema: { type: 'string' } } } },
    },
  };
  const jsonSchema = {
    ...documentSchema,
    operationId: 'getOpenApiJson',
    summary: 'This document as JSON',
    response: {
      200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  };
  app.get('/openapi.yaml', { schema: yamlSchema }, async (request, reply) =>
    reply
      .type('application/yaml')
      .send(stringify(await served.document(request.principal), { lineWidth: 0 })),
  );
  // Sent as text: the response schema describes the document, it must not filter it.
  app.get('/openapi.json', { schema: jsonSchema }, async (request, reply) =>
    reply.type('application/json').send(JSON.stringify(await served.document(request.principal))),
  );
};
