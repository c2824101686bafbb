"""The Gradescope autograder, run as Gradescope runs it: ``python -m reports.gradescope build`` writes
autograder.zip; it is unpacked in a folder laid out like Gradescope's ``/autograder`` (``source/`` from the zip,
``run_autograder`` copied beside it, the student's files in ``submission/``), and ``run_autograder`` grades the
reference and two broken submissions into ``results/results.json``, read by the reader written from
Gradescope's results specification (``tests/test_gradebook_imports.py``).

The folder's root is given by ``KAFKALAB_AUTOGRADER_ROOT`` and the Python by ``KAFKALAB_AUTOGRADER_PYTHON``
(this test environment's: ``setup.sh`` installs the same in Gradescope's image and is only syntax-checked here).
The submitted scripts are sandboxed (network namespaces when root): run under the machine-wide netns lock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixtures.system.paths import REPO
from reports.gradescope import build
from tests.test_gradebook_imports import gradescope_read
from tests.velib.broken import HERE as BROKEN

VELIB_FILES = ("velib-get-stations.py", "velib-monitor-stations.py")
RUN_TIMEOUT_S = 1800


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("zip") / "autograder.zip")


def run_autograder(zip_path: Path, tmp: Path, files: dict[str, Path]) -> dict:
    """Lay out /autograder as Gradescope does, hand in ``files`` (name → source), run run_autograder."""
    root = tmp / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    for name, source in files.items():
        shutil.copy(source, root / "submission" / name)
    env = dict(os.environ, KAFKALAB_AUTOGRADER_ROOT=str(root), KAFKALAB_AUTOGRADER_PYTHON=sys.executable)
    env.pop("KAFKALAB_DATA", None)  # the zip's own data/ is what Gradescope has
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)
    results = root / "results" / "results.json"
    assert results.is_file(), done.stdout[-4000:] + done.stderr[-3000:]
    assert f"kafkalab autograder: harness {root / 'source'}\n" in done.stdout  # the zip's code graded, not ours
    return json.loads(results.read_text(encoding="utf-8"))


def by_check(data: dict) -> dict[str, dict]:
    return {test["extra_data"]["check"]: test for test in data["tests"]}


def test_the_zip_is_laid_out_as_gradescope_wants(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "reports/gradescope.py"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert any(name.startswith("data/jcdecaux/") for name in names) and not any(n.startswith("tests/") for n in names)
    assert not any("__pycache__" in n or n.startswith(("out/", ".tox/")) for n in names)
    with zipfile.ZipFile(autograder_zip) as archive:
        for script in ("setup.sh", "run_autograder"):
            text = archive.read(script).decode()
            assert subprocess.run(["bash", "-n"], input=text, text=True, timeout=30).returncode == 0, script


def test_the_reference_gets_every_point(autograder_zip: Path, tmp_path: Path) -> None:
    files = {name: REPO / "reference" / "velib" / name for name in VELIB_FILES}
    files["sstreaming-spark-out.py"] = REPO / "reference" / "spark" / "sstreaming.py"
    data = run_autograder(autograder_zip, tmp_path, files)
    shown = gradescope_read(data)
    assert set(shown.values()) == {"passed"}, {t["name"]: t["output"] for t in data["tests"] if t["status"] != "passed"}
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 0
    assert any(check.startswith("test_spark_") for check in by_check(data))
    assert "instructor's run" in data["output"]  # the cluster checks: said, not graded here


def test_an_unkeyed_producer_loses_the_key_check_and_a_missing_spark_job_is_not_submitted(
        autograder_zip: Path, tmp_path: Path) -> None:
    files = {name: REPO / "reference" / "velib" / name for name in VELIB_FILES}
    files["velib-get-stations.py"] = BROKEN / "unkeyed_producer.py"
    data = run_autograder(autograder_zip, tmp_path, files)
    gradescope_read(data)
    tests = by_check(data)
    failed = {check for check, test in tests.items() if test["status"] == "failed"}
    spark = {check for check in tests if check.startswith("test_spark_")}
    assert failed - spark == {"test_velib_producer_keys_records_by_station"}, failed
    assert spark and spark <= failed and all("non rendu" in tests[c]["output"] for c in spark)
    assert 0 < data["score"] < sum(t["max_score"] for t in data["tests"])


def test_nothing_handed_in_is_failed_not_submitted_with_no_cluster_started(autograder_zip: Path,
                                                                            tmp_path: Path) -> None:
    data = run_autograder(autograder_zip, tmp_path, {})
    shown = gradescope_read(data)
    assert shown and set(shown.values()) == {"failed"} and data["score"] == 0
    assert all("non rendu" in test["output"] for test in data["tests"])
