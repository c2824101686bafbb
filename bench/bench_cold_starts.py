"""Cold starts of the sandbox (issue 24): prints figures, asserts nothing.

Each run is a cold grader: a new ``pytest checks`` process (its own reference cluster, first JVMs) after the
sandbox's user pool was emptied (every ``kafkalab-student-N`` no other sandbox holds is deleted, so the run
creates its users again). It grades the reference and two honest §3.1 submissions (``tests/velib/honest.py``:
no SIGINT handler of their own, they rely on KeyboardInterrupt) and, unless ``--no-stubborn``, one whose
producer ignores Ctrl-C. Printed per run: the time, the load, each "stays in its sandbox" verdict that is not
"passed" for an honest submission (a *sandbox failure*: the goal is 0), and the stubborn producer's verdict with
its reason (failed, or not evaluated when the grader was starved while it waited).

``--background`` starts each grader as a non-interactive shell's background job (SIGINT ignored, as
``nohup … &`` or cron leave it).

Usage (root): python bench/bench_cold_starts.py [--runs 10] [--background] [--no-stubborn]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.plugin.verdict import NOT_EVALUATED_PREFIX  # noqa: E402
from fixtures.sandbox.users import LEASES, pool_users  # noqa: E402
from fixtures.system.locks import try_lock  # noqa: E402
from tests.velib.honest import HONEST, STUBBORN, make_class  # noqa: E402

SANDBOX_CHECKS = ("test_velib_producer_stays_in_its_sandbox", "test_velib_monitor_stays_in_its_sandbox")
IN_THE_BACKGROUND = ["sh", "-c", '"$@" & wait $!', "sh"]


def empty_pool() -> int:
    """Delete every pool user no sandbox holds now (its lease lock taken while deleting it); how many."""
    LEASES.mkdir(mode=0o700, parents=True, exist_ok=True)
    deleted = 0
    for name in pool_users():
        with open(LEASES / f"{name}.lock", "w") as handle:
            if not try_lock(handle):
                continue  # another grader's sandbox runs as this user now
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                done = subprocess.run(["userdel", name], capture_output=True, text=True, timeout=60)
                deleted += done.returncode == 0
    return deleted


def grade(folders: list[Path], out: Path, background: bool) -> tuple[float, dict[tuple[str, str], tuple[str, str]]]:
    out.mkdir(parents=True)  # pytest makes --basetemp, not its parent
    cmd = [sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "-k", "velib_submission",
           "--report-dir", str(out / "report"), "--basetemp", str(out / "basetemp")]
    cmd += [arg for folder in folders for arg in ("--velib-submission", str(folder))]
    started = time.monotonic()
    with open(out.with_suffix(".log"), "wb") as log:
        subprocess.run([*(IN_THE_BACKGROUND if background else []), *cmd], cwd=REPO, stdout=log,
                       stderr=subprocess.STDOUT, timeout=1800)
    verdicts = {}
    for path in (out / "report").glob("*.json"):
        data = json.loads(path.read_text())
        for result in data["results"]:
            outcome, reason = result["outcome"], result.get("reason") or ""
            if outcome == "skipped" and reason.startswith(NOT_EVALUATED_PREFIX):
                outcome = "not evaluated"
            verdicts[(data["target"].removeprefix("submission-"), result["check"])] = (outcome, reason)
    return time.monotonic() - started, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts in a row (default 10)")
    parser.add_argument("--background", action="store_true", help="graders with SIGINT ignored")
    parser.add_argument("--no-stubborn", action="store_true", help="without the producer that ignores Ctrl-C")
    args = parser.parse_args()
    names = HONEST if args.no_stubborn else (*HONEST, STUBBORN)
    failures = 0
    stubborn: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folders = make_class(Path(tmp) / "class", names)
        for run in range(1, args.runs + 1):
            deleted = empty_pool()
            seconds, verdicts = grade(folders, Path(tmp) / f"run{run}", args.background)
            load = os.getloadavg()
            bad = {(n, c): v for (n, c), v in verdicts.items() if n in HONEST and c in SANDBOX_CHECKS
                   and v[0] != "passed"}
            missing = [n for n in names if (n, SANDBOX_CHECKS[0]) not in verdicts]
            failures += len(bad) + len(missing)
            print(f"run {run:2d}: {seconds:6.1f} s, load {load[0]:.1f}/{load[1]:.1f}, {deleted} pool user(s) "
                  f"deleted before; {len(bad)} sandbox failure(s) of honest scripts"
                  + (f"; NO REPORT for {', '.join(missing)}" if missing else ""), flush=True)
            for (name, check), (outcome, reason) in sorted(bad.items()):
                print(f"    {name}/{check}: {outcome}: {reason[:300]}", flush=True)
            if STUBBORN in names:
                outcome, reason = verdicts.get((STUBBORN, SANDBOX_CHECKS[0]), ("absent", ""))
                stubborn[outcome] = stubborn.get(outcome, 0) + 1
                print(f"    {STUBBORN} producer: {outcome}: {reason[:300]}", flush=True)
    print(f"total: {failures} sandbox failure(s) of honest scripts in {args.runs} cold start(s)"
          + (f"; the producer ignoring Ctrl-C: {stubborn}" if stubborn else ""))


if __name__ == "__main__":
    main()
