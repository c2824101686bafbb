"""The reference scripts the velib tests run; the runner itself is ``fixtures.procs`` (shared with the checks)."""

from __future__ import annotations

from fixtures.paths import REPO
from fixtures.procs import Script, Transcript, clean_env, leaks, log_files, python

VELIB = REPO / "reference" / "velib"
PRODUCER = VELIB / "velib-get-stations.py"
MONITOR = VELIB / "velib-monitor-stations.py"
KEY_ENV = "JCDECAUX_API_KEY"

__all__ = ["KEY_ENV", "MONITOR", "PRODUCER", "Script", "Transcript", "clean_env", "leaks", "log_files", "python"]
