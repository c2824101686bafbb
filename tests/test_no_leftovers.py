"""No process left behind (issue 17): after a grading run ends normally, by Ctrl-C or by SIGTERM, nothing it
started is still running — consumers run as processes, the embedded cluster's JVMs.

Each run's processes are found by a token in their environment, which every descendant inherits (a JVM
started in its own session too), so the test sees exactly that run's leftovers, whoever else is running.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kafka.admin import NewTopic

from fixtures.kafka import clients
from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.paths import REPO
from fixtures.system.wait import WaitTimeout, wait_until

from .conftest import emptied

pytestmark = pytest.mark.slow
MARK = "KAFKALAB_LEFTOVER_PROBE"


def marked(token: str) -> list[str]:
    """Live processes (pid and command line) whose environment carries ``token``."""
    found = []
    needle = f"{MARK}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue  # a zombie's environment reads empty: it is gone
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(f"{entry.name} {command}")
    return found


@pytest.fixture(scope="module")
def cluster(one_broker: EmbeddedCluster) -> EmbeddedCluster:
    """The run's shared one-broker cluster (tests/conftest.py), emptied, with the lab's `conversation` topic."""
    running = emptied(one_broker)
    admin = clients.admin(running.bootstrap)
    admin.create_topics([NewTopic("conversation", 2, 1)])
    admin.close()
    return running


def run_and_end(args: list[str], how: str, ready: str, tmp_path: Path) -> tuple[int, list[str]]:
    """Grade with ``args``; ``how`` ends it: "exit" (let it finish), "ctrl-c" (SIGINT to its process group, as a
    terminal does) or "sigterm" (to pytest only, as a supervisor does) once a process whose command line holds
    ``ready`` runs. Returns pytest's exit code and what of the run is still alive afterwards."""
    token = uuid.uuid4().hex
    env = dict(os.environ, **{MARK: token})
    cmd = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
           "--report-dir", str(tmp_path / "report"), *args]
    with open(tmp_path / "out.txt", "wb") as out:
        grader = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        if how != "exit":
            wait_until(lambda: any(ready in p for p in marked(token)) or grader.poll() is not None, 120,
                       f"a {ready!r} process of the run to start")
            assert grader.poll() is None, f"the run ended before it could be interrupted:\n{_out(tmp_path)}"
            if how == "ctrl-c":
                os.killpg(grader.pid, signal.SIGINT)
            else:
                grader.send_signal(signal.SIGTERM)
        code = grader.wait(timeout=180)
        # Children end on their own signal handlers: give them a moment, never more than the deadline.
        with contextlib.suppress(WaitTimeout):
            wait_until(lambda: not marked(token), 30, "the run's processes to end")
        return code, [line[:200] for line in marked(token)]
    finally:
        if grader.poll() is None:
            os.killpg(grader.pid, signal.SIGKILL)
            grader.wait(timeout=30)
        for line in marked(token):  # leave nothing behind ourselves either
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split()[0]), signal.SIGKILL)


def _out(tmp_path: Path) -> str:
    return (tmp_path / "out.txt").read_text(errors="replace")[-3000:]


@pytest.mark.parametrize("how", ["exit", "ctrl-c", "sigterm"])
def test_nothing_of_a_run_on_a_target_remains(cluster, how: str, tmp_path: Path) -> None:
    """The two-consumer trial runs its consumers as processes: none survives the run, however it ends."""
    args = ["--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap", str(cluster.bootstrap),
            "--check-timeout", "30", "-k", "shared_by_two"]
    code, left = run_and_end(args, how, "multiprocessing", tmp_path)
    assert left == [], f"left behind after {how}: {left}\n{_out(tmp_path)}"
    assert code in ((0, 1) if how == "exit" else (2,)), _out(tmp_path)


def test_nothing_of_a_run_on_the_embedded_cluster_remains_after_sigterm(tmp_path: Path) -> None:
    """The grader's own cluster (ZooKeeper's and the broker's JVMs, in their own sessions) ends with it."""
    args = ["--no-reference", "--reference-brokers", "1", "-k", "exactly_once"]
    code, left = run_and_end(args, "sigterm", "kafka.Kafka", tmp_path)
    assert left == [], f"left behind after SIGTERM: {left}\n{_out(tmp_path)}"
    assert code == 2, _out(tmp_path)


def test_a_cluster_made_without_a_folder_removes_its_own_unless_a_block_failed() -> None:
    """Its logs stay to be read after an error; otherwise nothing is left in /tmp (four folders a test run).
    The clusters are only configured (their folder and files), never started: the exit is what is tested."""
    kept = EmbeddedCluster(brokers=0)
    kept._configure()
    kept.__exit__(RuntimeError, RuntimeError("a failing block"), None)
    assert kept.workdir is not None and (kept.workdir / "config").is_dir()
    given = EmbeddedCluster(brokers=0, workdir=kept.workdir)
    given._configure()
    given.__exit__(None, None, None)
    assert kept.workdir.is_dir(), "a folder the caller gave is the caller's"
    made = EmbeddedCluster(brokers=0)
    made._configure()
    made.__exit__(None, None, None)
    assert made.workdir is not None and not made.workdir.exists()
    shutil.rmtree(kept.workdir)
