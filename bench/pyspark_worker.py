"""The PySpark Connect side of `npm run bench`: one warm session, driven by JSON lines.

Started as `python pyspark_worker.py <sc://connection-string> <shuffle partitions>`. Each line on
stdin is a command; each answer is one JSON line on stdout. DataFrames are built once per command
and only the action is timed (`toArrow()`, `collect()`), so PySpark is measured at its fastest.
"""

import json
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyspark
from pyspark.sql import SparkSession


def main() -> None:
    remote, shuffle_partitions = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.remote(remote).getOrCreate()
    spark.conf.set("spark.sql.shuffle.partitions", shuffle_partitions)
    answer({"ready": True, "sparkVersion": spark.version, "client": pyspark.__version__})
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "quit":
            break
        try:
            if op == "arrow":
                answer(arrow(spark, command))
            elif op == "small":
                answer(small(spark, command))
            else:
                answer({"error": f"unknown op {op}"})
        except Exception as err:  # reported to the driver, which fails the run
            answer({"error": f"{type(err).__name__}: {err}"})
    spark.stop()


def answer(value: dict) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def arrow(spark: SparkSession, command: dict) -> dict:
    """`toArrow()` of the query with the service's row cap: wall time, CPU time and rows."""
    df = spark.sql(command["sql"]).limit(command["limit"])
    cpu = cpu_seconds()
    started = time.perf_counter()
    table = df.toArrow()
    ms = (time.perf_counter() - started) * 1000
    return {"ms": ms, "cpuSeconds": cpu_seconds() - cpu, "rows": table.num_rows}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def small(spark: SparkSession, command: dict) -> dict:
    """`requests` timed `collect()` calls, `concurrency` at a time, after `warmup` untimed ones."""
    df = spark.sql(command["sql"]).limit(command["limit"])
    concurrency = command["concurrency"]
    for _ in range(command["warmup"]):
        df.collect()
    latencies: list[float] = []
    lock = threading.Lock()
    rows = [0]

    def one(_: int) -> None:
        started = time.perf_counter()
        result = df.collect()
        ms = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(ms)
            rows[0] = len(result)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(command["requests"])))
    wall_ms = (time.perf_counter() - started) * 1000
    return {"latenciesMs": latencies, "wallMs": wall_ms, "rows": rows[0]}


if __name__ == "__main__":
    main()
