"""The submission contract end to end, as an instructor grades: ``pytest checks --spark-script …`` in a subprocess.

The reference job passes every Spark check and its outputs (kept with ``--report-dir``) equal the oracle on
the shipped data (the 444 fares and their 888 ride lines); a script that crashes fails the first check with
its own error and the others are skipped; a variant without watermarks fails exactly the state and tips
checks; a script that never finishes is stopped at the timeout with its whole process group.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checks.s4_streaming import verify
from checks.s4_streaming.oracle import Expected
from checks.s4_streaming.outputs import OUTPUTS, RunOutputs
from checks.s4_streaming.submission import StreamSource, SubmissionRun, run_submission, submission_env
from fixtures.system.wait import wait_until
from tests.support.outcomes import assert_exact_run
from tests.support.paths import REFERENCE_SPARK_SCRIPT

from ..conftest import GradeRun, grade
from .conftest import handed_in, require_pyspark

pytestmark = pytest.mark.slow
SPARK_CHECKS = (
    "test_spark_script_finishes", "test_spark_parsed_schema_has_the_lab_types",
    "test_spark_parsed_values_match_the_lines", "test_spark_cleaning_keeps_end_events_inside_new_york",
    "test_spark_join_equals_the_oracle", "test_spark_join_has_watermarks_and_bounded_state",
    "test_spark_tips_per_zone_match_the_oracle",
)  # fmt: skip
NEVER_TIMEOUT_S = 20.0


def grade_script(tmp_path: Path, cluster, script: Path, timeout: float = 240) -> GradeRun:
    """``pytest checks -k test_spark --spark-script SCRIPT`` with the test cluster as target and as Spark's cluster."""
    return grade(tmp_path, "-k", "test_spark", "--zookeeper", str(cluster.zookeeper_endpoint), "--bootstrap",
                 cluster.bootstrap, "--spark-bootstrap", cluster.bootstrap, "--spark-script", str(script),
                 "--spark-timeout", str(timeout), "--check-timeout", "10", timeout=timeout + 120)


@pytest.fixture(scope="module")
def graded_reference(taxi_cluster, tmp_path_factory) -> tuple[GradeRun, Path]:
    folder = tmp_path_factory.mktemp("graded-reference")
    run = grade_script(folder, taxi_cluster, REFERENCE_SPARK_SCRIPT)
    (run_dir,) = folder.glob("report-*/spark-run-sstreaming-*")
    return run, run_dir


@pytest.fixture(scope="module")
def outputs(graded_reference) -> RunOutputs:
    return RunOutputs(graded_reference[1] / "output", graded_reference[1] / "harness")


def test_reference_passes_every_spark_check(graded_reference) -> None:
    run, _ = graded_reference
    assert_exact_run(run, set(), among=SPARK_CHECKS)
    assert "join state: 875 rows at the peak, 2 at the end" in run.result(
        "test_spark_join_has_watermarks_and_bounded_state")["found"]


def test_every_query_is_recorded_with_schema_plan_and_progress(outputs: RunOutputs) -> None:
    assert outputs.query_names() == sorted(OUTPUTS)
    for name in OUTPUTS:
        query = outputs.query(name)
        assert query is not None and query.schema and query.plan and query.exception is None, name
        assert query.progress and query.progress[0]["name"] == name
        assert query.input_rows > 0


def test_reference_output_equals_the_oracle(outputs: RunOutputs, spark_expected: Expected) -> None:
    rides = outputs.records("rides")
    assert len(rides) == 889 and verify.parsed_rides_problems(rides, spark_expected) == []
    # The reference gives START events their real start time (column 3), not the lab's 1970 placeholder.
    start = next(r for r in rides if r["rideId"] == 6 and r["isStart"] == "START")
    assert start["startTime"].startswith("2013-01-01T00:00:00") and "endTime" not in start
    assert verify.cleaning_problems(outputs.records("cleaned"), spark_expected) == []
    joined = outputs.records("joined")
    assert len(joined) == len(spark_expected.joined) == 429  # of 444 fares: 15 rides fail the §4.4 cleaning
    assert verify.join_problems(joined, spark_expected) == []
    assert verify.tips_problems(outputs.records("tips"), spark_expected) == []
    assert sum(r["rides"] for r in outputs.records("tips")) == sum(c.rides for c in spark_expected.tips.values())


def test_join_has_two_watermarks_and_its_state_is_dropped(outputs: RunOutputs) -> None:
    joined = outputs.query("joined")
    assert verify.join_state_cleanup(joined.plan) == (True, True)
    assert verify.watermark_count(joined.plan) == 2
    assert sorted(joined.watermarked_columns()) == ["endTime", "startTime"]
    figures = joined.state_operators(verify.JOIN_OPERATOR)
    # The ticks move both watermarks a day ahead: the no-data batch drops all but the two tick rows.
    assert int(figures[-1]["numRowsTotal"]) == 2 and sum(int(f["numRowsRemoved"]) for f in figures) > 800


def test_a_crashing_script_fails_the_first_check_with_its_error(taxi_cluster, tmp_path: Path) -> None:
    run = grade_script(tmp_path, taxi_cluster, handed_in("crash", tmp_path / "crash"))
    assert_exact_run(run, {SPARK_CHECKS[0]}, set(SPARK_CHECKS[1:]), among=SPARK_CHECKS)
    result = run.result("test_spark_script_finishes")
    assert result["reason"] == "the script exited with code 1"
    assert "startLongitude" in str(result["found"])  # Spark's own error, shown to the student
    for check in SPARK_CHECKS[1:]:
        assert "needs a run of the Spark script that finishes" in run.reason(check)


def test_a_join_without_watermarks_fails_the_state_check_only(taxi_cluster, tmp_path: Path) -> None:
    run = grade_script(tmp_path, taxi_cluster, handed_in("no_watermark", tmp_path / "nowm"))
    assert_exact_run(run, {"test_spark_join_has_watermarks_and_bounded_state",
                           "test_spark_tips_per_zone_match_the_oracle"}, among=SPARK_CHECKS)
    state = run.result("test_spark_join_has_watermarks_and_bounded_state")
    assert state["reason"].startswith("joined: 0 watermark(s) in the query")
    assert "state cleanup [ left = null ]" in state["found"] and "withWatermark" in state["hint_en"]


def test_a_script_that_never_finishes_is_stopped_at_the_timeout(taxi_cluster, tmp_path: Path) -> None:
    run = run_submission(handed_in("never_finishes", tmp_path / "never"), StreamSource(taxi_cluster.bootstrap),
                         tmp_path, timeout=NEVER_TIMEOUT_S)
    assert run.timed_out and run.returncode is None
    assert f"did not finish within {NEVER_TIMEOUT_S:.0f}s" in run.describe()
    assert NEVER_TIMEOUT_S <= run.duration_s < NEVER_TIMEOUT_S + 30
    # The whole process group is gone: no Python and no JVM of the script outlives the timeout.
    # (the kernel ends the sandbox's pid namespace once its first process is killed: a few moments, not 10 s)
    wait_until(lambda: _pids_with_cwd(run.workdir) == [], 10, "the script's processes to be gone after the kill")
    assert "printed nothing" not in run.output_tail()  # what it printed before the timeout is shown


def test_the_script_sees_only_the_contract_s_environment(tmp_path: Path, monkeypatch) -> None:
    require_pyspark()  # the environment carries the connector's jars
    monkeypatch.setenv("KAFKALAB_SECRET_TOKEN", "do-not-leak")
    env = submission_env(StreamSource("127.0.0.1:9"), tmp_path)
    assert "KAFKALAB_SECRET_TOKEN" not in env
    assert env["HOME"] == str(tmp_path / "home") and env["TMPDIR"] == str(tmp_path / "tmp")
    assert env["TAXI_OUTPUT_DIR"] == str(tmp_path / "output")
    assert env["PYSPARK_SUBMIT_ARGS"].endswith("pyspark-shell")


def _pids_with_cwd(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_run_outcome_wording() -> None:
    run = SubmissionRun(REFERENCE_SPARK_SCRIPT, Path("/nonexistent"), None, True, 31.0, 30.0)
    assert run.describe().startswith("sstreaming.py did not finish within 30s and was stopped")
    assert "(the script printed nothing)" in run.describe()
