"""Where the reference answers the harness's tests play are (the checks never import them)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"
REFERENCE_SPARK_SCRIPT = REFERENCE / "spark" / "sstreaming.py"
REFERENCE_VELIB = REFERENCE / "velib"
