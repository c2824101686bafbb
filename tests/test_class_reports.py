"""Grades, the class page and the exports, from results built by hand."""

from __future__ import annotations

import csv
import json

from hypothesis import given
from hypothesis import strategies as st

from fixtures.plugin.scheduling import TargetScheduling
from reports.exports import gradescope_results, write_jsonl, write_moodle_csv
from reports.html import render_class, render_target
from reports.results import BLOCKED, NOT_EVALUATED, OUTCOMES, PASSED, CheckResult, TargetResults
from reports.rubric import Rubric


def student(target: str, outcomes: dict[str, str], name: str = "", email: str = "") -> TargetResults:
    results = [CheckResult.build(target=target, check=check, title=check, step="2.1.4", outcome=outcome,
                                 reason="" if outcome == "passed" else f"{check} broke")
               for check, outcome in outcomes.items()]
    return TargetResults(target, results, {"target": {"student": name, "email": email, "host": f"pi-{target}",
                                                      "roster": "yes"}})


def test_the_grade_on_20_follows_the_weights() -> None:
    rubric = Rubric({"a": 3, "b": 1}, default=1)
    assert rubric.grade(student("s", {"a": "passed", "b": "failed"})).on_20 == 15.0
    assert rubric.grade(student("s", {"a": "blocked", "b": "passed"})).on_20 == 5.0
    assert Rubric.load().weight("test_velib_each_station_is_in_one_partition") == 2


@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.tuples(st.sampled_from(OUTCOMES),
                                                                        st.integers(1, 5)), min_size=1))
def test_a_check_not_evaluated_never_costs_a_point(checks) -> None:
    """Whatever the outcomes, turning a check into *not evaluated* (the grader's decision or trouble) never
    lowers the grade of a student who passed everything else; blocked and failed count 0."""
    rubric = Rubric({name: weight for name, (_, weight) in checks.items()})
    outcomes = {name: outcome for name, (outcome, _) in checks.items()}
    grade = rubric.grade(student("s", outcomes))
    counted = {n: o for n, o in outcomes.items() if o != NOT_EVALUATED}
    expected_max = sum(checks[n][1] for n in counted)
    assert grade.max_points == expected_max and grade.possible == sum(w for _, w in checks.values())
    assert grade.points == sum(checks[n][1] for n, o in counted.items() if o == PASSED)
    if counted and all(o == PASSED for o in counted.values()):
        assert grade.on_20 == 20.0
    assert grade.complete == (len(counted) == len(outcomes))


def test_the_grade_says_on_how_many_points_it_stands() -> None:
    grade = Rubric({"a": 17, "b": 3}).grade(student("s", {"a": "passed", "b": "not_evaluated"}))
    assert grade.on_20 == 20.0 and not grade.complete
    assert grade.basis() == "20.00/20 (sur 17.00 des 20 points évalués · on 17.00 of 20 points evaluated)"


def test_results_of_schema_1_read_as_the_four_states() -> None:
    old = CheckResult.from_dict({"target": "t", "check": "c", "title": "c", "step": "2", "outcome": "skipped"})
    assert old.outcome == BLOCKED and CheckResult.from_dict({**old.to_dict(), "outcome": "error"}).outcome == \
        NOT_EVALUATED


def test_moodle_csv_has_one_row_per_student_keyed_by_email(tmp_path) -> None:
    rubric = Rubric(default=1)
    export = write_moodle_csv([student("alice", {"a": "passed"}, email="alice@univ.fr"),
                               student("bob", {"a": "failed"}, email="bob@univ.fr")], rubric, tmp_path / "m.csv")
    rows = list(csv.reader(export.path.open()))
    assert rows[0] == ["Email address", "TP Kafka", "TP Kafka (feedback)"]
    assert rows[1][:2] == ["alice@univ.fr", "20.00"] and rows[2][:2] == ["bob@univ.fr", "0.00"]
    assert "−20,00 pt" in rows[2][2]


def test_gradescope_results_follow_its_format() -> None:
    data = gradescope_results(student("alice", {"a": "passed", "b": "failed"}), Rubric(default=2))
    assert data["score"] == 10 and [t["max_score"] for t in data["tests"]] == [10, 10]
    assert {t["status"] for t in data["tests"]} == {"passed", "failed"}
    assert all(set(t) >= {"name", "score", "max_score", "status", "output", "visibility"} for t in data["tests"])


def test_jsonl_has_one_line_per_result(tmp_path) -> None:
    path = write_jsonl([student("alice", {"a": "passed", "b": "failed"})], tmp_path / "r.jsonl")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    found = [(x["target"], x["check"], x["outcome"]) for x in lines]
    assert found == [("alice", "a", "passed"), ("alice", "b", "failed")]


def test_the_class_page_escapes_student_names_and_links_each_report() -> None:
    payload = "<script>alert(1)</script>"
    page = render_class([student("alice", {"a": "passed"}, name=payload), student("bob", {"a": "failed"})],
                        Rubric(default=1), [f"line 3, column 'host': {payload}"])
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="alice.html"' in page and 'href="bob.html"' in page
    assert "cell-passed" in page and "cell-failed" in page


def test_a_chart_is_drawn_with_escaped_labels() -> None:
    results = student("alice", {"a": "passed"})
    results.results[0].chart = {"title": "leaders <per> broker", "series": {"before": {"broker 0": 5, "broker 1": 5},
                                                                          "after": {"broker 1": 10}}}
    page = render_target(results, Rubric(default=1))
    assert "<svg" in page and "leaders &lt;per&gt; broker" in page and "<per>" not in page


def test_xdist_scope_is_the_target_for_checks_and_the_module_otherwise() -> None:
    scheduling = TargetScheduling.__new__(TargetScheduling)
    scheduling.target_ids = frozenset({"alice", "bob"})
    assert scheduling._split_scope("checks/s2_deploy/test_broker.py::test_broker_speaks_kafka[alice]") == "target:alice"
    assert scheduling._split_scope("checks/s2_deploy/test_mygroup.py::test_mygroup_exists[alice]") == "target:alice"
    assert scheduling._split_scope("tests/test_x.py::test_y[3.9.2]") == "tests/test_x.py"


def test_a_check_of_the_other_kafka_mode_leaves_the_grade_complete() -> None:
    """Under ZooKeeper the KRaft checks are not applicable (and the reverse): a student graded on everything
    that applies has a complete grade, not one flagged 'on 17 of 20 points evaluated'."""
    results = student("s", {"test_zookeeper_answers_on_its_port": "passed", "test_metadata_quorum_answers":
                            "not_evaluated"})
    results.results[1].reason = "not applicable under ZooKeeper: this cluster has no KRaft metadata quorum"
    grade = Rubric({"test_zookeeper_answers_on_its_port": 1, "test_metadata_quorum_answers": 1}).grade(results)
    assert grade.on_20 == 20.0 and grade.complete and grade.basis() == "20.00/20"
    results.results[1].reason = "destructive check not allowed by the instructor"
    assert not Rubric({"test_zookeeper_answers_on_its_port": 1, "test_metadata_quorum_answers": 1}).grade(
        results).complete
