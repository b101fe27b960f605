import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GraphiQL at /graphiql, from the service's own copies of its browser bundles (graphiql 3,
 * the last release with a prebuilt bundle, on React 18): the page works without internet, and
 * its Content-Security-Policy lets it load nothing from another origin.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // GraphiQL's fonts are data: URLs inside its stylesheet.
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The files the page loads, by the name it asks for. */
function assets(): Map<string, { type: string; body: Buffer | string }> {
  const file = (name: string, path: string) => readFileSync(join(packageDir(name), path));
  const js = 'application/javascript; charset=utf-8';
  return new Map<string, { type: string; body: Buffer | string }>([
    ['react.js', { type: js, body: file('react', 'umd/react.production.min.js') }],
    ['react-dom.js', { type: js, body: file('react-dom', 'umd/react-dom.production.min.js') }],
    ['graphiql.js', { type: js, body: file('graphiql', 'graphiql.min.js') }],
    ['graphiql.css', { type: 'text/css; charset=utf-8', body: file('graphiql', 'graphiql.min.css') }],
    [
      'page.css',
      { type: 'text/css; charset=utf-8', body: 'html, body, #graphiql { height: 100%; margin: 0; }\n' },
    ],
    ['start.js', { type: js, body: START }],
  ]);
}

const DEFAULT_QUERY = `# Datasets of this server, then a query of one of them.
{
  datasets {
    name
    description
  }
}
`;

/** Renders GraphiQL against /graphql of the same server (relative, so a path prefix works). */
const START = `'use strict';
(function () {
  var url = new URL('graphql', window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: url });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · spark-data-api</title>
<link rel="stylesheet" href="graphiql/assets/graphiql.css">
<link rel="stylesheet" href="graphiql/assets/page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="graphiql/assets/react.js"></script>
<script src="graphiql/assets/react-dom.js"></script>
<script src="graphiql/assets/graphiql.js"></script>
<script src="graphiql/assets/start.js"></script>
</body>
</html>
`;

/**
 * Serves the page and its assets. The files (1.5 MB) are read on the first request for one and
 * kept from then on: a service whose GraphiQL is never opened does not hold them.
 */
export function graphiqlPage(app: FastifyInstance): void {
  let files: ReturnType<typeof assets> | undefined;
  app.get('/graphiql', { schema: { hide: true } }, (_request, reply) =>
    reply.header('content-security-policy', GRAPHIQL_CSP).type('text/html; charset=utf-8').send(PAGE),
  );
  app.get<{ Params: { file: string } }>(
    '/graphiql/assets/:file',
    { schema: { hide: true } },
    (request, reply) => {
      files ??= assets();
      const asset = files.get(request.params.file);
      if (asset === undefined) {
        reply.callNotFound();
        return reply;
      }
      return reply
        .header('content-security-policy', GRAPHIQL_CSP)
        .header('cache-control', 'public, max-age=3600')
        .type(asset.type)
        .send(asset.body);
    },
  );
}
