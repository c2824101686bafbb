"""Broken variant: the ride schema names column 3 startTime and column 4 endTime (swapped), used as such."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql.types import StructField, StructType  # noqa: E402

fields = list(ref.taxiRidesSchema.fields)
fields[2], fields[3] = fields[3], fields[2]
ref.taxiRidesSchema = StructType([StructField(f.name, f.dataType) for f in fields])


def parse_rides(sdf):
    return ref.parse_data_from_kafka_message(sdf, ref.taxiRidesSchema)


ref.parse_rides = parse_rides

if __name__ == "__main__":
    sys.exit(ref.main())
