"""Run a submitted Spark script against a cluster, in a subprocess, with a timeout (the contract's harness side).

The script gets only what the contract promises (``reference/spark/README.md``): its six variables
(``KAFKA_BOOTSTRAP_SERVERS``, ``TAXI_RIDES_TOPIC``, ``TAXI_FARES_TOPIC``, ``TAXI_OUTPUT_DIR``,
``TAXI_CHECKPOINT_DIR``, ``TAXI_ZONES_FILE``), pyspark with the Kafka connector and the 2-core settings (through
``PYSPARK_SUBMIT_ARGS``), a private ``HOME`` and ``TMPDIR`` in its run folder, and no other variable of the
grader's environment. It runs through ``launch.py`` (copied into the run folder; it writes to
``KAFKALAB_HOOK_DIR``) so that its queries' progress, schemas and plans are recorded without any change to the
script. Its stdout and stderr go to files
in the run folder; a run that exceeds the timeout is killed (the whole process group: Python and its JVM).

With a cluster master (``--spark-master spark://HOST:PORT``) the driver still runs here, in the sandbox, and
the executors on the cluster's workers: they connect back to the driver (so the driver keeps the grader's
network, reported as a missing protection), read the brokers of ``StreamSource.bootstrap`` themselves, and
write the outputs and the state in the run folder (on a cluster of several machines it must be a folder they
mount at the same path). ``run_submissions`` runs several jobs at once that way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fixtures.sandbox import SPARK, Sandbox, SandboxReport, routes_for
from fixtures.spark.session import LOOPBACK, MASTER, submit_env
from fixtures.spark.standalone import cluster_conf, driver_host_for, is_cluster_master
from fixtures.system import reaper
from fixtures.system.wait import WaitTimeout, wait_until
from fixtures.taxi.zones import copy_zones_file

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "launch.py"
DEFAULT_TIMEOUT_S = 180.0
KILL_GRACE_S = 10.0
REAP_TIMEOUT_S = 15.0
# Variables a JVM and Python need to start at all; everything else of the grader's environment stays out.
_PASSED_THROUGH = ("PATH", "JAVA_HOME", "LANG", "LC_ALL")


@dataclass(frozen=True)
class StreamSource:
    """Where the submission reads: the cluster and the two topics of §4.1."""

    bootstrap: str
    rides_topic: str = "taxirides"
    fares_topic: str = "taxifares"


@dataclass
class SubmissionRun:
    """The outcome of one run: exit code (None when killed), whether the timeout hit, where things are."""

    script: Path
    workdir: Path
    returncode: int | None
    timed_out: bool
    duration_s: float
    timeout_s: float
    sandbox: SandboxReport | None = None

    @property
    def output_dir(self) -> Path:
        return self.workdir / "output"

    @property
    def hook_dir(self) -> Path:
        return self.workdir / "harness"

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "stdout.txt"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "stderr.txt"

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def output_tail(self, lines: int = 30) -> str:
        """The end of stdout and stderr, to show a student why the run failed."""
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            try:
                text = path.read_text(errors="replace").splitlines()
            except OSError:
                continue
            if text:
                parts.append(f"--- {path.name} (last {min(lines, len(text))} of {len(text)} lines) ---")
                parts.extend(text[-lines:])
        return "\n".join(parts) or "(the script printed nothing)"

    def describe(self) -> str:
        if self.timed_out:
            what = f"did not finish within {self.timeout_s:.0f}s and was stopped"
        elif self.returncode != 0:
            what = f"exited with code {self.returncode} after {self.duration_s:.1f}s"
        else:
            what = f"finished in {self.duration_s:.1f}s"
        if self.sandbox is not None and self.sandbox.refused_anything:
            what += f" (sandbox: {self.sandbox.summary()})"
        elif self.sandbox is not None and self.sandbox.missing:
            # Said in the report (issue 24): on a standalone cluster the executors' code is not sandboxed.
            what += f" (not sandboxed: {', '.join(self.sandbox.missing)})"
        return f"{self.script.name} {what}\n{self.output_tail()}"


def submission_env(target: StreamSource, workdir: Path, extra_conf: dict[str, str] | None = None,
                   master: str = MASTER) -> dict[str, str]:
    env = {key: os.environ[key] for key in _PASSED_THROUGH if key in os.environ}
    cluster = is_cluster_master(master)
    home = workdir / "home"
    tmp = workdir / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home), TMPDIR=str(tmp), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1",
        PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
        SPARK_LOCAL_IP=driver_host_for(master) if cluster else LOOPBACK, SPARK_LOCAL_HOSTNAME="localhost",
        KAFKA_BOOTSTRAP_SERVERS=target.bootstrap,
        TAXI_RIDES_TOPIC=target.rides_topic, TAXI_FARES_TOPIC=target.fares_topic,
        TAXI_OUTPUT_DIR=str(workdir / "output"), TAXI_CHECKPOINT_DIR=str(workdir / "checkpoints"),
        KAFKALAB_HOOK_DIR=str(workdir / "harness"),
        # The taxi zones (the problem's neighbourhoods), copied: a sandboxed run may not read the shared data.
        TAXI_ZONES_FILE=str(copy_zones_file(workdir / "data")),
    )  # fmt: skip
    conf = {"spark.local.dir": str(tmp), **(cluster_conf(master) if cluster else {}), **(extra_conf or {})}
    env.update(submit_env(conf, master))
    return env


def run_submission(script: Path, target: StreamSource, workdir: Path | None = None,
                   timeout: float = DEFAULT_TIMEOUT_S, extra_conf: dict[str, str] | None = None,
                   master: str = MASTER) -> SubmissionRun:
    """Run ``script`` to completion or until ``timeout``; never raises for what the script does. ``master``:
    Spark inside the driver (``local[2]``, the default) or a cluster's master URL (``spark://HOST:PORT``)."""
    script = Path(script).resolve()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="kafkalab-spark-run-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    launcher = workdir / "launch.py"
    shutil.copyfile(LAUNCHER, launcher)
    env = submission_env(target, workdir, extra_conf, master)
    sandbox = spark_sandbox(script, target, workdir, timeout, is_cluster_master(master))
    started = time.monotonic()
    with open(workdir / "stdout.txt", "wb") as out, open(workdir / "stderr.txt", "wb") as err:
        proc = sandbox.popen([sys.executable, str(launcher), str(script)], env, out, err, cwd=workdir)
        reaper.adopt(proc.pid, own_group=True)  # Spark's JVM and workers end with the grader, even on SIGTERM
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
        _reap_group(proc.pid)
        reaper.release(proc.pid)
    output = "".join(p.read_text(errors="replace") for p in (workdir / "stdout.txt", workdir / "stderr.txt"))
    report = sandbox.close(output)
    return SubmissionRun(script, workdir, None if timed_out else proc.returncode, timed_out,
                         time.monotonic() - started, timeout, report)


