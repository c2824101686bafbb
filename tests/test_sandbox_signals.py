"""The student's process gets every signal at its default and an empty mask, whatever the grader inherited
(issue 24): a grader started in the background (``nohup pytest … &``, cron) has SIGINT ignored, and ``exec``
keeps it ignored, so an honest script was not stopped by Ctrl-C and was charged a wall-clock hit. A script that
really ignores Ctrl-C is still caught, with the reason."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from checks.s3_1_velib.runs import _reports
from fixtures.plugin.verdict import NOT_EVALUATED_PREFIX
from fixtures.sandbox import SCRIPT, Sandbox, SandboxReport, runner
from fixtures.sandbox.users import NoSandboxUser
from fixtures.system.procs import CapturedOutput, Script, StopPhase

# Prints its own signal state, then waits for Ctrl-C as a §3.1 script does (a poll loop).
HONEST = """
import time
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("SigIgn", status["SigIgn"].strip(), "SigBlk", status["SigBlk"].strip(), flush=True)
try:
    while True:
        time.sleep(0.1)
except KeyboardInterrupt:
    print("stopped by Ctrl-C", flush=True)
"""
STUBBORN = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('ready', flush=True)\n" \
           "while True:\n    time.sleep(0.1)\n"


@pytest.fixture(params=["full", "without root"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    import os

    if request.param == "full" and os.geteuid() != 0:
        pytest.skip("the sandbox's users and namespaces need root")
    if request.param == "without root":
        def refuse() -> None:
            raise NoSandboxUser("test: no root")

        monkeypatch.setattr(runner, "lease_student_user", refuse)
    return request.param


@pytest.fixture
def grader_ignoring_sigint() -> Iterator[None]:
    """The grader as ``nohup … &`` leaves it: SIGINT ignored; SIGQUIT blocked on top of it, for the mask."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGQUIT])
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    signal.signal(signal.SIGINT, previous)


def _start(tmp_path: Path, code: str, name: str) -> Script:
    script = tmp_path / f"{name}.py"
    script.write_text(code)
    script.chmod(0o644)
    tmp_path.chmod(0o755)
    sandbox = Sandbox(tmp_path / f"{name}-run", "script", routes=None, expose=[(tmp_path, False)])
    return Script(name, [sys.executable, str(script)], tmp_path, CapturedOutput(), {"PATH": "/usr/bin:/bin"}, sandbox)


@pytest.mark.usefixtures("grader_ignoring_sigint")
def test_ctrl_c_stops_an_honest_script_whatever_the_grader_inherited(tmp_path: Path, mode: str) -> None:
    script = _start(tmp_path, HONEST, "honest")
    script.wait_for_output(lambda out: "SigIgn" in out, 60, "the script's signal state")
    code = script.interrupt()
    assert not script.ignored_interrupt, (script.stdout, script.stderr)
    assert code is not None and "stopped by Ctrl-C" in script.stdout, (script.stdout, script.stderr)
    # SIGINT not ignored, nothing blocked (the kernel's hex masks; Python itself ignores SIGPIPE and SIGXFSZ).
    ignored, blocked = (int(word, 16) for word in script.stdout.split()[1:4:2])
    assert not ignored & (1 << (signal.SIGINT - 1)) and blocked == 0, script.stdout
    assert script.sandbox_report is not None and not script.sandbox_report.limits_hit, script.sandbox_report


def test_a_script_ignoring_ctrl_c_is_still_caught(tmp_path: Path, mode: str) -> None:
    script = _start(tmp_path, STUBBORN, "stubborn")
    script.wait_for_output(lambda out: "ready" in out, 60, "the script to start")
    assert script.interrupt(grace=2.0) is None
    assert script.ignored_interrupt and script.interrupted is not None
    assert script.interrupted.grace_s >= 2.0, script.interrupted


# ---------------------------------------------------------------- the verdict of a "stays in its sandbox" check

def _verdict(report: SandboxReport) -> str:
    """passed, failed or not evaluated, as the check would give it."""
    from checks.s3_1_velib.test_velib_submission import _within_sandbox

    try:
        _within_sandbox("the producer", [report], "KEY", lambda *_: None)
    except pytest.skip.Exception as skipped:
        assert str(skipped.msg).startswith(NOT_EVALUATED_PREFIX), skipped.msg
        return "not evaluated"
    except AssertionError:
        return "failed"
    return "passed"


def _stopped(report: SandboxReport, stop: StopPhase) -> SandboxReport:
    script = SimpleNamespace(sandbox_report=report, interrupted=stop)
    return _reports([script])[0]  # type: ignore[list-item]


def test_a_sandbox_without_a_protection_is_not_evaluated_but_a_refusal_still_fails() -> None:
    assert _verdict(SandboxReport(["user"], [], SCRIPT)) == "passed"
    assert _verdict(SandboxReport([], ["own user (no root)", "hidden folders"], SCRIPT)) == "not evaluated"
    assert _verdict(SandboxReport([], ["own user (no root)"], SCRIPT, limits_hit=["CPU time"])) == "failed"


def test_ignoring_ctrl_c_fails_only_after_a_full_grace_on_a_grader_that_was_not_starved() -> None:
    fair = StopPhase(10.0, 10.0, overloaded=False, load="grader not overloaded")
    starved = StopPhase(10.0, 10.0, overloaded=True, load="grader overloaded: woke late by up to 3.00 s")
    cut_short = StopPhase(10.0, 4.0, overloaded=False, load="grader not overloaded")
    failed = _stopped(SandboxReport(["user"], [], SCRIPT), fair)
    assert _verdict(failed) == "failed" and "still running 10.0 s after Ctrl-C" in failed.limits_hit[0]
    for stop in (starved, cut_short):
        report = _stopped(SandboxReport(["user"], [], SCRIPT), stop)
        assert _verdict(report) == "not evaluated" and stop.load in report.unjudged[0], report


@pytest.mark.usefixtures("grader_ignoring_sigint")
@pytest.mark.parametrize("attempt", range(3))
def test_ctrl_c_at_once_after_the_start_still_stops_the_script(tmp_path: Path, mode: str, attempt: int) -> None:
    """Ctrl-C while the sandbox is still being set up (a cold grader: issue 24) is not lost: the run ends at
    once, it is not killed at the end of the grace."""
    script = _start(tmp_path, HONEST, f"early{attempt}")
    code = script.interrupt(grace=30.0)
    assert code is not None and not script.ignored_interrupt, (script.stdout, script.stderr, script.interrupted)


def test_a_spark_run_says_what_was_not_sandboxed(tmp_path: Path) -> None:
    """On a standalone cluster the executors run as the workers' user, outside the sandbox: the run's first
    line (the report's "found" of the first Spark check) says so."""
    from checks.s4_streaming.submission import SubmissionRun

    missing = ["network namespace (a Spark cluster's executors connect back to the driver)",
               "the executors' sandbox (they run on the cluster's workers, as the workers' user)"]
    run = SubmissionRun(tmp_path / "sstreaming.py", tmp_path, 0, False, 12.0, 600.0,
                        SandboxReport(["user"], missing, SCRIPT))
    assert "not sandboxed: " in run.describe().splitlines()[0]
    assert "the executors' sandbox" in run.describe().splitlines()[0]
