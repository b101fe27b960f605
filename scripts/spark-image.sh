#!/usr/bin/env bash
# Builds a Spark Connect server image locally, for machines that cannot pull apache/spark, with
# Docker alone: debian:bookworm-slim + a Debian JRE + Spark's jars, which Maven resolves from
# Maven Central in a build stage (this machine needs neither Java nor Maven). The image is tagged
# like the official one (apache/spark:<version>, or $SPARK_IMAGE), so the tests and `npm start`
# find it without further configuration. `npm start` runs this when the image is neither present
# nor pullable.
#
#   npm run spark:image                 # the version pinned in package.json
#   SPARK_VERSION=4.1.2 npm run spark:image
#   EXTRA_CA_CERT=proxy-ca.crt npm run spark:image  # trust a TLS proxy's authority while building
#   FORCE=1 npm run spark:image         # rebuild even if the image exists
#   NO_CACHE=1 FORCE=1 npm run spark:image  # ... and every step of it, without Docker's cache
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
version="${SPARK_VERSION:-$(node -p "require('$root/package.json').config.sparkVersion")}"
image="${SPARK_IMAGE:-apache/spark:$version}"
base="${BASE_IMAGE:-debian:bookworm-slim}"

# The image records what it was built from; a change to the recipe rebuilds it.
# Every file of scripts/spark-image/ is part of the recipe (and of the build context).
recipe_files=()
for f in "$here"/spark-image/*; do recipe_files+=("$(basename "$f")"); done
recipe=$( { echo "$version"; for f in "${recipe_files[@]}"; do echo "$f"; cat "$here/spark-image/$f"; done; } |
  sha256sum | cut -c1-16)
if [ -z "${FORCE:-}" ] && docker image inspect "$image" >/dev/null 2>&1; then
  built=$(docker image inspect -f '{{ index .Config.Labels "dev.spark-data-api.recipe" }}' "$image")
  # An image without our label came from elsewhere (e.g. the official one): keep it.
  if [ "$built" = "$recipe" ] || [ "$built" = "<no value>" ] || [ -z "$built" ]; then
    echo "$image is present"
    exit 0
  fi
  echo "$image was built from an older recipe; rebuilding"
fi

if ! docker image inspect "$base" >/dev/null 2>&1 && ! docker pull "$base" >/dev/null 2>&1; then
  echo "$base cannot be pulled; building it with debootstrap" >&2
  BASE_IMAGE="$base" "$here/base-image.sh"
fi

context=$(mktemp -d)
log="$context.log"
trap 'rm -rf "$context" "$log"' EXIT
cp "$here"/spark-image/* "$context/"
# A network whose TLS proxy signs with its own authority: the build stage trusts what this
# machine trusts locally.
mkdir "$context/ca-certificates"
for crt in /usr/local/share/ca-certificates/*.crt "${EXTRA_CA_CERT:-}"; do
  if [ -f "$crt" ]; then cp "$crt" "$context/ca-certificates/"; fi
done

# Docker's output goes to $log; the terminal gets each step and a count of the jars downloaded.
progress() {
  local jars=0 line
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log"
    case $line in
      *"Downloaded from "*".jar ("*)
        jars=$((jars + 1))
        if [ -t 1 ]; then printf '\r  %d jars downloaded' "$jars"; elif [ $((jars % 50)) -eq 0 ]; then echo "  $jars jars downloaded"; fi ;;
      "Step "*|"#"*" ["*)
        if [ -t 1 ] && [ "$jars" -gt 0 ]; then echo; fi
        echo "${line:0:110}" ;;
      *"spark-image: "*)
        if [ -t 1 ] && [ "$jars" -gt 0 ]; then echo; fi
        jars=0
        echo "  ${line#*spark-image: }" ;;
    esac
  done
  return 0
}

echo "building $image (Spark $version) with Docker; Maven resolves Spark's jars in a build stage"
status=0
{ docker build ${NO_CACHE:+--no-cache} --build-arg BASE_IMAGE="$base" --build-arg SPARK_VERSION="$version" \
    --label org.opencontainers.image.version="$version" \
    --label dev.spark-data-api.recipe="$recipe" \
    -t "$image" "$context" 2>&1 || echo "spark-image: exit $?"; } | progress
if grep -q '^spark-image: exit ' "$log"; then
  echo "building $image failed; the last lines of Docker's output:" >&2
  grep -v 'Download' "$log" | tail -n 30 >&2
  exit 1
fi
echo "built $image"