def spark_sandbox(script: Path, target: StreamSource, workdir: Path, timeout: float,
                  on_cluster: bool = False) -> Sandbox:
    """The job's sandbox: its run folder its only one (outputs, checkpoints, Spark's temp), its script's folder
    read-only, the other runs hidden, only the grader's broker(s) reachable; Spark's limits. The wall clock is
    a backstop behind ``timeout`` (which stops the job first, with SIGTERM). On a cluster the driver keeps the
    grader's network: the executors connect back to it (``Sandbox`` reports the namespace as missing)."""
    limits = SPARK.but(wall_s=timeout + 2 * KILL_GRACE_S + 30)
    routes = None if on_cluster else routes_for(target.bootstrap)
    sandbox = Sandbox(workdir, "spark", limits, routes, hide=[workdir.parent], expose=[(script.parent, False)])
    if on_cluster:
        sandbox.missing.append("the executors' sandbox (they run on the cluster's workers, as the workers' user)")
    return sandbox


def run_submissions(jobs: list[tuple[Path, StreamSource, Path]], master: str, at_once: int,
                    timeout: float = DEFAULT_TIMEOUT_S) -> list[SubmissionRun]:
    """Several students' jobs (script, target, run folder), ``at_once`` at a time on the cluster at ``master``
    (each job takes one core of it: ``at_once`` should not exceed the workers' cores, or jobs wait for one
    within their timeout). The runs, in the order of ``jobs``."""
    with ThreadPoolExecutor(max_workers=max(1, at_once), thread_name_prefix="spark-job") as pool:
        return list(pool.map(lambda job: run_submission(*job, timeout=timeout, master=master), jobs))


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the script's process group (Python and the Spark JVM), SIGKILL after a grace period."""
    for sig, grace in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, KILL_GRACE_S)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _reap_group(pgid: int) -> None:
    """Kill what is left of the script's own process group (a JVM that outlived its Python), and wait until
    it is gone, so that the job's slot is free only when its cores are (``spark_slot``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(WaitTimeout):
        wait_until(lambda: _group_gone(pgid), REAP_TIMEOUT_S, f"process group {pgid} to exit")
