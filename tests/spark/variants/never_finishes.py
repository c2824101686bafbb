"""Broken variant: ignores the contract's TAXI_OUTPUT_DIR and runs as in the lab (console, latest, for ever)."""

import os
import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "reference" / "spark"))
import sstreaming as ref  # noqa: E402

os.environ.pop("TAXI_OUTPUT_DIR", None)

if __name__ == "__main__":
    sys.exit(ref.main())
