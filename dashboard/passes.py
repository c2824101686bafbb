"""One grading pass: ``pytest checks --roster …`` in a subprocess, read back as results.

A pass is an ordinary grading run (the instructor's own command, with the same probes and timeouts), so a dead
host costs the dashboard exactly what it costs a normal run, and the last pass's exports are the class's usual
files. Destructive checks are never run by the dashboard: without ``--allow-destructive`` (refused here) they
are *not evaluated*, which costs no student a point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from reports.results import TargetResults

PASS_TIMEOUT_S = 1800.0


@dataclass
class PassResult:
    number: int
    folder: Path
    started: float
    finished: float
    returncode: int
    students: dict[str, TargetResults] = field(default_factory=dict)
    output_tail: str = ""


@dataclass
class PassRunner:
    """Runs passes for a roster; ``pytest_args`` are added to every pass (``-n 4``, ``--probe-timeout 2`` …)."""

    roster: Path
    workdir: Path
    pytest_args: list[str] = field(default_factory=list)
    checks_dir: Path = Path(__file__).resolve().parents[1] / "checks"
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if any(arg.startswith("--allow-destructive") for arg in self.pytest_args):
            raise ValueError("the dashboard never runs destructive checks: drop --allow-destructive")

    def command(self, folder: Path) -> list[str]:
        return [sys.executable, "-m", "pytest", str(self.checks_dir), "-p", "no:cacheprovider", "-q",
                "--roster", str(self.roster), "--report-dir", str(folder),
                *self.pytest_args]

    def run(self, number: int) -> PassResult:
        folder = self.workdir / f"pass-{number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.time()
        # Its own process group, so that stopping the dashboard ends the pass and everything it started.
        self._proc = subprocess.Popen(self.command(folder), cwd=self.checks_dir.parent, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = self._proc.communicate(timeout=PASS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.stop()
            output = f"pass {number} exceeded {PASS_TIMEOUT_S:.0f}s and was stopped"
        code = self._proc.returncode if self._proc.returncode is not None else -1
        self._proc = None
        students = {}
        for path in sorted(folder.glob("*.json")):
            results = TargetResults.read_json(path)
            students[results.target] = results
        return PassResult(number, folder, started, time.time(), code, students, output[-3000:])

    def stop(self) -> None:
        """End the running pass (its whole process group): SIGTERM, then SIGKILL after a grace."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue
