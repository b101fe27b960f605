#!/usr/bin/env bash
# Builds the service's image from the Dockerfile as $SERVICE_IMAGE (default spark-data-api:local),
# after making sure its base image node:24-bookworm-slim exists (scripts/node-image.sh builds an
# equivalent where no registry can provide it). With --test, then runs the image's tests
# (test/integration/service-image.test.ts), which also need the Spark image.
#
#   scripts/service-image.sh          # build
#   scripts/service-image.sh --test   # build, then test the image
set -euo pipefail
cd "$(dirname "$0")/.."

image="${SERVICE_IMAGE:-spark-data-api:local}"
node_image="${NODE_IMAGE:-node:24-bookworm-slim}"
run_tests=false
case "${1:-}" in
  "") ;;
  --test) run_tests=true ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

NODE_IMAGE="$node_image" scripts/node-image.sh

# Certificates npm trusts here that Node's own list (the one inside the image) lacks, such as a
# TLS-intercepting proxy's: `npm ci` inside the build needs them too. Taken from
# NODE_EXTRA_CA_CERTS or npm's `cafile` setting; nothing when neither is set.
extra_ca_certs() {
  local cafile="${NODE_EXTRA_CA_CERTS:-}"
  if [ -z "$cafile" ]; then
    cafile=$(npm config get cafile 2>/dev/null || true)
  fi
  if [ -z "$cafile" ] || [ "$cafile" = null ] || [ "$cafile" = undefined ] || [ ! -r "$cafile" ]; then
    return 0
  fi
  docker run --rm "$node_image" node -p 'require("tls").rootCertificates.join("\n")' |
    node -e '
      const fs = require("fs");
      const pems = (text) => text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
      const key = (pem) => pem.replace(/\s+/g, "");
      const known = new Set(pems(fs.readFileSync(0, "utf8")).map(key));
      const extra = pems(fs.readFileSync(process.argv[1], "utf8")).filter((pem) => !known.has(key(pem)));
      if (extra.length > 0) console.log(extra.join("\n"));
    ' "$cafile"
}
extra_ca=$(extra_ca_certs)
if [ -n "$extra_ca" ]; then
  echo "passing $(grep -c 'BEGIN CERTIFICATE' <<<"$extra_ca") CA certificate(s) that npm trusts here to the build"
fi

echo "building $image"
start=$(date +%s)
docker build --build-arg NODE_IMAGE="$node_image" --build-arg EXTRA_CA_CERTS="$extra_ca" -t "$image" .
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "built $image in $(($(date +%s) - start)) s: $((size / 1000000)) MB"

if "$run_tests"; then
  npm_config_loglevel=error scripts/spark-image.sh
  SERVICE_IMAGE="$image" TESTCONTAINERS_RYUK_DISABLED=true \
    node --import tsx --test --test-reporter=spec test/integration/service-image.test.ts
fi
