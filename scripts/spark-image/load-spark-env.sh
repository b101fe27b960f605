# shellcheck shell=bash
# Sourced by bin/spark-class, as in Spark's own distribution: reads $SPARK_CONF_DIR/spark-env.sh
# once, and exports SPARK_SCALA_VERSION.
#
# SPARK_SCALA_VERSION matters beyond this script. Spark's launcher library, which builds the java
# command for spark-class and which a standalone Worker also uses in-process to build every
# executor's command (WorkerCommandBuilder), asks for the Scala version before it looks for
# $SPARK_HOME/jars; without the variable it looks for a source build (launcher/target/scala-2.13)
# and fails with "Cannot find any build directories". The Worker hands its own environment on, so
# exporting it here, before the Worker starts, is what lets workers start executors.

if [ -z "${SPARK_ENV_LOADED:-}" ]; then
  export SPARK_ENV_LOADED=1
  export SPARK_CONF_DIR="${SPARK_CONF_DIR:-${SPARK_HOME}/conf}"
  if [ -f "${SPARK_CONF_DIR}/spark-env.sh" ]; then
    set -a
    # shellcheck disable=SC1091
    . "${SPARK_CONF_DIR}/spark-env.sh"
    set +a
  fi
fi

# The jars in this image are Spark's Scala 2.13 build (scripts/spark-image/pom.xml).
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.13}"
