"""Broken variant: the schemas written with the types a student guesses instead of the lab's: passengerCnt an
IntegerType (the lab: ShortType) and tolls a DoubleType (the lab: FloatType). The values read are the same."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType  # noqa: E402

GUESSED = {"passengerCnt": IntegerType(), "tolls": DoubleType()}


def guessed(schema):
    return StructType([StructField(f.name, GUESSED.get(f.name, f.dataType)) for f in schema.fields])


ref.taxiRidesSchema = guessed(ref.taxiRidesSchema)
ref.taxiFaresSchema = guessed(ref.taxiFaresSchema)

if __name__ == "__main__":
    sys.exit(ref.main())
