"""Benchmark of §3.2 (replication survival): prints figures, asserts nothing.

On a 2-broker embedded cluster with `velib-stations` at replication factor 2 and 10 partitions:

- stop → full leadership on the surviving broker (every partition led by it, ISR shrunk to it), for a clean
  stop (SIGTERM, what kafka-server-stop.sh sends) and for a hard kill (SIGKILL), next to the brokers'
  zookeeper.session.timeout.ms: a killed broker is only noticed when its ZooKeeper session expires;
- restart → no partition under-replicated, then → leadership back on the preferred replicas
  (leader.imbalance.check.interval.seconds);
- the destructive check's own phases, total and restore time, as `pytest checks` reports them.

Usage: python bench/bench_replication.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kafka.admin import NewTopic  # noqa: E402

from checks.s3_2_multinode.survival import under_replicated  # noqa: E402
from fixtures import clients  # noqa: E402
from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402
from fixtures.kafka.facts import describe_topic  # noqa: E402
from fixtures.system.wait import wait_until  # noqa: E402
from reference.s3_2 import CLUSTER_OVERRIDES  # noqa: E402

TOPIC = "velib-stations"
HEAP = "-Xmx384M -Xms64M"


def facts(bootstrap: list[str]):
    admin = clients.admin(bootstrap, timeout_s=5)
    try:
        return describe_topic(admin, TOPIC), under_replicated(admin)
    finally:
        admin.close()


def all_on(survivor: str, node: int) -> bool:
    topic, _ = facts([survivor])
    return topic is not None and all(p.leader == node and p.isr == [node] for p in topic.partitions)


def outage(cluster: EmbeddedCluster, how: str) -> dict[str, float]:
    bootstrap = cluster.bootstrap.split(",")
    survivor = bootstrap[1]
    figures: dict[str, float] = {}
    started = time.monotonic()
    if how == "clean stop (SIGTERM)":
        cluster.stop_broker(0)
    else:
        os.killpg(cluster.servers[0].proc.pid, signal.SIGKILL)
        cluster.servers[0].proc.wait(timeout=30)
    figures["process gone"] = time.monotonic() - started
    wait_until(lambda: all_on(survivor, 1), 120, "broker 1 to lead every partition with ISR [1]")
    figures["stop → full leadership on broker 1"] = time.monotonic() - started
    restarted = time.monotonic()
    cluster.start_broker(0)
    wait_until(lambda: not facts(bootstrap)[1], 120, "no partition under-replicated")
    figures["restart → no under-replicated partition"] = time.monotonic() - restarted
    wait_until(lambda: {p.leader for p in facts(bootstrap)[0].partitions} == {0, 1}, 120,
               "leadership back on both brokers")
    figures["restart → leadership back on broker 0"] = time.monotonic() - restarted
    return figures


def destructive_check(cluster: EmbeddedCluster, workdir: Path) -> tuple[float, dict]:
    configs = ",".join(str(s.config) for s in cluster.servers)
    report = workdir / "report"
    env = dict(os.environ, KAFKA_HEAP_OPTS=HEAP, LOG_DIR=str(workdir / "daemon-logs"))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "-k", "survives",
                    "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap,
                    "--allow-destructive", "--control", "local", "--kafka-home", str(cluster.runtime.home),
                    "--broker-configs", configs, "--journal", str(workdir / "journal.json"),
                    "--report-dir", str(report)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - started
    data = json.loads(next(report.glob("127.0.0.1.json")).read_text())
    result = next(r for r in data["results"] if r["check"] == "test_replication_survives_a_broker_shutdown")
    return elapsed, result


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kafkalab-bench-replication-"))
    overrides = {i: dict(CLUSTER_OVERRIDES) for i in range(2)}
    with EmbeddedCluster(brokers=2, workdir=workdir / "cluster", heap=HEAP, broker_overrides=overrides) as cluster:
        session_ms = int(next(line.split("=", 1)[1] for line in cluster.servers[0].config.read_text().splitlines()
                              if line.startswith("zookeeper.session.timeout.ms=")))
        admin = clients.admin(cluster.bootstrap.split(","))
        admin.create_topics([NewTopic(TOPIC, 10, 2)])
        wait_until(lambda: (f := facts(cluster.bootstrap.split(","))[0]) and all(len(p.isr) == 2 for p in f.partitions),
                   60, f"{TOPIC} fully in sync")
        admin.close()
        interval = CLUSTER_OVERRIDES["leader.imbalance.check.interval.seconds"]
        print(f"zookeeper.session.timeout.ms = {session_ms} ms; leader.imbalance.check.interval.seconds = {interval}")
        for how in ("clean stop (SIGTERM)", "hard kill (SIGKILL)"):
            figures = outage(cluster, how)
            print(f"\n{how}:")
            for name, seconds in figures.items():
                ratio = f"  ({seconds * 1000 / session_ms:.2f} × session timeout)" if "leadership on broker 1" in name \
                    else ""
                print(f"  {name:42s} {seconds:6.2f} s{ratio}")
        elapsed, result = destructive_check(cluster, workdir)
        print(f"\ndestructive check (pytest checks -k survives, --control local): {result['outcome']}, "
              f"{elapsed:.1f} s with pytest's start-up")
        print(f"  phases: {result['found']}")
        # The grader restarted broker 0 as a daemon: stop it before the cluster stops ZooKeeper.
        from fixtures.control.runners import LocalRunner
        from fixtures.control.scripts import BrokerScripts, ScriptControl

        control = ScriptControl(LocalRunner(), [BrokerScripts(str(cluster.runtime.home), str(s.config))
                                                for s in cluster.servers])
        for index in range(2):
            if not cluster.servers[index].running and control.is_running(index):
                control.stop(index, 90)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
