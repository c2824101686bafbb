"""§3.1.4's verdict on a monitor instance that printed nothing (a CI run under load 16 failed the reference's
monitors once this way): the student's fault on a calm grader, *not evaluated* when the group's members changed
while the grader itself was starved (the dropped instance's partitions read by the other one).

The check's own function is called on runs built here (what ``monitor_run`` returns); the runs themselves are
exercised on real clusters by tests/velib/test_submission_checks.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.s3_1_velib.runs import MonitorRun
from checks.s3_1_velib.test_velib_submission import test_velib_two_monitors_never_report_the_same_station as check
from fixtures.plugin.verdict import NOT_EVALUATED_PREFIX, CheckFailed
from fixtures.system.load import OVERLOADED_MAX_LATE_S, LoadMeter

ALONE = frozenset({"m-1", "m-2"})
REJOINED = frozenset({"m-1", "m-3"})  # instance 2 was dropped, then joined again with a new member id


def _run(lines: list[list[str]], member_ids: tuple[frozenset[str], frozenset[str]], late_s: float) -> MonitorRun:
    load = LoadMeter(lateness=[late_s])
    return MonitorRun(phase1=lines, phase2=[[] for _ in lines], alive_after_phase2=[True] * len(lines), members=2,
                      committed={}, ends={}, phase1_caught_up=True, output="", stderr_tails=["", ""],
                      member_ids=member_ids, load=load)


def _outcome(run: MonitorRun) -> str:
    try:
        check(run)
    except CheckFailed as failed:
        return f"failed: {failed.reason}"
    except pytest.skip.Exception as skipped:
        assert str(skipped.msg).startswith(NOT_EVALUATED_PREFIX), skipped.msg
        return f"not evaluated: {skipped.msg}"
    return "passed"


ONE_IDLE = [["+1 Main Street (dublin)"], []]
BOTH = [["+1 Main Street (dublin)"], ["-2 Quay Road (dublin)"]]


def test_an_idle_instance_on_a_calm_grader_fails_even_after_a_rejoin() -> None:
    assert _outcome(_run(ONE_IDLE, (ALONE, ALONE), 0.0)).startswith("failed: monitor instance(s) [2] printed no line")
    assert _outcome(_run(ONE_IDLE, (ALONE, REJOINED), 0.0)).startswith("failed: monitor instance(s) [2]")


def test_an_idle_instance_after_a_rejoin_on_a_starved_grader_is_not_evaluated() -> None:
    outcome = _outcome(_run(ONE_IDLE, (ALONE, REJOINED), OVERLOADED_MAX_LATE_S + 0.1))
    assert outcome.startswith("not evaluated:") and "starved grader" in outcome, outcome


def test_a_starved_grader_without_a_rejoin_still_fails_an_idle_instance() -> None:
    """Both instances held their partitions the whole run: printing nothing is the script's doing."""
    assert _outcome(_run(ONE_IDLE, (ALONE, ALONE), OVERLOADED_MAX_LATE_S + 0.1)).startswith("failed:")


@given(late_s=st.floats(0, 5), rejoined=st.booleans())
def test_two_working_instances_pass_whatever_the_load(late_s: float, rejoined: bool) -> None:
    assert _outcome(_run(BOTH, (ALONE, REJOINED if rejoined else ALONE), late_s)) == "passed"
