#!/usr/bin/env bash
# Starts a Spark Connect server in the foreground, accepting the same options as Spark's
# own sbin/start-connect-server.sh that matter here: --conf key=value, --master and
# --driver-memory. Other spark-submit options are refused, so nothing is silently ignored.
set -euo pipefail

spark_home="${SPARK_HOME:-/opt/spark}"
memory="${SPARK_DRIVER_MEMORY:-1g}"
props=()

while [ "$#" -gt 0 ]; do
  case "$1" in
    --conf|-c) conf="$2"; shift 2 ;;
    --conf=*) conf="${1#--conf=}"; shift ;;
    --master) props+=("-Dspark.master=$2"); shift 2 ;;
    --driver-memory) memory="$2"; shift 2 ;;
    --wait) shift ;;
    *) echo "start-connect-server.sh: unsupported option '$1'" >&2; exit 2 ;;
  esac
  if [ -n "${conf:-}" ]; then
    # The driver's heap is fixed when the JVM starts, as spark-submit does for this conf.
    case "$conf" in
      spark.driver.memory=*) memory="${conf#spark.driver.memory=}" ;;
      *) props+=("-D$conf") ;;
    esac
    conf=""
  fi
done

# The module flags Spark's launcher adds on Java 17+.
jvm_flags=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

exec java "${jvm_flags[@]}" "-Xmx${memory}" \
  -Dspark.master=local[*] \
  -Dspark.app.name="Spark Connect server" \
  "${props[@]}" \
  -cp "${spark_home}/jars/*" \
  org.apache.spark.sql.connect.service.SparkConnectServer
