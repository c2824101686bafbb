"""Benchmark of the JVM options the lab's scripts start Java with: prints figures, asserts nothing.

For each option set, one embedded cluster (ZooKeeper and a broker, or Kafka 4's combined node) is started, a topic
of 3 partitions created, 20,000 keyed records produced and consumed again; printed: the time to a ready cluster,
the whole run, and each JVM's CPU seconds (user + system, from /proc) at the end. CPU is what a loaded grader runs
short of; it is measured per process, so other load on the machine changes it little (the wall clock it does).

Usage: python bench/bench_jvm.py [--version 3.9.2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402

from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402

RECORDS = 20_000
# The scripts' default (fixtures/runtime/scripts.py) and Kafka's own kafka-run-class.sh default.
OPTIONS = {
    "quick JIT, serial GC (the scripts' default)": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "Kafka's own (G1, full JIT)": "-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 "
                                  "-XX:+ExplicitGCInvokesConcurrent",
}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def one_run(version: str, options: str) -> str:
    os.environ["KAFKA_JVM_PERFORMANCE_OPTS"] = options  # the scripts read it; the cluster passes os.environ on
    started = time.monotonic()
    with EmbeddedCluster(brokers=1, version=version) as cluster:
        ready = time.monotonic() - started
        bootstrap = str(cluster.bootstrap)
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
        admin.create_topics([NewTopic("bench", 3, 1)])
        admin.close()
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        for index in range(RECORDS):
            producer.send("bench", key=str(index % 100).encode(), value=b"x" * 100)
        producer.flush(timeout=60)
        producer.close()
        consumer = KafkaConsumer("bench", bootstrap_servers=bootstrap, group_id="bench",
                                 auto_offset_reset="earliest", consumer_timeout_ms=15_000)
        consumed = sum(1 for _ in consumer)
        consumer.close()
        processes = [p for p in (cluster.zookeeper, cluster.controller, *cluster.servers) if p and p.proc]
        cpu = ", ".join(f"{p.name} {cpu_seconds(p.proc.pid):4.1f} s" for p in processes)
        total = time.monotonic() - started
    return f"ready {ready:5.1f} s, run {total:5.1f} s, {consumed} records back; CPU: {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default="3.9.2")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"Kafka {args.version}, {RECORDS} records, load average {os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds):
        for label, options in OPTIONS.items():
            print(f"{label:45s} {one_run(args.version, options)}", flush=True)


if __name__ == "__main__":
    main()
