"""The dashboard's timeline (SQLite): step states, first-pass times, stalled students, a restart that resumes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dashboard.timeline import Timeline, step_state
from reports.results import BLOCKED, FAILED, NOT_EVALUATED, OUTCOMES, PASSED, CheckResult, TargetResults


def student(name: str, outcomes: dict[tuple[str, str], str]) -> TargetResults:
    results = [CheckResult.build(target=name, check=check, title=check, step=step, outcome=outcome)
               for (step, check), outcome in outcomes.items()]
    return TargetResults(name, results, {"target": {"student": f"<b>{name}</b>", "host": f"pi-{name}"}})


@given(st.lists(st.sampled_from(OUTCOMES), min_size=1, max_size=6))
def test_a_step_is_passed_only_when_every_counted_check_passed(outcomes: list[str]) -> None:
    state = step_state(outcomes)
    counted = [o for o in outcomes if o != NOT_EVALUATED]
    assert (state == PASSED) == (bool(counted) and all(o == PASSED for o in counted))
    assert (state == NOT_EVALUATED) == (not counted)
    if FAILED in outcomes:
        assert state == FAILED


def test_first_pass_times_and_stalled_students_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "session.sqlite"
    timeline = Timeline(db)
    first = {"alice": student("alice", {("2.1.2", "zk"): PASSED, ("2.1.4", "topic"): FAILED}),
             "bob": student("bob", {("2.1.2", "zk"): FAILED, ("2.1.4", "topic"): BLOCKED})}
    timeline.record_pass(1, 100.0, 110.0, tmp_path / "p1", 1, first, {})
    second = {"alice": student("alice", {("2.1.2", "zk"): PASSED, ("2.1.4", "topic"): PASSED}),
              "bob": student("bob", {("2.1.2", "zk"): FAILED, ("2.1.4", "topic"): BLOCKED})}
    timeline.record_pass(2, 2000.0, 2010.0, tmp_path / "p2", 0, second, {"alice": "20.00/20"})
    timeline.close()

    resumed = Timeline(db)  # the dashboard restarted on the same file
    assert resumed.next_pass_number() == 3
    state = resumed.state(stale_after_s=20 * 60, now=2011.0)
    rows = {row["id"]: row for row in state["students"]}
    assert state["pass"] == 2 and state["steps"] == ["2.1.2", "2.1.4"]
    assert rows["alice"]["cells"]["2.1.2"]["first_passed"] == 110.0  # first passed in pass 1, kept
    assert rows["alice"]["cells"]["2.1.4"] == {"state": PASSED, "passed": 1, "counted": 1, "first_passed": 2010.0}
    assert rows["bob"]["cells"]["2.1.4"]["state"] == BLOCKED and rows["bob"]["cells"]["2.1.4"]["first_passed"] is None
    assert rows["alice"]["stalled"] is False  # progressed in pass 2 (and done)
    assert rows["bob"]["stalled"] is True  # no progress since pass 1, 1900 s > 20 min
    assert rows["alice"]["name"] == "<b>alice</b>"  # stored as text; the page shows it as text
    only = resumed.state(1200, now=2011.0, only="bob")
    assert [row["id"] for row in only["students"]] == ["bob"]  # a student's page holds no one else
