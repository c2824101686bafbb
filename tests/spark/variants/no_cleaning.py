"""Broken variant: no §4.4 cleaning at all (START events and points outside New York are kept)."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "reference" / "spark"))
import sstreaming as ref  # noqa: E402

ref.clean_rides = lambda rides: rides

if __name__ == "__main__":
    sys.exit(ref.main())
