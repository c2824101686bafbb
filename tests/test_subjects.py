"""A student is one subject: their cluster and their submission folder, from the roster, graded in one report.

What a student hands in and what counts as not submitted (failed, the student's) or not asked for (not
evaluated, the grader's); the roster's ``ssh`` column as the student's ssh address. The end-to-end class on
real clusters is ``tests/test_class_submissions.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.control.ssh import SshAddress
from fixtures.hosts.roster import parse
from fixtures.plugin.destructive import control_for
from fixtures.plugin.submissions import SPARK_FILES, VELIB_FILES, Submission, subjects_for
from fixtures.system.paths import REPO

ROSTER = """id,name,email,host,ssh,submission
alice,Alice,alice@univ.example,127.0.0.1,pi@127.0.0.1:2222,handed/alice
bob,Bob,bob@univ.example,127.0.0.1,,
"""


def test_the_lab_spark_file_name_wins_and_the_contract_name_is_accepted(tmp_path: Path) -> None:
    sub = Submission("alice", tmp_path)
    assert sub.spark_script is None and not sub.velib_handed_in()
    (tmp_path / SPARK_FILES[1]).write_text("")
    assert sub.spark_script == tmp_path / "sstreaming.py"
    (tmp_path / SPARK_FILES[0]).write_text("")
    assert sub.spark_script == tmp_path / "sstreaming-spark-out.py"
    (tmp_path / VELIB_FILES[0]).write_text("")
    assert sub.velib_handed_in() and sub.missing() == ["velib-monitor-stations.py"]


def test_roster_students_are_subjects_with_their_own_folder(tmp_path: Path) -> None:
    roster = parse(ROSTER)
    subs = subjects_for(roster.specs, tmp_path / "class.csv")
    assert [s.id for s in subs] == ["alice", "bob"] and all(s.given for s in subs)
    assert subs[0].folder == tmp_path / "handed" / "alice"  # relative to the roster's folder
    assert subs[1].folder is None and "no submission folder" in subs[1].where()
    assert subs[0].describe()["email"] == "alice@univ.example"  # the report's identity is the student's


def test_a_class_without_submissions_is_not_asked_for() -> None:
    roster = parse("id,host\nalice,pi-1\nbob,pi-2\n")
    assert [s.given for s in subjects_for(roster.specs, None)] == [False, False]
    assert subjects_for(parse("id,host\n").specs, None) == []


class _Options:
    """The class-wide ssh options, as ``config.getoption`` gives them."""

    def __init__(self) -> None:
        self.values = {"kafkalab_control": "ssh", "kafkalab_kafka_home": "~/kafka",
                       "kafkalab_broker_configs": "config/server.properties", "kafkalab_stop_with": "own",
                       "kafkalab_ssh_user": "teacher", "kafkalab_ssh_port": 22, "kafkalab_ssh_key": None,
                       "kafkalab_ssh_accept_new_host_keys": False}

    def getoption(self, name: str):
        return self.values[name]


def test_the_ssh_column_is_the_students_ssh_address() -> None:
    alice, bob = parse(ROSTER).specs
    assert alice.resolve().ssh == "pi@127.0.0.1:2222"
    assert SshAddress.parse(alice.ssh) == SshAddress("pi", "127.0.0.1", 2222)
    # The student's row wins over the class-wide options; without one, the host and the options.
    assert control_for(_Options(), alice.resolve()).runner.where() == "pi@127.0.0.1:2222"
    assert control_for(_Options(), bob.resolve()).runner.where() == "teacher@127.0.0.1:22"
    bad = parse("id,host,ssh\nzoe,pi-1,pi@pi-1:99999\n")
    assert [(e.line, e.column) for e in bad.errors] == [(2, "ssh")]


@given(st.from_regex(r"[a-z_][a-z0-9_-]{0,8}", fullmatch=True) | st.none(),
       st.from_regex(r"[a-z][a-z0-9.-]{0,20}[a-z0-9]", fullmatch=True), st.integers(1, 65535) | st.none())
def test_any_ssh_address_round_trips(user: str | None, host: str, port: int | None) -> None:
    text = (f"{user}@" if user else "") + host + (f":{port}" if port else "")
    assert SshAddress.parse(text) == SshAddress(user, host, port)


def _grade(tmp_path: Path, roster: str) -> dict[str, dict]:
    (tmp_path / "class.csv").write_text(roster)
    report = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
                           "--roster", str(tmp_path / "class.csv"), "-k", "velib_submission or test_spark",
                           "--report-dir", str(report)], cwd=REPO, capture_output=True, text=True, timeout=300)
    data = {path.stem: json.loads(path.read_text()) for path in report.glob("*.json")}
    assert data, done.stdout + done.stderr
    return data


def test_nothing_handed_in_fails_in_the_students_own_report(tmp_path: Path) -> None:
    """Neither script is run (no cluster is started): alice's folder is empty, bob has none."""
    (tmp_path / "handed" / "alice").mkdir(parents=True)
    data = _grade(tmp_path, ROSTER)
    assert set(data) == {"alice", "bob"}
    for student, results in data.items():
        assert results["meta"]["target"]["email"] == f"{student}@univ.example"
        assert len(results["results"]) == 18 and {r["outcome"] for r in results["results"]} == {"failed"}
        assert all(r["reason"].startswith("non rendu · not submitted") for r in results["results"])
        assert results["meta"]["grade_on_20"] == 0


def test_a_class_without_submissions_is_not_evaluated(tmp_path: Path) -> None:
    data = _grade(tmp_path, "id,email,host\nalice,alice@univ.example,127.0.0.1\n")
    assert {r["outcome"] for r in data["alice"]["results"]} == {"not_evaluated"}
    assert "the class has no submissions" in data["alice"]["results"][0]["reason"]


@pytest.mark.parametrize("option", ["--velib-submission", "--spark-script"])
def test_a_folder_or_script_given_alone_must_exist(tmp_path: Path, option: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
                           "--collect-only", option, str(tmp_path / "nothing")], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "nothing: not a" in done.stdout + done.stderr


def _collected_ids(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q",
                           "--collect-only", "--spark-script", str(REPO / "reference" / "spark" / "sstreaming.py"),
                           "--velib-submission", str(REPO / "reference" / "velib"), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return {line.rsplit("[", 1)[1].rstrip("]") for line in done.stdout.splitlines() if line.endswith("]")}


def test_one_target_with_its_scripts_is_one_subject_and_scripts_alone_are_their_own() -> None:
    assert _collected_ids("--target", "127.0.0.1") == {"127.0.0.1"}
    # The main job: the reference's cluster, §3.1 scripts and Spark job are one subject (one report, one row).
    assert _collected_ids() == {"reference"}
    # Without the reference played, the embedded cluster is not the scripts' author: each is its own subject.
    assert _collected_ids("--no-reference") == {"reference", "submission-velib", "submission-spark"}
