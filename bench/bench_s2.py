"""Benchmark of the foundation (§2): prints figures, asserts nothing.

- time to fetch the Kafka runtime, cold (empty caches) and warm;
- time until ZooKeeper and the broker are ready;
- time to grade §2 on the reference (reference answers played first, then graded);
- the cost of a dead host: one that does not resolve, one that refuses, one that drops packets;
- peak memory (RSS) of ZooKeeper, the broker, and the grader.

Usage: python bench/bench_s2.py [--skip-cold]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.kafka.cluster import EmbeddedCluster, free_port  # noqa: E402
from fixtures.runtime import fetch  # noqa: E402
from tests.support import hosts  # noqa: E402
from tests.support.simulated_class import cut_off  # noqa: E402


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


_RUN_PYTEST = ("import resource, sys, pytest; code = pytest.main(sys.argv[1:]); "
               "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)")


def timed_grade(*args: str) -> tuple[float, float, str]:
    """Run `pytest checks` in a subprocess; returns (seconds, the grader's own peak RSS in MiB, summary line).

    The peak is the pytest process's own (RUSAGE_SELF), not the JVMs it starts."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _RUN_PYTEST, "checks", "-q", "-p", "no:cacheprovider", "--step", "2",
                           *args],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    peak = next((int(line.split()[1]) / 1024 for line in lines if line.startswith("PEAK_RSS_KIB")), float("nan"))
    summary = [line for line in lines if not line.startswith("PEAK_RSS_KIB")]
    return elapsed, peak, summary[-1] if summary else done.stderr[-200:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-cold", action="store_true", help="do not download everything again")
    args = parser.parse_args()
    quiet = lambda _message: None  # noqa: E731

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as m2:
            os.environ["KAFKALAB_MAVEN_REPO"] = m2
            started = time.monotonic()
            fetch("3.9.2", root=Path(cache), progress=quiet)
            print(f"fetch Kafka 3.9.2, cold (empty kafkalab cache and Maven repo): {time.monotonic() - started:6.1f} s")
            del os.environ["KAFKALAB_MAVEN_REPO"]
    started = time.monotonic()
    fetch("3.9.2", progress=quiet)
    print(f"fetch Kafka 3.9.2, warm:                                      {time.monotonic() - started:6.2f} s")

    with EmbeddedCluster(brokers=1) as cluster:
        print(f"ZooKeeper ready after:                                        {cluster.zookeeper_ready_s:6.1f} s")
        print(f"ZooKeeper + broker ready after:                               {cluster.ready_s:6.1f} s")
        args_ = ["--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap]
        elapsed, _, last = timed_grade(*args_)
        print(f"grade §2 on an empty cluster (checks only):                   {elapsed:6.1f} s  ({last})")
        zk_pid, broker_pid = cluster.zookeeper.proc.pid, cluster.servers[0].proc.pid
        zk_mem, broker_mem = peak_rss_mib(zk_pid), peak_rss_mib(broker_pid)
    print(f"peak RSS ZooKeeper / broker (heap -Xmx384M):                  {zk_mem:6.0f} / {broker_mem:.0f} MiB")

    elapsed, grader_mem, last = timed_grade()
    print(f"grade §2 on the reference (start, play all, grade, stop):         {elapsed:6.1f} s  ({last})")
    print(f"peak RSS of the grader (pytest process):                      {grader_mem:6.0f} MiB")

    elapsed, _, last = timed_grade("--target", "pi-node99.invalid")
    print(f"dead host, does not resolve (whole run):                      {elapsed:6.1f} s  ({last})")
    elapsed, _, last = timed_grade("--zookeeper", f"127.0.0.1:{free_port()}", "--bootstrap",
                                   f"127.0.0.1:{free_port()}")
    print(f"dead host, refuses (whole run):                               {elapsed:6.1f} s  ({last})")
    if hosts.available() is None:
        with hosts.simulated_host("pi-drops-packets") as pi:
            cut_off(pi)
            elapsed, _, last = timed_grade("--target", pi.name)
        print(f"dead host, drops packets (whole run):                         {elapsed:6.1f} s  ({last})")
    else:
        print(f"dead host, drops packets: not measured ({hosts.available()})")
    elapsed, _, last = timed_grade("--help")
    print(f"pytest start-up alone (baseline):                             {elapsed:6.1f} s")


if __name__ == "__main__":
    main()
