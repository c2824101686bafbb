"""Benchmark of the version matrix: one line per Kafka version, side by side. Prints figures, asserts nothing.

For each version (2.7 ZooKeeper, 3.9 ZooKeeper, 4.x KRaft): the time until the embedded cluster is ready
(one broker: ZooKeeper + broker, or one combined KRaft node with its storage formatted; then the §3.2 layout:
ZooKeeper + 2 brokers, or a controller + 2 brokers) and the time to grade §2's checks on the one-broker cluster
(a pytest subprocess, the mode found from what answers).

Usage: python bench/bench_versions.py [--versions 2.7.0,3.9.2,4.x]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402
from fixtures.runtime import fetch  # noqa: E402


def grade_s2(cluster: EmbeddedCluster) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "--step", "2.1",
                           "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return time.monotonic() - started, lines[-1] if lines else done.stderr[-200:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", default="2.7.0,3.9.2,4.x")
    args = parser.parse_args()
    print(f"{'Kafka':8} {'mode':10} {'1 broker ready':>15} {'2 brokers ready':>16} {'grade §2.1':>11}  "
          "result (empty cluster: the topic checks fail)")
    for version in args.versions.split(","):
        runtime = fetch(version, progress=lambda _m: None)
        mode = "KRaft" if runtime.version.kraft_only else "ZooKeeper"
        with EmbeddedCluster(brokers=1, version=version) as cluster:
            one = cluster.ready_s
            graded, summary = grade_s2(cluster)
        with EmbeddedCluster(brokers=2, version=version) as cluster:
            two = cluster.ready_s
        print(f"{runtime.version.version:8} {mode:10} {one:14.1f}s {two:15.1f}s {graded:10.1f}s  {summary}", flush=True)


if __name__ == "__main__":
    main()
