"""Fixtures of the harness's own tests: run the graded checks for real, in a subprocess, and read the results.

Also the two tiers (``tox -e unit``: pure tests; ``tox -e integration``: real clusters, simulated hosts, Spark),
and, under CI, the skips that may happen (tests/allowed_skips.toml): see tests/tiers.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from kazoo.client import KazooClient

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.paths import REPO
from fixtures.system.wait import wait_until

from .tiers import (  # noqa: F401 - pytest hooks, found here by name
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_deselected,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

# The property tests check what is computed, not how fast: on a loaded 2-core machine (the integration tier runs
# three workers beside clusters and JVMs) hypothesis's 200 ms deadline and its too_slow health check fail correct
# properties ("Unreliable test timings"). Loaded before any test module is imported, so every @settings inherits it.
# Under CI (CI=true) the examples are derived from each test, the same every run: CI's verdict is the code's, not
# the luck of a draw (a random run found a real pre-flight bug once in many, and failed a submission on it).
# Elsewhere the draws are random: KAFKALAB_HYPOTHESIS_EXAMPLES=N runs each property (those without their own
# max_examples) on N examples, not 100, to search harder; what it finds becomes a hand-picked test.
settings.register_profile("kafkalab", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          max_examples=int(os.environ.get("KAFKALAB_HYPOTHESIS_EXAMPLES", "100")),
                          derandomize=os.environ.get("CI", "").lower() == "true")
settings.load_profile("kafkalab")

GRADE_TIMEOUT_S = 300


@dataclass
class GradeRun:
    """What one ``pytest checks …`` run gave: the outcome of every check for one target, and its output."""

    outcomes: dict[str, str]
    results: list[dict]
    output: str
    returncode: int
    grade_on_20: float | None = None

    def reason(self, check: str) -> str:
        return next(r["reason"] for r in self.results if r["check"] == check)

    @property
    def applicable(self) -> dict[str, str]:
        """The outcomes without the checks of the other Kafka mode (ZooKeeper's under KRaft and the reverse)."""
        return {r["check"]: r["outcome"] for r in self.results if not r["reason"].startswith("not applicable")}

    def result(self, check: str) -> dict:
        return next(r for r in self.results if r["check"] == check)


def checks_command(report_dir: Path, *args: str) -> list[str]:
    """``pytest checks --report-dir …`` as an instructor runs it, in this interpreter."""
    return [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
            "--report-dir", str(report_dir), *args]


def grade(tmp_path: Path, *args: str, timeout: float = GRADE_TIMEOUT_S) -> GradeRun:
    """Run the checks as an instructor would (``pytest checks --report-dir …``) and return the results."""
    report_dir = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}"
    done = subprocess.run(checks_command(report_dir, *args), cwd=REPO, capture_output=True, text=True, timeout=timeout)
    files = list(report_dir.glob("*.json"))
    assert len(files) == 1, f"expected one result file, got {files}\n{done.stdout}\n{done.stderr}"
    data = json.loads(files[0].read_text())
    outcomes = {r["check"]: r["outcome"] for r in data["results"]}
    return GradeRun(outcomes, data["results"], done.stdout + done.stderr, done.returncode,
                    data.get("meta", {}).get("grade_on_20"))


@dataclass
class ClassRun:
    """A graded roster: outcomes and grades per student, the report folder, and pytest's output."""

    outcomes: dict[str, dict[str, str]]
    grades: dict[str, float]
    results: dict[str, list[dict]]
    report_dir: Path
    output: str

    def reason(self, student: str, check: str) -> str:
        return next(r["reason"] for r in self.results[student] if r["check"] == check)


