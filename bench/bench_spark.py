"""Benchmark of §4 on this machine: Spark start, ingestion, and the reference stream-stream join, end to end.

    python bench/bench_spark.py [--rides full|fared] [--via console|python] [--chunk 10000] [--pause 0.2]
                                [--conf KEY=VALUE ...]

As in the lab, Spark is started first and waits for data; then both files are replayed in chunks (the lab's
``split -l 10000 … ; sleep 0.2``), followed by the end-of-stream ticks. The join is the reference job's §4.4
cleaning and §4.5 join, written to a memory sink. Printed:

* Spark session start time (JVM launch to a usable SparkSession, connector jars included);
* ingestion rate of each topic (records/s, pauses included, as the lab paces it);
* time from the first record ingested to the complete join output (as many rows as the oracle expects);
* records/s through the join (input rows of all its micro-batches / time spent in them);
* the driver's peak memory: resident set (VmHWM) of the driver JVM, its heap peak, and this Python's peak.

Only 127.0.0.1 is contacted. The number of fares (444) is what the shipped data has: with the full ride file
the join reads 100,000 ride events but can output at most 429 rows.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checks.s4_streaming.oracle import Expected  # noqa: E402
from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402
from fixtures.spark.runtime import fetch  # noqa: E402
from fixtures.spark.session import build_session, driver_pid, peak_rss_bytes  # noqa: E402
from fixtures.system.wait import wait_until  # noqa: E402
from fixtures.taxi.files import FARED_RIDES, FARES, RIDES, read_lines  # noqa: E402
from fixtures.taxi.ingest import FARES_TOPIC, RIDES_TOPIC, create_topics, ingest  # noqa: E402
from fixtures.taxi.ticks import ticks_for  # noqa: E402

MB = 1024 * 1024


def jvm_heap_peak_bytes(spark) -> int:
    """Sum of the peak usage of the driver JVM's heap memory pools (eden, survivor, old)."""
    jvm = spark.sparkContext._jvm  # noqa: SLF001 - the management beans have no pyspark API
    pools = jvm.java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
    heap = jvm.java.lang.management.MemoryType.HEAP
    return sum(pool.getPeakUsage().getUsed() for pool in pools if pool.getType() == heap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rides", choices=("full", "fared"), default="full")
    parser.add_argument("--via", choices=("console", "python"), default="console")
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the join output")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="extra Spark setting, e.g. spark.driver.extraJavaOptions= for the default JIT")
    args = parser.parse_args(argv)

    ride_file = RIDES if args.rides == "full" else FARED_RIDES
    ticks = ticks_for(ride_file, FARES)
    rides = [*read_lines(ride_file), ticks.ride]
    fares = [*read_lines(FARES), ticks.fare]
    want = len(Expected.from_lines(rides, fares).joined)
    fetch(progress=lambda message: None)

    with EmbeddedCluster(brokers=1) as cluster:
        create_topics(cluster.bootstrap)
        started = time.monotonic()
        spark = build_session("bench-spark", dict(item.split("=", 1) for item in args.conf))
        session_s = time.monotonic() - started
        from reference.spark import sstreaming as job

        joined = job.join_fares_rides(
            job.parse_fares(job.read_topic(spark, cluster.bootstrap, FARES_TOPIC, "earliest")),
            job.clean_rides(job.parse_rides(job.read_topic(spark, cluster.bootstrap, RIDES_TOPIC, "earliest"))),
        )
        query = joined.writeStream.queryName("bench_joined").format("memory").outputMode("append").start()

        reports = ingest(cluster.bootstrap, rides, fares, chunk_size=args.chunk, pause_s=args.pause, via=args.via)
        first_sent = min(r.first_sent_at for r in reports.values())

        def output_rows() -> int:
            if query.exception() is not None:
                raise RuntimeError(f"the join query failed: {query.exception()}")
            return spark.sql("SELECT count(*) FROM bench_joined").collect()[0][0]

        wait_until(lambda: output_rows() >= want, args.timeout, f"{want} joined rows", interval=0.2)
        complete_s = time.monotonic() - first_sent
        query.processAllAvailable()  # the last batches (the ticks' no-data batch) are part of the work
        progress = query.recentProgress
        query.stop()
        rows_in = sum(p["numInputRows"] for p in progress)
        busy_ms = sum(p["durationMs"].get("triggerExecution", 0) for p in progress if p["numInputRows"])
        pid = driver_pid(spark)
        driver_rss = peak_rss_bytes(pid) if pid else None
        heap_peak = jvm_heap_peak_bytes(spark)
        spark.stop()

    print(f"Spark session start:           {session_s:6.1f} s")
    for report in reports.values():
        print(f"ingestion {report.topic:<10} ({args.via}): {report.records:>7} records in {report.seconds:5.1f} s = "
              f"{report.rate:8.0f} records/s ({report.chunks} chunks of {args.chunk}, {args.pause} s pause)")
    print(f"first record -> complete join: {complete_s:6.1f} s ({want} joined rows)")
    print(f"through the join:              {rows_in / (busy_ms / 1000):8.0f} records/s "
          f"({rows_in} input rows in {len(progress)} batches, {busy_ms / 1000:.1f} s busy)")
    if driver_rss is not None:
        print(f"driver JVM peak RSS:           {driver_rss / MB:6.0f} MiB (VmHWM)")
    print(f"driver JVM heap peak:          {heap_peak / MB:6.0f} MiB (sum of heap pools' peaks; -Xmx 1g)")
    print(f"this Python's peak RSS:        {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
