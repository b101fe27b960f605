#!/usr/bin/env bash
# Runs in the image's build stage: resolves the jars of a Spark Connect server from Maven Central
# alone (settings.xml) into a folder. Maven prints each download, which spark-image.sh counts.
#   resolve-jars.sh <spark version> <folder>
set -euo pipefail

version=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)

resolve() {
  rm -rf "$out"
  {
    mvn -B -s "$here/settings.xml" -f "$here/pom.xml" -Dspark.version="$version" -Dspark.mllib.version="$1" \
      dependency:copy-dependencies -DoutputDirectory="$out" 2>&1
    echo $? >"$log.status"
  } | tee "$log" | grep --line-buffered -F 'Downloaded from' || true
  [ "$(cat "$log.status")" -eq 0 ]
}

# The newest plain release of spark-mllib (no preview) of the same major version, not newer than
# $version, from the version list Maven keeps for the repository.
earlier_mllib() {
  local major=${version%%.*}
  # A range resolution makes Maven download the artifact's version list.
  resolve "[$major.0.0,$version]" >/dev/null || true
  cat ~/.m2/repository/org/apache/spark/spark-mllib_2.13/maven-metadata-*.xml 2>/dev/null |
    grep -o "<version>$major\.[0-9]*\.[0-9]*</version>" | sed 's/<[^>]*>//g' |
    { cat; echo "$version"; } | sort -uV | sed "/^$version\$/q" | grep -vx "$version" | tail -n 1 || true
}

echo "spark-image: resolving Spark $version jars from Maven Central"
if ! resolve "$version"; then
  if ! grep -q "spark-mllib" "$log"; then
    grep -E '^\[(ERROR|WARNING)\]' "$log" | sed 's/^/spark-image: /' >&2
    exit 1
  fi
  # The server needs Spark's ML classes only for ML requests and to clear a session's ML cache
  # on close, so a repository without this exact mllib release gets the newest earlier one.
  fallback=$(earlier_mllib)
  if [ -z "$fallback" ]; then
    echo "spark-image: spark-mllib $version is not on Maven Central, nor an earlier ${version%%.*}.x release" >&2
    exit 1
  fi
  echo "spark-image: spark-mllib $version is not on Maven Central; using $fallback"
  resolve "$fallback" || { grep -E '^\[ERROR\]' "$log" | sed 's/^/spark-image: /' >&2; exit 1; }
fi
echo "spark-image: $(find "$out" -name '*.jar' | wc -l) jars, among them $(cd "$out" && echo spark-connect_* spark-mllib_*)"
