"""Broken variant: tips given to the taxi zone of the drop-off point instead of the pickup point."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

_zone_column = ref.zone_column


def zone_column(spark, zones_file, lon, lat, zones=None):
    return _zone_column(spark, zones_file, F.col("endLon"), F.col("endLat"), zones)


ref.zone_column = zone_column

if __name__ == "__main__":
    sys.exit(ref.main())
