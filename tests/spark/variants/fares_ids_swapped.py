"""Broken variant: the fare schema names column 2 driverId and column 3 taxiId (swapped; the lab's fare line
is rideId,taxiId,driverId,…). Nothing downstream uses them: only the parsed fares are wrong."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql.types import StructField, StructType  # noqa: E402

fields = list(ref.taxiFaresSchema.fields)
fields[1], fields[2] = fields[2], fields[1]
ref.taxiFaresSchema = StructType([StructField(f.name, f.dataType) for f in fields])

if __name__ == "__main__":
    sys.exit(ref.main())
