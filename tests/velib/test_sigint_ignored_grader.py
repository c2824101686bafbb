"""A class graded by a grader that inherited an ignored SIGINT gets every check's outcome of one graded by a
grader started normally (issue 24). A program started in the background by a non-interactive shell
(``cmd &`` in a script, ``nohup … &``, cron wrappers) has SIGINT ignored, and so would the students' scripts
unless the sandbox resets it: the honest ones, which rely on KeyboardInterrupt, then ignored Ctrl-C and failed
"stays in its sandbox" (killed at the wall clock). Both graders run for real, one after the other, on the same
class: the reference and two honest submissions (``honest.py``).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.system.paths import REPO

from .honest import HONEST, make_class

pytestmark = pytest.mark.slow
GRADE_TIMEOUT_S = 900
# A POSIX shell without job control starts a background command with SIGINT and SIGQUIT ignored.
IN_THE_BACKGROUND = ["sh", "-c", '"$@" & wait $!', "sh"]


def _ignored(status: str) -> int:
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), 16)


def _grade(folders: list[Path], out: Path, prefix: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """target -> check -> (outcome, reason) of one grading run of every submission, started behind ``prefix``."""
    out.mkdir(parents=True)  # pytest makes --basetemp, not its parent
    cmd = [sys.executable, "-m", "pytest", str(REPO / "checks"), "-p", "no:cacheprovider", "-q", "-k",
           "velib_submission", "--report-dir", str(out / "report"), "--basetemp", str(out / "basetemp")]
    cmd += [arg for folder in folders for arg in ("--velib-submission", str(folder))]
    done = subprocess.run([*prefix, *cmd], cwd=REPO, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S)
    data = [json.loads(path.read_text()) for path in (out / "report").glob("*.json")]
    assert len(data) == len(folders), f"{done.stdout[-5000:]}\n{done.stderr[-3000:]}"
    return {d["target"]: {r["check"]: (r["outcome"], r.get("reason") or "") for r in d["results"]} for d in data}


def test_a_background_shell_really_leaves_sigint_ignored() -> None:
    """The premise of the test below, so that it cannot pass for want of an ignored SIGINT."""
    status = subprocess.run([*IN_THE_BACKGROUND, "cat", "/proc/self/status"], capture_output=True, text=True,
                            timeout=30, check=True).stdout
    assert _ignored(status) & (1 << (signal.SIGINT - 1)), status


def test_a_grader_with_sigint_ignored_gives_every_check_the_same_outcome(tmp_path: Path) -> None:
    folders = make_class(tmp_path / "class", HONEST)
    normal = _grade(folders, tmp_path / "normal", [])
    background = _grade(folders, tmp_path / "background", IN_THE_BACKGROUND)
    differences = {(target, check): (normal[target][check], background[target].get(check))
                   for target in normal for check in normal[target]
                   if normal[target][check][0] != background[target].get(check, ("missing",))[0]}
    assert differences == {}
    assert {t: set(c) for t, c in normal.items()} == {t: set(c) for t, c in background.items()}
    # And both are right: honest scripts pass every check, the sandbox's included, whoever started the grader.
    failed = {(t, c): r for t, checks in background.items() for c, r in checks.items() if r[0] != "passed"}
    assert failed == {}
