"""Benchmark of the §3.1 reference scripts on the embedded cluster (prints figures; not a test).

    python bench/bench_velib.py [--polls 100] [--latency-polls 20] [--interval 0.5]

1. Producer: records/s of ``velib-get-stations.py`` polling the stand-in API (real snapshots, looped) with
   no pause, into a 10-partition topic. Two figures: its own count over the time spent fetching and
   sending (``busy``), and over the wall time of the whole process (Python start and Kafka connection
   included).
2. Monitor: records/s of ``velib-monitor-stations.py`` reading that topic in a fresh group, from its
   first record to its last, and over the wall time until its group's lag is 0.
3. End to end: the monitor runs, the producer polls at ``--interval``; for each line the monitor prints,
   the delay since the stand-in served the snapshot that caused it (the line is matched to its snapshot
   through the oracle, station by station).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from checks.s3_1_velib.oracle import expected_changes, parse_line  # noqa: E402
from fixtures import clients  # noqa: E402 - after the path fix, so that the script runs from anywhere
from fixtures.jcdecaux import JCDecauxStandIn, load_snapshots, make_api_key  # noqa: E402
from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402
from fixtures.system.wait import wait_until  # noqa: E402

PRODUCER = REPO / "reference" / "velib" / "velib-get-stations.py"
MONITOR = REPO / "reference" / "velib" / "velib-monitor-stations.py"
SUMMARY = re.compile(r"(\w+)=([\d.]+)")


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JCDECAUX")}
    return {**base, "PYTHONUNBUFFERED": "1", **extra}


def summary(stderr: str) -> dict[str, float]:
    line = next(line for line in reversed(stderr.splitlines()) if "summary:" in line)
    return {k: float(v) for k, v in SUMMARY.findall(line.split("summary:", 1)[1])}


def lag(admin, group: str, topic: str) -> int:
    from kafka import TopicPartition
    from kafka.admin import OffsetSpec

    (described,) = admin.describe_topics([topic])
    parts = [TopicPartition(topic, p["partition_index"]) for p in described["partitions"]]
    ends = {tp.partition: o.offset for tp, o in admin.list_partition_offsets(
        {tp: OffsetSpec.LATEST for tp in parts}).items()}
    done = {tp.partition: m.offset for tp, m in admin.list_group_offsets(group).get(group, {}).items()}
    return sum(end - max(done.get(p, 0), 0) for p, end in ends.items())


def create_topic(admin, topic: str, partitions: int) -> None:
    from kafka.admin import NewTopic

    admin.create_topics([NewTopic(topic, partitions, 1)])
    wait_until(lambda: all(p["leader_id"] >= 0 for p in admin.describe_topics([topic])[0]["partitions"]),
               30, f"leaders for {topic}")


def bench_producer(cluster: EmbeddedCluster, api: JCDecauxStandIn, key: str, topic: str, polls: int) -> int:
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(PRODUCER), "--bootstrap-servers", cluster.bootstrap, "--url",
                           api.url, "--topic", topic, "--max-polls", str(polls), "--interval", "0"],
                          env=env(JCDECAUX_API_KEY=key), capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"producer failed:\n{done.stderr}")
    figures = summary(done.stderr)
    records = int(figures["records"])
    print(f"producer: {records} records in {polls} polls; {figures['rate']:.0f} records/s busy "
          f"({figures['busy_s']:.2f} s fetching+sending), {records / wall:.0f} records/s wall ({wall:.2f} s)")
    return records


def bench_monitor(cluster: EmbeddedCluster, admin, topic: str, records: int) -> None:
    group = f"bench-monitor-{secrets.token_hex(4)}"
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(MONITOR), "--bootstrap-servers", cluster.bootstrap, "--topic",
                             topic, "--group", group, "--max-records", str(records), "--idle-timeout", "60"],
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, stderr = proc.communicate(timeout=600)
    wall = time.monotonic() - started
    caught_up = lag(admin, group, topic) == 0
    figures = summary(stderr)
    print(f"monitor: {int(figures['records'])} records, {int(figures['lines'])} lines; "
          f"{figures['rate']:.0f} records/s first→last record ({figures['span_s']:.2f} s), "
          f"{records / wall:.0f} records/s wall ({wall:.2f} s, lag 0: {caught_up})")


def bench_latency(cluster: EmbeddedCluster, admin, key: str, polls: int, interval: float) -> None:
    topic, group = "bench-latency", f"bench-latency-{secrets.token_hex(4)}"
    create_topic(admin, topic, 10)
    snapshots = load_snapshots()[:polls]
    changes = expected_changes([s.stations for s in snapshots])
    queues: dict[tuple, deque] = defaultdict(deque)
    for change in changes:
        queues[change.station].append(change.snapshot)
    ids = {(s["contract_name"], s["address"]): (s["contract_name"], s["number"])
           for snap in snapshots for s in snap.stations}

    stamped: list[tuple[float, str]] = []
    monitor = subprocess.Popen([sys.executable, str(MONITOR), "--bootstrap-servers", cluster.bootstrap, "--topic",
                                topic, "--group", group, "--verbose", "--idle-timeout", "120"],
                               env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    assigned = threading.Event()

    def read_stdout() -> None:
        assert monitor.stdout is not None
        for line in monitor.stdout:
            stamped.append((time.time(), line.rstrip("\n")))

    def read_stderr() -> None:
        assert monitor.stderr is not None
        for line in monitor.stderr:
            if "partitions assigned: [0" in line:
                assigned.set()

    threads = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        wait_until(assigned.is_set, 60, "the monitor to get its partitions")
        with JCDecauxStandIn(key, snapshots) as api:
            producer = subprocess.run([sys.executable, str(PRODUCER), "--bootstrap-servers", cluster.bootstrap,
                                       "--url", api.url, "--topic", topic, "--max-polls", str(polls),
                                       "--interval", str(interval)],
                                      env=env(JCDECAUX_API_KEY=key), capture_output=True, text=True, timeout=600)
            if producer.returncode != 0:
                raise SystemExit(f"producer failed:\n{producer.stderr}")
            served = {s.index: s.wall for s in api.served}
        wait_until(lambda: len(stamped) >= len(changes), 60, f"{len(changes)} monitor lines")
    finally:
        monitor.terminate()
        monitor.wait(timeout=30)

    delays: list[float] = []
    first_per_snapshot: dict[int, float] = {}
    for at, line in stamped:
        parsed = parse_line(line)
        if parsed is None:
            continue
        snapshot = queues[ids[(parsed[2], parsed[1])]].popleft()
        delay = at - served[snapshot]
        delays.append(delay)
        first_per_snapshot[snapshot] = min(first_per_snapshot.get(snapshot, delay), delay)
    delays.sort()
    ms = [1000 * d for d in delays]
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"end to end (snapshot served → its line printed), {len(ms)} lines over {polls} snapshots, "
          f"producer interval {interval:g} s: min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, "
          f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms; first line of a snapshot: median "
          f"{1000 * statistics.median(first_per_snapshot.values()):.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polls", type=int, default=100, help="producer polls for the throughput figures")
    parser.add_argument("--latency-polls", type=int, default=20, help="snapshots for the latency (max 20)")
    parser.add_argument("--interval", type=float, default=0.5, help="producer pause in the latency run")
    args = parser.parse_args()

    key = make_api_key()
    with tempfile.TemporaryDirectory(prefix="bench-velib-") as workdir, \
            EmbeddedCluster(brokers=1, workdir=Path(workdir)) as cluster:
        print(f"embedded cluster: Kafka {cluster.version}, 1 broker, ready in {cluster.ready_s:.1f} s; "
              f"{os.cpu_count()} CPU(s)")
        admin = clients.admin(cluster.bootstrap, timeout_s=15)
        try:
            create_topic(admin, "bench-velib", 10)
            with JCDecauxStandIn(key, loop=True) as api:
                records = bench_producer(cluster, api, key, "bench-velib", args.polls)
            bench_monitor(cluster, admin, "bench-velib", records)
            bench_latency(cluster, admin, key, min(args.latency_polls, 20), args.interval)
        finally:
            admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
