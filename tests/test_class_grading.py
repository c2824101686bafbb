"""Grading a simulated class: each student gets the grade their mistakes deserve, the same serially and with
pytest-xdist, and dead hosts of every kind cost a bounded time without stopping the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.results import OUTCOMES
from tests.conftest import grade_class
from tests.support import hosts
from tests.support.simulated_class import EXPECTED_FAILED, SimulatedClass, simulated_class

pytestmark = [pytest.mark.slow, pytest.mark.skipif(hosts.available() is not None, reason=str(hosts.available()))]
SECTION_2 = ("--step", "2")
BAD_ROW = "zoe,Zoé,zoe@univ.example,pi zoe\n"


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedClass]:
    with simulated_class(tmp_path_factory.mktemp("class")) as running:
        yield running


@pytest.fixture(scope="module")
def roster(klass: SimulatedClass, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "class.csv"
    path.write_text(klass.roster_csv + BAD_ROW)
    return path


@pytest.fixture(scope="module")
def serial(roster: Path, tmp_path_factory: pytest.TempPathFactory):
    return grade_class(tmp_path_factory.mktemp("serial"), "--roster", str(roster), *SECTION_2)


def test_each_student_fails_exactly_what_they_got_wrong(serial) -> None:
    assert set(serial.outcomes) == set(EXPECTED_FAILED), "every student of the roster is graded"
    for student, expected in EXPECTED_FAILED.items():
        outcomes = serial.outcomes[student]
        failed = {check for check, outcome in outcomes.items() if outcome == "failed"}
        assert failed == expected, (student, {check: serial.reason(student, check) for check in failed ^ expected})
        assert set(outcomes.values()) <= set(OUTCOMES), (student, outcomes)
        # No check of a student's is left to an error of the harness itself (shown to the instructor, never
        # charged, but a class test that meets one has found a bug in the grader).
        harness = {r["check"]: r["harness_error"] for r in serial.results[student] if r.get("harness_error")}
        assert not harness, (student, harness)


def test_grades_follow_the_mistakes(serial) -> None:
    grades = serial.grades
    assert grades["alice"] == 20
    assert grades["alice"] > grades["bob"] > grades["carol"] > grades["dave"] > grades["erin"] == 0
    assert {grades[s] for s in ("erin", "frank", "gina", "hank", "ivan")} == {0}


def test_dead_hosts_say_why_and_skip_the_rest(serial) -> None:
    reasons = {student: serial.reason(student, "test_broker_speaks_kafka") for student in
               ("erin", "frank", "gina", "hank", "ivan")}
    assert "does not resolve" in reasons["erin"]
    assert "refuses connections" in reasons["frank"]
    assert "does not answer" in reasons["gina"]
    assert "said nothing in time" in reasons["hank"]
    assert "HTTP server, not Kafka" in reasons["ivan"]
    for student in reasons:
        skipped = [c for c, o in serial.outcomes[student].items() if o == "blocked"]
        assert skipped and all("needs" in serial.reason(student, c) for c in skipped)


def test_a_bad_roster_row_is_reported_and_the_class_still_graded(serial) -> None:
    assert "roster: line 11, column 'host'" in serial.output
    assert "zoe" not in serial.outcomes
    index = (serial.report_dir / "index.html").read_text()
    assert "line 11, column" in index and "alice.html" in index


def test_the_class_exports_are_written(serial) -> None:
    # --step 2 is a partial run: its gradebook files are suffixed, never the class's moodle.csv.
    assert not (serial.report_dir / "moodle.csv").exists()
    moodle = (serial.report_dir / "moodle-partial.csv").read_text().splitlines()
    assert len(moodle) == 1 + len(EXPECTED_FAILED) and moodle[1].startswith("alice@univ.example,20.00,")
    assert (serial.report_dir / "junit.xml").exists() and (serial.report_dir / "results.jsonl").exists()
    assert (serial.report_dir / "gradescope-partial" / "bob" / "results.json").exists()


def test_parallel_grading_gives_the_same_results(serial, roster: Path, tmp_path: Path) -> None:
    parallel = grade_class(tmp_path, "--roster", str(roster), *SECTION_2, "-n", "2")
    assert parallel.outcomes == serial.outcomes
    assert parallel.grades == serial.grades
