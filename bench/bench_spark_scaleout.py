"""Benchmark of per-student Spark grading: local mode one job after another, then a standalone cluster.

    python bench/bench_spark_scaleout.py [--at-once 4] [--worker-cores 4] [--worker-memory 4g] [--timeout 600]

Ten students: the reference job and nine broken variants of ``tests/spark/variants/`` (all but the one that
never finishes, which would only measure its timeout), each in its own folder. Each is graded as an
instructor grades it, ``pytest checks -m spark_script --spark-script …`` in a subprocess against one Kafka
cluster of this machine (each run makes and fills its own topics):

1. local mode (the default): Spark inside each job's driver, the ten one after another;
2. ``--spark-master``: a standalone master and worker from pyspark's distribution on 127.0.0.1, and the ten
   jobs ``--at-once`` at a time (each takes one core of the worker).

Printed: each student's outcomes in both modes (they must agree), both totals, the speed-up, the peak memory of
each phase (the resident set of every process the benchmark started, sampled twice a second: the Kafka broker
and ZooKeeper, the graders, the sandboxed drivers, and the Spark daemons and executors in phase 2), and the
load average (the machine may be shared). Only 127.0.0.1 is contacted. Not part of CI: it takes a while.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.kafka.cluster import EmbeddedCluster  # noqa: E402
from fixtures.spark.runtime import fetch  # noqa: E402
from fixtures.spark.standalone import StandaloneCluster  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference" / "spark" / "sstreaming.py"
VARIANTS = REPO / "tests" / "spark" / "variants"
LEFT_OUT = {"never_finishes"}  # it only waits for its timeout
MB = 1024 * 1024


# How a variant finds the reference it changes; in a student's folder the reference copy is beside it.
REFERENCE_PATH = 'Path(__file__).resolve().parents[3] / "reference" / "spark"'


def students(root: Path, count: int = 10) -> dict[str, Path]:
    """``count`` students' folders (the sandbox shows a job its own folder only): the reference's ``sstreaming.py``,
    and for a variant its ``job.py`` beside it (the variant imports the reference and changes one thing)."""
    variants = [p for p in sorted(VARIANTS.glob("*.py")) if p.stem not in LEFT_OUT]
    scripts = {}
    for name, variant in [("reference", None), *((v.stem, v) for v in variants)][:count]:
        folder = root / "students" / name
        folder.mkdir(parents=True)
        shutil.copy(REFERENCE, folder / "sstreaming.py")
        scripts[name] = folder / "sstreaming.py"
        if variant is not None:
            text = variant.read_text()
            assert REFERENCE_PATH in text, f"{variant.name} no longer loads the reference as expected"
            (folder / "job.py").write_text(text.replace(REFERENCE_PATH, "Path(__file__).resolve().parent"))
            scripts[name] = folder / "job.py"
    return scripts


def grade(name: str, script: Path, cluster: EmbeddedCluster, out: Path, timeout: float,
          master: str | None) -> tuple[str, dict[str, str], float]:
    """One student's grading run; returns its outcome per check and its wall time."""
    report, basetemp = out / name / "report", out / name / "tmp"  # own basetemp: runs overlap in phase 2
    cmd = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q", "-m", "spark_script",
           "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", cluster.bootstrap,
           "--spark-bootstrap", cluster.bootstrap, "--spark-script", str(script), "--spark-timeout", str(timeout),
           "--check-timeout", "30", "--report-dir", str(report), "--basetemp", str(basetemp)]
    if master:
        cmd += ["--spark-master", master]
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout + 600)
    seconds = time.monotonic() - started
    files = list(report.glob("*.json"))
    if len(files) != 1:
        print(f"  {name}: no result file\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}", file=sys.stderr)
        return name, {}, seconds
    results = json.loads(files[0].read_text())["results"]
    return name, {r["check"]: r["outcome"] for r in results}, seconds


