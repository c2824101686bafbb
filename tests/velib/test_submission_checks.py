"""The checks of submitted §3.1 scripts, run for real (``pytest checks --velib-submission …`` in a subprocess,
as ``tests/conftest.py``'s ``run_checks`` does): every check passes on the reference scripts, each broken
variant of ``broken/`` fails the checks it is meant to fail, and no report, log or captured output of the
grading run holds the API key.

All submissions are graded in one run: one cluster for all of them, as an instructor grading a class would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.jcdecaux import make_api_key
from fixtures.system.paths import REPO
from tests.support.outcomes import assert_exact_outcomes

from .broken import HERE as BROKEN
from .broken import VARIANTS

pytestmark = pytest.mark.slow
SCRIPTS = ("velib-get-stations.py", "velib-monitor-stations.py")
REFERENCE = "reference"
# Twelve submissions, each a producer run of 10 polls and a monitor run of two instances (~40 s).
GRADE_TIMEOUT_S = 900


@dataclass
class Graded:
    outcomes: dict[str, dict[str, str]]   # submission -> check -> outcome
    results: dict[str, list[dict]]
    output: str
    report_dir: Path
    basetemp: Path
    key: str


def _submission(root: Path, name: str, replace: tuple[str, Path] | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for script in SCRIPTS:
        shutil.copy(REPO / "reference" / "velib" / script, folder / script)
    if replace:
        shutil.copy(replace[1], folder / replace[0])
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    root = tmp_path_factory.mktemp("velib-submissions")
    folders = [_submission(root, REFERENCE)]
    folders += [_submission(root, name, (role, BROKEN / f"{name}.py")) for name, (role, *_) in VARIANTS.items()]
    key = make_api_key()
    report_dir, basetemp = root / "report", root / "basetemp"
    cmd = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
           "-k", "velib_submission", "--report-dir", str(report_dir), "--basetemp", str(basetemp)]
    for folder in folders:
        cmd += ["--velib-submission", str(folder)]
    env = dict(os.environ, KAFKALAB_VELIB_TEST_KEY=key)  # so that this test knows what to grep for
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S, env=env)
    data = [json.loads(path.read_text()) for path in report_dir.glob("*.json")]
    assert len(data) == len(folders), f"{len(data)} result file(s)\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}"
    return Graded({d["target"]: {r["check"]: r["outcome"] for r in d["results"]} for d in data},
                  {d["target"]: d["results"] for d in data}, done.stdout + done.stderr, report_dir, basetemp, key)


def test_every_check_passes_on_the_reference_scripts(graded: Graded) -> None:
    outcomes = graded.outcomes[f"submission-{REFERENCE}"]
    assert len(outcomes) == 11  # with the producer and monitor sandbox checks
    assert_exact_outcomes(outcomes, set(), context=graded.results[f"submission-{REFERENCE}"])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_broken_variant_fails_exactly_its_checks(graded: Graded, variant: str) -> None:
    """The checks the variant breaks fail, every other one of the 11 passes (or is blocked by one that failed)."""
    outcomes = graded.outcomes[f"submission-{variant}"]
    _, must_fail, blocked = VARIANTS[variant]
    assert len(outcomes) == 11, outcomes
    assert_exact_outcomes(outcomes, must_fail, blocked=blocked, context=graded.results[f"submission-{variant}"])
    for result in graded.results[f"submission-{variant}"]:
        if result["check"] in must_fail:
            assert result["reason"] and result["hint_fr"] and result["hint_en"], result


def test_no_report_log_or_captured_output_holds_the_api_key(graded: Graded) -> None:
    """Everything the grading run wrote: reports (JSON, HTML, JUnit, class files), pytest's output, the
    cluster's logs and every script's captured output. The one exception is the printed-key variant's own
    stdout, which holds the key by design (that is what its check catches) and is never shown unmasked."""
    assert graded.key not in graded.output
    files = [p for folder in (graded.report_dir, graded.basetemp) for p in folder.rglob("*") if p.is_file()]
    leaking = [p for p in files if graded.key in p.read_text(errors="replace")]
    allowed = [p for p in leaking if "submission-printed_key_producer-" in str(p) and p.name.startswith("producer")]
    assert leaking == allowed and len(allowed) == 1, leaking
    assert len(files) > 20  # the grep did see the run's files


@pytest.mark.parametrize("variant", ["city_keyed_producer", "constant_keyed_producer"])
def test_a_key_coarser_than_the_station_fails_with_its_hint(graded: Graded, variant: str) -> None:
    """Each station stays in one partition with these keys: only the key count and the partitions used tell."""
    result = next(r for r in graded.results[f"submission-{variant}"]
                  if r["check"] == "test_velib_producer_keys_records_by_station")
    assert "distinct key(s) for" in result["reason"] and "not the city" in result["hint_en"], result


@pytest.mark.parametrize(("variant", "sign"), [
    ("zero_start_monitor", "+"),        # an extra first line per station
    ("stale_state_monitor", "-"),       # expected lines missing, wrong ones printed
])  # fmt: skip
def test_wrong_extra_or_repeated_monitor_lines_fail_with_the_diff(graded: Graded, variant: str, sign: str) -> None:
    result = next(r for r in graded.results[f"submission-{variant}"]
                  if r["check"] == "test_velib_monitor_prints_the_expected_lines")
    assert "expected, not the same" in result["reason"], result
    assert "expected (oracle)" in result["found"] and any(line.startswith(sign) and not line.startswith(sign * 3)
                                                          for line in result["found"].splitlines()), result
    assert "nothing for a station's first value" in result["hint_en"], result


def test_a_second_monitor_that_never_joins_fails(graded: Graded) -> None:
    result = next(r for r in graded.results["submission-single_instance_monitor"]
                  if r["check"] == "test_velib_two_monitors_never_report_the_same_station")
    assert "1 of 2 monitor instances joined" in result["reason"], result