class ClassGrading:
    """A roster's grading started in the background (``pytest checks --roster …``): several may run at once, as
    instructors' graders do (their objects on a student's cluster are named by run), and :meth:`result` waits."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.report_dir = tmp_path / "report"
        self._log = tmp_path / "pytest-output.txt"
        with open(self._log, "wb") as log:  # a file, not a pipe: two gradings' output never blocks either
            self._proc = subprocess.Popen(checks_command(self.report_dir, *args), cwd=REPO, stdout=log,
                                          stderr=subprocess.STDOUT)

    def result(self, timeout: float = GRADE_TIMEOUT_S) -> ClassRun:
        try:
            self._proc.wait(timeout=timeout)
        finally:
            self.stop()
        output = self._log.read_text(errors="replace")
        data = [json.loads(path.read_text()) for path in self.report_dir.glob("*.json")]
        assert data, f"no result file\n{output}"
        return ClassRun({d["target"]: {r["check"]: r["outcome"] for r in d["results"]} for d in data},
                        {d["target"]: d["meta"]["grade_on_20"] for d in data},
                        {d["target"]: d["results"] for d in data}, self.report_dir, output)

    def stop(self) -> None:
        """Kill the grading if it still runs (a test that failed or timed out waiting for another)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


def grade_class(tmp_path: Path, *args: str, timeout: float = GRADE_TIMEOUT_S) -> ClassRun:
    return ClassGrading(tmp_path, *args).result(timeout)


@pytest.fixture
def run_checks(tmp_path: Path):
    return lambda *args, **kw: grade(tmp_path, *args, **kw)


# ------------------------------------------------------------------ clusters shared by the whole run
# Starting ZooKeeper and a broker costs seconds of both cores: the modules that only read and write topics share
# one cluster for the session, in the order pytest runs them (never two tests at once). A test that breaks a
# cluster (stops a broker, changes its configs at start) still starts its own.
EMPTY_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def one_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedCluster]:
    """ZooKeeper and one broker for the whole run (the modules' ``cluster``, through :func:`emptied`)."""
    with EmbeddedCluster(brokers=1, workdir=tmp_path_factory.mktemp("one-broker")) as running:
        yield running


@pytest.fixture(scope="module")
def cluster(one_broker: EmbeddedCluster) -> EmbeddedCluster:
    """The run's shared one-broker cluster, emptied of what earlier modules left (a module that breaks a
    cluster defines its own ``cluster`` instead)."""
    return emptied(one_broker)


def deletions_done(cluster: EmbeddedCluster) -> bool:
    """No topic deletion pending on the cluster's ZooKeeper (KRaft deletes within the metadata: nothing to wait)."""
    if cluster.zookeeper is None:
        return True
    zk = KazooClient(hosts=str(cluster.zookeeper_endpoint), timeout=5)
    zk.start(timeout=5)
    try:
        return not (zk.exists("/admin/delete_topics") and zk.get_children("/admin/delete_topics"))
    finally:
        zk.stop()
        zk.close()


def emptied(cluster: EmbeddedCluster) -> EmbeddedCluster:
    """The shared cluster as a module that started its own found it: no topic (but Kafka's own) and no group.

    The graded checks look for the lab's names (``conversation``, ``mygroup``, ``taxirides`` …), so modules that
    grade cannot be isolated by names alone: each such module starts from an empty cluster instead."""
    admin = clients.admin(cluster.bootstrap, timeout_s=15)
    try:
        topics = [t for t in admin.list_topics() if not t.startswith("__")]
        if topics:
            admin.delete_topics(topics)
            wait_until(lambda: not set(topics) & set(admin.list_topics()), EMPTY_TIMEOUT_S,
                       f"topics {sorted(topics)} deleted")
            # Gone from the metadata is not gone: until the controller has finished the deletion, creating the
            # same name again is refused as "marked for deletion" and the new topic never gets ready (seen: the
            # taxi ingestion module after the Spark one, both on `taxirides`).
            wait_until(lambda: deletions_done(cluster), EMPTY_TIMEOUT_S,
                       f"the deletion of {sorted(topics)} to finish (ZooKeeper's /admin/delete_topics empty)")
        groups = [g["group_id"] for g in admin.list_groups()]
        if groups:
            admin.delete_groups(groups)
    finally:
        admin.close()
    return cluster

