"""Broken variant: a typo in a column name; Spark refuses the query before it starts and the script dies."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402


def clean_rides(rides):
    return rides.filter(rides["startLongitude"].between(ref.LON_WEST, ref.LON_EAST))


ref.clean_rides = clean_rides

if __name__ == "__main__":
    sys.exit(ref.main())