class PeakMemory:
    """The peak of the summed resident set of this process's descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, descendants_rss(os.getpid()))


def descendants_rss(root: int) -> int:
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = {k: v for k, _, v in (line.partition(":") for line in (entry / "status").read_text().splitlines())}
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024 if "VmRSS" in fields else 0
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root and pid != root:
            total += rss[pid]
    return total


def report_reasons(folder: Path) -> str:
    reasons = {r["reason"] for path in folder.glob("report/*.json") for r in json.loads(path.read_text())["results"]}
    return "; ".join(sorted(reasons))[:500]


def summary(outcomes: dict[str, str]) -> str:
    passed = sum(1 for o in outcomes.values() if o == "passed")
    return f"{passed}/{len(outcomes)} passed" if outcomes else "no result"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=10, help="how many students (default 10, at most 10)")
    parser.add_argument("--at-once", type=int, default=4, help="jobs at a time on the cluster (default 4)")
    parser.add_argument("--worker-cores", type=int, default=4, help="cores the worker offers (default 4)")
    parser.add_argument("--worker-memory", default="4g", help="memory the worker offers (default 4g)")
    parser.add_argument("--timeout", type=float, default=600.0, help="--spark-timeout of each job (default 600 s)")
    args = parser.parse_args(argv)
    fetch(progress=lambda message: None)
    root = Path(tempfile.mkdtemp(prefix="kafkalab-bench-scaleout-"))
    scripts = students(root, args.students)
    load_before = os.getloadavg()
    try:
        with EmbeddedCluster(brokers=1, workdir=root / "kafka") as cluster:
            print(f"{len(scripts)} students: {', '.join(scripts)}", flush=True)
            local: dict[str, tuple[dict[str, str], float]] = {}
            with PeakMemory() as local_memory:
                started = time.monotonic()
                for name, script in scripts.items():
                    _, outcomes, seconds = grade(name, script, cluster, root / "local", args.timeout, None)
                    local[name] = (outcomes, seconds)
                    print(f"  local   {name:<20} {seconds:6.1f} s  {summary(outcomes)}", flush=True)
                    if name == "reference" and set(outcomes.values()) != {"passed"}:
                        print(f"the reference does not pass here ({report_reasons(root / 'local' / name)}): "
                              "no figure would mean anything", file=sys.stderr)
                        return 2
                local_s = time.monotonic() - started
            load_between = os.getloadavg()
            with PeakMemory() as cluster_memory:
                started = time.monotonic()
                with StandaloneCluster(root / "spark", cores=args.worker_cores, memory=args.worker_memory) as spark:
                    cluster_start_s = time.monotonic() - started
                    with ThreadPoolExecutor(max_workers=args.at_once) as pool:
                        futures = [pool.submit(grade, name, script, cluster, root / "cluster", args.timeout, spark.url)
                                   for name, script in scripts.items()]
                        remote = {}
                        for future in futures:
                            name, outcomes, seconds = future.result()
                            remote[name] = (outcomes, seconds)
                            print(f"  cluster {name:<20} {seconds:6.1f} s  {summary(outcomes)}", flush=True)
                    cluster_s = time.monotonic() - started
    finally:
        shutil.rmtree(root, ignore_errors=True)
    load_after = os.getloadavg()
    same = all(local[name][0] == remote[name][0] and local[name][0] for name in scripts)
    print()
    print(f"local mode, one after another:  {local_s:7.1f} s for {len(scripts)} students "
          f"({local_s / len(scripts):.1f} s each); peak memory {local_memory.peak / MB:6.0f} MiB")
    print(f"standalone cluster, {args.at_once} at once: {cluster_s:7.1f} s, of which {cluster_start_s:.1f} s to start "
          f"the master and worker; peak memory {cluster_memory.peak / MB:6.0f} MiB")
    print(f"speed-up: {local_s / cluster_s:.2f}x (without the cluster's start: "
          f"{local_s / (cluster_s - cluster_start_s):.2f}x)")
    print(f"same outcomes in both modes: {'yes' if same else 'NO'}")
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}; between: {:.1f} {:.1f} {:.1f}; after: "
          "{:.1f} {:.1f} {:.1f} ({} cores)".format(*load_before, *load_between, *load_after, os.cpu_count()))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
