"""The four outcome states from what pytest reports: only a graded failure is the student's."""

from __future__ import annotations

import pytest

from fixtures.plugin.results import _outcome
from fixtures.plugin.verdict import CheckFailed, needs, not_evaluated
from reports.results import BLOCKED, FAILED, NOT_EVALUATED, PASSED


def report(outcome: str, when: str = "call", longrepr=None) -> pytest.TestReport:
    return pytest.TestReport("checks/x.py::test_x[t]", ("x.py", 1, "test_x"), {}, outcome, longrepr, when)


def skip_repr(call) -> tuple:
    with pytest.raises(pytest.skip.Exception) as info:
        call()
    return ("x.py", 1, f"Skipped: {info.value.msg}")


def test_a_graded_failure_is_failed() -> None:
    assert _outcome(report("failed", longrepr="boom"), CheckFailed("topic missing")) == {"outcome": FAILED}


@pytest.mark.parametrize("exc", [AssertionError("assert in a library"), KeyError("x"), TimeoutError()])
def test_any_other_exception_is_the_graders_and_not_evaluated(exc: BaseException) -> None:
    state = _outcome(report("failed", longrepr="Traceback …"), exc)
    assert state["outcome"] == NOT_EVALUATED and state["harness_error"]


def test_an_error_while_setting_up_is_not_evaluated_even_for_a_check_failure() -> None:
    assert _outcome(report("failed", "setup", "Traceback …"), CheckFailed("x"))["outcome"] == NOT_EVALUATED


def test_a_failed_prerequisite_blocks_and_names_it() -> None:
    state = _outcome(report("skipped", longrepr=skip_repr(lambda: needs("topic conversation", "it does not exist"))),
                     None)
    assert state == {"outcome": BLOCKED, "blocked_by": "topic conversation"}


def test_what_the_grader_was_told_not_to_do_is_not_evaluated() -> None:
    state = _outcome(report("skipped", longrepr=skip_repr(lambda: not_evaluated("destructive not allowed"))), None)
    assert state == {"outcome": NOT_EVALUATED}
    assert _outcome(report("passed"), None) == {"outcome": PASSED}


def test_nothing_handed_in_is_the_students_failure() -> None:
    from fixtures.plugin.verdict import not_submitted

    state = _outcome(report("skipped", "setup", skip_repr(lambda: not_submitted("no velib-get-stations.py"))), None)
    assert state == {"outcome": FAILED}
