# The spark-data-api service: compiled JavaScript on Node.js 24, production dependencies only,
# running as the unprivileged "node" user (uid 1000).
#
#   docker build -t spark-data-api:local .
#   docker run -p 8080:8080 -e SPARK_REMOTE=sc://spark-host:15002 spark-data-api:local
#
# Behind a TLS-intercepting proxy, give npm the proxy's CA for the build (only the build stages
# see it): --build-arg EXTRA_CA_CERTS="$(cat proxy-ca.pem)". scripts/service-image.sh does this.
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies, in a stage of their own so that a change to the sources reuses them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ARG EXTRA_CA_CERTS=""
COPY package.json package-lock.json .npmrc ./
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" >/tmp/extra-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; \
    fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier \
 && rm -rf /root/.npm /tmp/*

# The compiler and the rest of the devDependencies, for `npm run build` (src/ -> dist/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ARG EXTRA_CA_CERTS=""
COPY package.json package-lock.json .npmrc ./
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" >/tmp/extra-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; \
    fi \
 && npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="spark-data-api" \
      org.opencontainers.image.description="HTTP and GraphQL data API over Apache Spark Connect" \
      org.opencontainers.image.licenses="Apache-2.0"
# MALLOC_MMAP_THRESHOLD_: buffers of 128 KiB and more get pages of their own, which go back to the
# system when they are freed (scripts/malloc-env.ts says why; npm start and the bench set it too).
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    MALLOC_MMAP_THRESHOLD_=131072 \
    HOST=0.0.0.0 \
    PORT=8080 \
    SPARK_REMOTE=sc://spark:15002
WORKDIR /app
# Everything belongs to root and is read-only for the service. package.json sits next to dist/:
# the service reads its own version from it at run time. datasets/ holds the demo datasets file,
# the default DATASETS_FILE (relative to /app); mount your own and point DATASETS_FILE at it.
COPY package.json ./
COPY datasets ./datasets
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The node user, by number, so that Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 8080}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
