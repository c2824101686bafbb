"""Running the reference scripts as students run them: a subprocess each, outputs in files, bounded waits.

Every finished run is added to a ``Transcript`` so that one test can grep everything the scripts printed
for the API key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fixtures.paths import REPO
from fixtures.wait import wait_until

VELIB = REPO / "reference" / "velib"
PRODUCER = VELIB / "velib-get-stations.py"
MONITOR = VELIB / "velib-monitor-stations.py"
KEY_ENV = "JCDECAUX_API_KEY"


@dataclass
class Transcript:
    """Everything captured during the session: (label, text) pairs."""

    entries: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label: str, text: str) -> None:
        self.entries.append((label, text))

    def containing(self, needle: str) -> list[str]:
        return [label for label, text in self.entries if needle in text]


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any JCDecaux or Kafka setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JCDECAUX", "KAFKA_BOOTSTRAP"))}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Script:
    """One running script; stdout and stderr go to files (no pipe to fill up and block the child)."""

    def __init__(self, label: str, argv: list[str], workdir: Path, transcript: Transcript,
                 env: dict[str, str]) -> None:
        self.label, self.argv, self.transcript = label, argv, transcript
        count = len(list(workdir.glob(f"{label}-*.out")))
        self.out_path = workdir / f"{label}-{count}.out"
        self.err_path = workdir / f"{label}-{count}.err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                         cwd=workdir)
        self._recorded = False

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def wait(self, timeout: float) -> int:
        """Wait for the script to end on its own; kill it (and fail) after ``timeout``."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self._record()
            message = f"{self.label} still running after {timeout:.0f}s\n{self.stderr[-2000:]}"
            raise AssertionError(message) from None
        self._record()
        return code

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, as a clean shutdown; the script must exit within ``timeout``."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._record()

    def wait_for_output(self, predicate, timeout: float, what: str, stream: str = "stdout") -> None:
        def check() -> bool:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise AssertionError(f"{self.label} exited with {code}:\n{self.stderr[-2000:]}")
            return predicate(getattr(self, stream))

        wait_until(check, timeout, what)

    def _record(self) -> None:
        if not self._recorded:
            self._recorded = True
            self.transcript.add(f"{self.label} stdout", self.stdout)
            self.transcript.add(f"{self.label} stderr", self.stderr)


def python(script: Path, *args: str) -> list[str]:
    return [sys.executable, str(script), *args]


def leaks(needles: list[str], transcript: Transcript, files: Iterable[Path]) -> list[str]:
    """Where any of ``needles`` (API keys) appears: transcript labels and file paths."""
    found = sorted({label for needle in needles for label in transcript.containing(needle)})
    for path in files:
        text = Path(path).read_text(errors="replace")
        found += [str(path) for needle in needles if needle in text]
    return found


def log_files(cluster_workdir: Path) -> list[Path]:
    """Every log file of an embedded cluster (server.log, console output, controller and state logs)."""
    return [p for p in (cluster_workdir / "logs").rglob("*") if p.is_file()]
