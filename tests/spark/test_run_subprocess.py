"""The submission contract end to end: scripts run in a subprocess against a real cluster, with a timeout.

The reference job's every output equals the oracle on the shipped data (the 444 fares and their 888 ride
lines); a script that crashes or never finishes is stopped and reported with its own output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixtures.taxi.oracle import Expected
from reference.spark import verify
from reference.spark.outputs import OUTPUTS, RunOutputs
from reference.spark.submission import REFERENCE_SCRIPT, SubmissionRun, Target, run_submission

from .conftest import VARIANTS

pytestmark = pytest.mark.slow
RUN_TIMEOUT_S = 240.0
NEVER_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def reference_run(taxi_cluster, tmp_path_factory) -> SubmissionRun:
    return run_submission(REFERENCE_SCRIPT, Target(taxi_cluster.bootstrap), tmp_path_factory.mktemp("ref-run"),
                          timeout=RUN_TIMEOUT_S)


@pytest.fixture(scope="module")
def outputs(reference_run: SubmissionRun) -> RunOutputs:
    assert reference_run.ok, reference_run.describe()
    return RunOutputs(reference_run.output_dir, reference_run.hook_dir)


def test_reference_run_finishes(reference_run: SubmissionRun) -> None:
    assert reference_run.ok, reference_run.describe()
    assert reference_run.duration_s < RUN_TIMEOUT_S


def test_every_query_is_recorded_with_schema_plan_and_progress(outputs: RunOutputs) -> None:
    assert outputs.query_names() == sorted(OUTPUTS)
    for name in OUTPUTS:
        query = outputs.query(name)
        assert query is not None and query.schema and query.plan and query.exception is None, name
        assert query.progress and query.progress[0]["name"] == name
        assert query.input_rows > 0


def test_parsed_rides_and_fares_have_the_lab_schema_and_values(outputs: RunOutputs, expected: Expected) -> None:
    assert verify.schema_problems(outputs.query("rides"), verify.RIDE_TYPES, "rides") == []
    assert verify.schema_problems(outputs.query("fares"), verify.FARE_TYPES, "fares") == []
    rides = outputs.records("rides")
    assert len(rides) == 889
    assert verify.parsed_rides_problems(rides, expected) == []
    assert verify.parsed_fares_problems(outputs.records("fares"), expected) == []
    # The reference gives START events their real start time (column 3), not the lab's 1970 placeholder.
    start = next(r for r in rides if r["rideId"] == 6 and r["isStart"] == "START")
    assert start["startTime"].startswith("2013-01-01T00:00:00") and "endTime" not in start


def test_reference_output_equals_the_oracle(outputs: RunOutputs, expected: Expected) -> None:
    assert verify.cleaning_problems(outputs.records("cleaned"), expected) == []
    joined = outputs.records("joined")
    assert len(joined) == len(expected.joined) == 429  # of 444 fares: 15 rides fail the §4.4 cleaning
    assert verify.join_problems(joined, expected) == []
    assert verify.tips_problems(outputs.records("tips"), expected) == []
    assert sum(r["rides"] for r in outputs.records("tips")) == sum(c.rides for c in expected.tips.values())


def test_join_has_two_watermarks_and_its_state_is_dropped(outputs: RunOutputs) -> None:
    joined = outputs.query("joined")
    assert verify.state_problems(joined) == []
    assert verify.join_state_cleanup(joined.plan) == (True, True)
    assert verify.watermark_count(joined.plan) == 2
    assert sorted(joined.watermarked_columns()) == ["endTime", "startTime"]
    figures = joined.state_operators(verify.JOIN_OPERATOR)
    # The ticks move both watermarks a day ahead: the no-data batch drops all but the two tick rows.
    assert int(figures[-1]["numRowsTotal"]) == 2 and sum(int(f["numRowsRemoved"]) for f in figures) > 800


def test_the_script_sees_only_the_contract_s_environment(reference_run: SubmissionRun, monkeypatch) -> None:
    from reference.spark.submission import submission_env

    monkeypatch.setenv("KAFKALAB_SECRET_TOKEN", "do-not-leak")
    env = submission_env(Target("127.0.0.1:9"), reference_run.workdir / "env-check")
    assert "KAFKALAB_SECRET_TOKEN" not in env
    assert env["HOME"].startswith(str(reference_run.workdir))
    assert env["TAXI_OUTPUT_DIR"].endswith("output") and env["PYSPARK_SUBMIT_ARGS"].endswith("pyspark-shell")


def test_a_crashing_script_is_reported_with_its_error(taxi_cluster, tmp_path: Path) -> None:
    run = run_submission(VARIANTS / "crash.py", Target(taxi_cluster.bootstrap), tmp_path, timeout=RUN_TIMEOUT_S)
    assert not run.timed_out and run.returncode == 1
    text = run.describe()
    assert "exited with code 1" in text and "startLongitude" in text  # Spark's own error, shown to the student
    assert RunOutputs(run.output_dir, run.hook_dir).query("joined") is None


def test_a_script_that_never_finishes_is_stopped_at_the_timeout(taxi_cluster, tmp_path: Path) -> None:
    run = run_submission(VARIANTS / "never_finishes.py", Target(taxi_cluster.bootstrap), tmp_path,
                         timeout=NEVER_TIMEOUT_S)
    assert run.timed_out and run.returncode is None
    assert f"did not finish within {NEVER_TIMEOUT_S:.0f}s" in run.describe()
    assert NEVER_TIMEOUT_S <= run.duration_s < NEVER_TIMEOUT_S + 30
    # The whole process group is gone: no Python and no JVM of the script outlives the timeout.
    assert _pids_with_cwd(run.workdir) == []
    assert "printed nothing" not in run.output_tail()  # what it printed before the timeout is shown


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
