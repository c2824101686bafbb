"""A student checks their own Pi in one command, on the Python the Pi has (issue 25).

The wheel built from this checkout (``python -m build``) is installed, core only, into a fresh venv outside the
clone on the oldest and the newest Python the core supports (3.9, Raspberry Pi OS Bullseye's, and 3.13); then
``kafkalab check --target HOST --step 2`` grades two simulated hosts (network namespaces, each a real ZooKeeper
and broker) with nothing but that venv on PATH — no Java, no checkout, no configuration file: the flawless host
passes every §2 check, the broken one (topic left at one partition, no group) fails exactly those checks.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from fixtures.kafka.cluster import EmbeddedCluster
from fixtures.system.paths import REPO
from tests.support import hosts
from tests.support.simulated_class import EXPECTED_FAILED, _alice, _bob

pytestmark = [pytest.mark.slow, pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))]
# The oldest and the newest the core supports (requires-python); tox's py39…py313 each give their own.
PYTHONS = tuple(os.environ.get("KAFKALAB_STUDENT_PYTHONS", "3.9,3.13").split(","))
BUILD_TIMEOUT_S = 300
INSTALL_TIMEOUT_S = 600
CHECK_TIMEOUT_S = 300
# Simulated hosts of this test: their own names, so that another test's class can run beside them, and one pair
# per Python (.ci/run runs tox's py39 and py313 side by side).
_PYTHONS_TAG = "".join(version.replace(".", "") for version in PYTHONS)
FLAWLESS, BROKEN = f"wheel{_PYTHONS_TAG}-alice", f"wheel{_PYTHONS_TAG}-bob"


def interpreter(version: str) -> str | None:
    """A working ``python<version>``: on PATH, or pyenv's (whose shim fails when that version is not selected)."""
    candidates = [shutil.which(f"python{version}"),
                  *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))]
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30)
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="python -m build (the 'test' extra)")
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel from it (build's default): what a wheel carries is what a clean tree gives.
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_students_install_holds_no_answer(wheel: Path) -> None:
    """The grader and the lab's configs, never the written answers nor the reference's solution scripts."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "reference/config/server.properties" in names and "reference/plays.toml" in names
    leaked = [n for n in names if n.startswith(("reference/answers/", "reference/velib/", "reference/spark/",
                                                "reference/taxi/"))]
    assert not leaked, leaked


@pytest.fixture(scope="module", params=PYTHONS, ids=[f"py{v}" for v in PYTHONS])
def kafkalab(request: pytest.FixtureRequest, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kafkalab`` of a fresh venv (outside the clone) holding the wheel's core and nothing else."""
    python = interpreter(request.param)
    if python is None:
        pytest.skip(f"no Python {request.param} on this machine")
    venv = tmp_path_factory.mktemp(f"venv-{request.param}")
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True,
                          timeout=INSTALL_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv / "bin" / "kafkalab"


@pytest.fixture(scope="module")
def pis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A flawless Pi and one left at §2.1.5 (one partition, no group), as the simulated class has them."""
    with ExitStack() as stack:
        names = {}
        for name, play in ((FLAWLESS, _alice), (BROKEN, _bob)):
            pi = stack.enter_context(hosts.simulated_host(name))
            cluster = stack.enter_context(EmbeddedCluster(brokers=1, host=pi.address, netns=pi.namespace,
                                                          workdir=tmp_path_factory.mktemp(name)))
            play(cluster)
            names[name] = pi.name
        yield names


def check(kafkalab: Path, host: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """``kafkalab check`` as a student runs it: in their own folder, with only the venv on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": str(kafkalab.parent), "HOME": str(home), "LANG": "C.UTF-8"}
    assert shutil.which("java", path=env["PATH"]) is None
    done = subprocess.run([str(kafkalab), "check", "--target", host, "--step", "2", "--report-dir", "out"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    report = tmp_path / "out" / f"{host}.json"
    assert report.exists(), done.stdout[-5000:] + done.stderr[-3000:]
    results = json.loads(report.read_text())["results"]
    assert not [r for r in results if r.get("harness_error")], done.stdout[-5000:]
    return done, {r["check"]: r["outcome"] for r in results}


def test_the_wheel_runs_from_its_own_install_not_the_checkout(kafkalab: Path) -> None:
    done = subprocess.run([str(kafkalab.parent / "python"), "-c", "import checks, fixtures; "
                           "print(checks.__file__); print(fixtures.__file__)"], cwd="/", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and str(REPO) not in done.stdout, done.stdout + done.stderr
    helped = subprocess.run([str(kafkalab), "--help"], capture_output=True, text=True, timeout=60)
    assert "FR · Vérifier et noter le TP Kafka" in helped.stdout and "EN · Check and grade" in helped.stdout


def test_a_flawless_pi_passes_section_2(kafkalab: Path, pis: dict[str, str], tmp_path: Path) -> None:
    done, outcomes = check(kafkalab, pis[FLAWLESS], tmp_path)
    assert done.returncode == 0, done.stdout[-5000:]
    assert {c for c, o in outcomes.items() if o in ("failed", "blocked")} == set(), outcomes
    assert outcomes["test_mygroup_has_committed_offsets_on_conversation"] == "passed"
    assert f"TP Kafka — {pis[FLAWLESS]}" in done.stdout


def test_a_broken_pi_fails_what_it_got_wrong(kafkalab: Path, pis: dict[str, str], tmp_path: Path) -> None:
    done, outcomes = check(kafkalab, pis[BROKEN], tmp_path)
    assert done.returncode == 1
    assert {c for c, o in outcomes.items() if o == "failed"} == EXPECTED_FAILED["bob"], outcomes
    assert outcomes["test_broker_speaks_kafka"] == "passed"
    # The re-run line is the student's own command, not the checkout's.
    assert f"kafkalab check --target {pis[BROKEN]}" in done.stdout and "pytest checks" not in done.stdout
