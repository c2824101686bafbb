"""The reference scripts the velib tests run; the runner itself is ``fixtures.system.procs`` (shared with checks)."""

from __future__ import annotations

from fixtures.system.paths import REPO
from fixtures.system.procs import CapturedOutput, Script, clean_env, leaks, log_files, python

VELIB = REPO / "reference" / "velib"
PRODUCER = VELIB / "velib-get-stations.py"
MONITOR = VELIB / "velib-monitor-stations.py"
KEY_ENV = "JCDECAUX_API_KEY"

__all__ = ["KEY_ENV", "MONITOR", "PRODUCER", "Script", "CapturedOutput", "clean_env", "leaks", "log_files", "python"]
