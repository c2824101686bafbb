"""§3.1 graded on a class's own snapshots: ``--jcdecaux-snapshots DIR`` drives the stand-in API, the oracle and
the texts shown. The reference scripts pass every submission check on snapshots 11-20 only (copied into a
folder of their own), and the titles say what was replayed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.data import snapshot_dir
from fixtures.system.paths import REPO

from ..conftest import grade

pytestmark = pytest.mark.slow
SCRIPTS = ("velib-get-stations.py", "velib-monitor-stations.py")


def test_reference_scripts_pass_on_snapshots_11_to_20(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots-11-20"
    snapshots.mkdir()
    for number in range(11, 21):
        shutil.copy(snapshot_dir() / f"snapshot-{number:04d}.json", snapshots)
    submission = tmp_path / "reference"
    submission.mkdir()
    for script in SCRIPTS:
        shutil.copy(REPO / "reference" / "velib" / script, submission / script)
    run = grade(tmp_path, "-k", "velib_submission", "--velib-submission", str(submission),
                "--jcdecaux-snapshots", str(snapshots), timeout=600)
    assert set(run.outcomes.values()) == {"passed"}, run.results  # every submission check, sandbox ones included
    assert "test_velib_monitor_prints_the_expected_lines" in run.outcomes
    titles = {r["check"]: r["title"] for r in run.results}
    assert titles["test_velib_monitor_prints_the_expected_lines"] == (
        "The monitor prints exactly the expected `+N address (contract)` lines for the 10 replayed snapshots.")
    assert "after the 10 snapshots" in run.result("test_velib_monitor_commits_offsets_in_its_group")["found"]
    assert not any("20" in title for title in titles.values())


def test_a_missing_snapshot_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q", "--collect-only",
         "--jcdecaux-snapshots", str(tmp_path / "nowhere")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and f"--jcdecaux-snapshots {tmp_path / 'nowhere'}: no such folder" in run.stderr
