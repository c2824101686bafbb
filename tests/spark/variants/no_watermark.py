"""Broken variant: the §4.5 join without any watermark. The windowed tips then cannot be written in append
mode (Spark refuses an aggregation without watermark), so this script leaves them out, as a student would."""

import sys
from pathlib import Path

# The reference solution, loaded by path: each variant changes one thing in it, as a student might.
# Beside this script first (a graded copy sits in a folder of its own with the module it imports, as a
# student's would: the sandbox shows a script its own folder only), else the repository's.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3] / "reference" / "spark")]
import sstreaming as ref  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402


def join_fares_rides(fares, cleaned_rides):
    fares = fares.selectExpr("rideId AS rideId_fares", "startTime", "totalFare", "tip",
                             "paymentType")
    rides = cleaned_rides.selectExpr("rideId", "endTime", "driverId", "taxiId", "startLon", "startLat", "endLon",
                                     "endLat")
    return fares.join(rides, F.expr(
        "rideId_fares = rideId AND endTime > startTime AND endTime <= startTime + interval 2 hours"))


def build_queries(*args, **kwargs):
    queries = original_build_queries(*args, **kwargs)
    del queries["tips"]
    return queries


original_build_queries = ref.build_queries
ref.join_fares_rides = join_fares_rides
ref.build_queries = build_queries

if __name__ == "__main__":
    sys.exit(ref.main())
