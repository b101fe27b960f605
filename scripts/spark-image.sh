#!/usr/bin/env bash
# Builds a Spark Connect server image locally, for machines that cannot pull apache/spark:
# debian:bookworm-slim + a Debian JRE + Spark's jars resolved from Maven Central by Maven.
# The image is tagged like the official one (apache/spark:<version>, or $SPARK_IMAGE), so
# the tests and `npm start` find it without further configuration.
#
#   npm run spark:image                 # the version pinned in package.json
#   SPARK_VERSION=4.1.3 npm run spark:image
#   FORCE=1 npm run spark:image         # rebuild even if the image exists
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
trap 'rm -rf "$context"' EXIT
resolve() {
  mvn -B -q -f "$here/spark-image/pom.xml" -Dspark.version="$version" -Dspark.mllib.version="$1" \
    dependency:copy-dependencies -DoutputDirectory="$context/jars" >"$context/maven.log" 2>&1
}

# The newest plain release of spark-mllib (no preview) of the same major version, not newer than
# $version, from the version list Maven keeps for the repository it uses.
earlier_mllib() {
  local repo major
  repo=$(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null |
    sed 's/\x1b\[[0-9;]*m//g')
  major=${version%%.*}
  # A range resolution makes Maven download the artifact's version list.
  resolve "[$major.0.0,$version]" || true
  cat "$repo"/org/apache/spark/spark-mllib_2.13/maven-metadata-*.xml 2>/dev/null |
    grep -o "<version>$major\.[0-9]*\.[0-9]*</version>" | sed 's/<[^>]*>//g' |
    { cat; echo "$version"; } | sort -uV | sed "/^$version\$/q" | grep -vx "$version" | tail -n 1 || true
}

echo "resolving Spark $version jars with Maven"
if ! resolve "$version"; then
  if ! grep -q "spark-mllib" "$context/maven.log"; then
    cat "$context/maven.log" >&2
    exit 1
  fi
  # The server needs Spark's ML classes only for ML requests and to clear a session's ML cache
  # on close, so a repository without this exact mllib release gets the newest earlier one.
  fallback=$(earlier_mllib || true)
  if [ -z "$fallback" ]; then
    echo "spark-mllib $version is not in the repository, nor an earlier ${version%%.*}.x release" >&2
    exit 1
  fi
  echo "spark-mllib $version is not in the repository; using $fallback"
  rm -rf "$context/jars"
  resolve "$fallback" || { cat "$context/maven.log" >&2; exit 1; }
fi
for jar in "$context"/jars/spark-connect_* "$context"/jars/spark-mllib_*; do echo "  ${jar##*/}"; done
for f in "${recipe_files[@]}"; do
  [ "$f" = pom.xml ] || cp "$here/spark-image/$f" "$context/"
done

echo "building $image"
docker build -q --build-arg BASE_IMAGE="$base" \
  --label org.opencontainers.image.version="$version" \
  --label dev.spark-data-api.recipe="$recipe" \
  -t "$image" "$context" >/dev/null
echo "built $image"
